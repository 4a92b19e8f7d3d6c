// Package browserwallet is the part of a self-custody wallet that runs in
// the browser, compiled to WebAssembly from the project's own code
// (cmd/tierwallet-wasm, GOOS=js GOARCH=wasm): the split prover
// (chaincode/protocol on zk/) and the Fabric signature, the same code the
// native wallet runs. It has no storage and no network of its own.
package browserwallet

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/fabricsig"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// SplitBench is a two-output split of one held token, as a supplier's
// device proves and signs it: fresh keys for the holder, the recipient
// and the auditor, one input of 1,000,000.00.
type SplitBench struct {
	ctx   protocol.Context
	aud   protocol.Auditor
	input protocol.OpenedToken
	self  protocol.Recipient
	to    protocol.Recipient
	key   *ecdsa.PrivateKey
}

// BenchInput is the split's input value in minor units.
const BenchInput = 1_000_000_00

// NewSplitBench makes the keys and the input token.
func NewSplitBench() (*SplitBench, error) {
	ak, err := elgamal.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	reg, err := envelope.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	self, err := envelope.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	to, err := envelope.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	o, err := pedersen.NewOpening(BenchInput, nil)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &SplitBench{
		ctx:   protocol.Context{Channel: "scf", Chaincode: "tierchain"},
		aud:   protocol.Auditor{AuditKey: ak.Public(), EncryptionKey: reg.Public()},
		input: protocol.OpenedToken{ID: "t-bench-input", Opening: o},
		self:  protocol.Recipient{ID: "supplier-self", Key: self.Public()},
		to:    protocol.Recipient{ID: "supplier-to", Key: to.Public()},
		key:   key,
	}, nil
}

// Run proves the split of the input into 400,000.00 to the recipient and
// the change back (with Wallet.Split's own builder), encodes the request
// as the chaincode takes it, and signs its digest with the Fabric key:
// what the device does before the relay's proposal (whose own signature
// is one more ECDSA signature of the same cost).
func (b *SplitBench) Run() (*model.SplitRequest, []byte, error) {
	req, _, err := buildPayment(b.ctx, b.aud, b.input, b.self, b.to, 400_000_00)
	if err != nil {
		return nil, nil, err
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, nil, err
	}
	d := sha256.Sum256(raw)
	sig, err := fabricsig.SignDigest(b.key, d[:])
	if err != nil {
		return nil, nil, err
	}
	return req, sig, nil
}

// Verify checks a request Run made (its JSON) and its signature.
func (b *SplitBench) Verify(raw, sig []byte) error {
	p, err := b.Public()
	if err != nil {
		return err
	}
	return VerifyBench(p, raw, sig)
}

// BenchPublic is what a verifier needs of a SplitBench: the auditor's
// key, the input's commitment, the holder's ID and Fabric public key.
type BenchPublic struct {
	AuditKey   []byte `json:"auditKey"`
	Input      []byte `json:"input"`
	Spender    string `json:"spender"`
	SigningKey []byte `json:"signingKey"` // PKIX DER
}

// Public returns the bench's public side.
func (b *SplitBench) Public() (BenchPublic, error) {
	der, err := x509.MarshalPKIXPublicKey(&b.key.PublicKey)
	if err != nil {
		return BenchPublic{}, err
	}
	return BenchPublic{AuditKey: b.aud.AuditKey.Bytes(), Input: b.input.Opening.Commitment().Bytes(), Spender: b.self.ID, SigningKey: der}, nil
}

// VerifyBench checks a split request (its JSON, as signed) and signature
// that a SplitBench with public side p made, here or in the browser, the
// way the chaincode checks a split.
func VerifyBench(p BenchPublic, raw, sig []byte) error {
	var req model.SplitRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	k, err := x509.ParsePKIXPublicKey(p.SigningKey)
	if err != nil {
		return err
	}
	pub, ok := k.(*ecdsa.PublicKey)
	d := sha256.Sum256(raw)
	if !ok || !ecdsa.VerifyASN1(pub, d[:], sig) {
		return fmt.Errorf("browserwallet: signature does not verify")
	}
	ak, err := elgamal.DecodePublicKey(p.AuditKey)
	if err != nil {
		return err
	}
	in, err := protocol.DecodeCommitment("input", p.Input)
	if err != nil {
		return err
	}
	stmt := &protocol.SplitStatement{Kind: protocol.KindSplit, Spender: p.Spender, AuditKey: ak,
		Inputs: []protocol.InputRef{{ID: "t-bench-input", Commitment: in}}}
	for i, o := range req.Outputs {
		c, h, err := protocol.DecodeAudited(fmt.Sprintf("outputs[%d]", i), o.Commitment, o.Handle)
		if err != nil {
			return err
		}
		stmt.Outputs = append(stmt.Outputs, protocol.OutputRef{Holder: o.Holder, Commitment: c, Handle: h,
			HolderEnvelope: o.HolderEnvelope, RegulatorEnvelope: o.RegulatorEnvelope})
	}
	return stmt.Verify(protocol.Context{Channel: "scf", Chaincode: "tierchain"}, &req)
}
