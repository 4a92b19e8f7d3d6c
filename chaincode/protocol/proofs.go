package protocol

import (
	"io"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/audit"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
	"github.com/tierchain/tierchain/zk/transcript"
)

// Proof names in proof transcripts.
const (
	ProofRange   = "range"
	ProofHandle  = "handle"
	ProofBalance = "balance"
)

// verifyRange checks one aggregated 64-bit range proof over cs.
func verifyRange(base *transcript.Transcript, proof []byte, cs []*pedersen.Commitment) error {
	p, err := rangeproof.DecodeProof(proof)
	if err != nil {
		return invalidProof("range proof: malformed")
	}
	if err := p.Verify(ProofTranscript(base, ProofRange, 0), cs, model.AmountBits); err != nil {
		return invalidProof("range proof: does not verify")
	}
	return nil
}

func proveRange(base *transcript.Transcript, openings []pedersen.Opening, rand io.Reader) ([]byte, error) {
	p, err := rangeproof.Prove(ProofTranscript(base, ProofRange, 0), openings, model.AmountBits, rand)
	if err != nil {
		return nil, err
	}
	return p.Bytes(), nil
}

// verifyHandle checks that handle h of commitment c (output i) shares its
// blinding, so the regulator can open c.
func verifyHandle(base *transcript.Transcript, i int, key *audit.PublicKey, c *pedersen.Commitment, h *audit.Handle, proof []byte) error {
	p, err := audit.DecodeHandleProof(proof)
	if err != nil {
		return invalidProof("handle proof %d: malformed", i)
	}
	if err := p.Verify(ProofTranscript(base, ProofHandle, i), key, c, h); err != nil {
		return invalidProof("handle proof %d: does not verify", i)
	}
	return nil
}

func proveHandle(base *transcript.Transcript, i int, key *audit.PublicKey, o pedersen.Opening, rand io.Reader) ([]byte, error) {
	p, err := audit.ProveHandle(ProofTranscript(base, ProofHandle, i), key, o, rand)
	if err != nil {
		return nil, err
	}
	return p.Bytes(), nil
}

// verifyBalance checks knowledge of k with excess = k·H.
func verifyBalance(base *transcript.Transcript, excess *group.Element, proof []byte) error {
	p, err := balance.DecodeProof(proof)
	if err != nil {
		return invalidProof("balance proof: malformed")
	}
	if err := p.Verify(ProofTranscript(base, ProofBalance, 0), excess); err != nil {
		return invalidProof("balance proof: does not verify (outputs and inputs differ)")
	}
	return nil
}

func proveBalance(base *transcript.Transcript, k *group.Scalar, rand io.Reader) ([]byte, error) {
	p, err := balance.Prove(ProofTranscript(base, ProofBalance, 0), k, rand)
	if err != nil {
		return nil, err
	}
	return p.Bytes(), nil
}

// Auditor is the regulator as provers see it: the audit key every
// commitment carries a handle for, and the HPKE key of its envelope copy.
type Auditor struct {
	AuditKey      *audit.PublicKey
	EncryptionKey *envelope.PublicKey
}

// Recipient is an enterprise that receives an envelope.
type Recipient struct {
	ID  string
	Key *envelope.PublicKey
}

// sealed is a new commitment with its handle and both envelopes.
type sealed struct {
	commitment *pedersen.Commitment
	handle     *audit.Handle
	holderEnv  []byte
	regEnv     []byte
}

// sealOutput commits to o, makes its audit handle and seals o to the
// recipient (for purpose) and to the regulator.
func sealOutput(o pedersen.Opening, to *envelope.PublicKey, purpose string, aud Auditor, rand io.Reader) (*sealed, error) {
	if o.Blinding == nil || to == nil || aud.AuditKey == nil || aud.EncryptionKey == nil {
		return nil, invalidArg("builder: missing blinding, recipient key or auditor key")
	}
	c := o.Commitment()
	holderEnv, err := envelope.Seal(to, o, OutputBinding(c, purpose), rand)
	if err != nil {
		return nil, err
	}
	regEnv, err := envelope.Seal(aud.EncryptionKey, o, OutputBinding(c, PurposeRegulator), rand)
	if err != nil {
		return nil, err
	}
	return &sealed{commitment: c, handle: audit.NewHandle(aud.AuditKey, o.Blinding), holderEnv: holderEnv, regEnv: regEnv}, nil
}
