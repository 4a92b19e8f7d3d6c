// Package relay is self-custody's wire between an enterprise's own device
// and its organisation's gateway: the gateway prepares a Fabric proposal
// (and then the transaction) for a request the client built, the client
// checks what it is asked to sign and signs the digest with its own key,
// the gateway checks the signature against the enterprise's registered
// certificate and forwards it. Inspect* decode what travels (both sides
// use them: the client to see what it signs, the gateway to see who
// signed); Client is the device's side over HTTP.
package relay

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
)

var (
	// ErrMalformed: bytes that are not a proposal or transaction as
	// fabric-gateway serializes them.
	ErrMalformed = errors.New("relay: malformed proposal or transaction")
	// ErrBadSignature: the signature does not verify under the
	// certificate, or the message's creator is not that certificate.
	ErrBadSignature = errors.New("relay: signature does not match the enterprise's certificate")
	// ErrUnexpected: a prepared message is not the one the client asked
	// for (another function, other arguments, another creator or
	// transaction).
	ErrUnexpected = errors.New("relay: prepared message differs from the request")
)

// Proposal is what a serialized proposal says.
type Proposal struct {
	TxID      string
	Channel   string
	Chaincode string
	// Function is the invoked function as sent ("tierchain:Split").
	Function  string
	Args      [][]byte
	Creator   Creator
	Timestamp time.Time
	// Digest is what the creator signs: SHA-256 of the proposal bytes.
	Digest []byte
}

// Creator is a Fabric serialized identity.
type Creator struct {
	MSPID   string
	CertPEM []byte
}

// Transaction is what a serialized, endorsed transaction says.
type Transaction struct {
	TxID     string
	Channel  string
	Function string
	Args     [][]byte
	Creator  Creator
	// Result is the chaincode's endorsed response payload.
	Result []byte
	// Digest is what the creator signs: SHA-256 of the envelope payload.
	Digest []byte
}

// endorserTransaction is common.HeaderType_ENDORSER_TRANSACTION.
const endorserTransaction = 3

// InspectProposal decodes fabric-gateway's ProposedTransaction bytes
// (client.Proposal.Bytes). It checks that the transaction ID is the one
// the peer will derive from the nonce and creator.
func InspectProposal(b []byte) (*Proposal, error) {
	pt, err := decode(proposedTx, "proposed transaction", b)
	if err != nil {
		return nil, err
	}
	if !pt.Has(2) {
		return nil, fmt.Errorf("%w: no signed proposal", ErrMalformed)
	}
	pb := pt.Msg(2).Bytes(1) // SignedProposal.proposal_bytes
	prop, err := decode(proposalSchema, "proposal", pb)
	if err != nil {
		return nil, err
	}
	hdr, err := decode(headerSchema, "header", prop.Bytes(1))
	if err != nil {
		return nil, err
	}
	ch, creator, err := headers(hdr.Bytes(1), hdr.Bytes(2), pt.Str(1))
	if err != nil {
		return nil, err
	}
	ext, err := decode(headerExtension, "chaincode header extension", ch.Bytes(7))
	if err != nil {
		return nil, err
	}
	cpp, err := decode(proposalPayload, "chaincode proposal payload", prop.Bytes(2))
	if err != nil {
		return nil, err
	}
	args, err := invocation(cpp.Bytes(1))
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256(pb)
	p := &Proposal{
		TxID: ch.Str(5), Channel: ch.Str(4), Chaincode: ext.Msg(2).Str(2),
		Function: string(args[0]), Args: args[1:], Creator: creator, Digest: d[:],
	}
	if ch.Has(3) {
		ts := ch.Msg(3)
		p.Timestamp = time.Unix(int64(ts.Uint(1)), int64(int32(ts.Uint(2)))).UTC()
	}
	return p, nil
}

// InspectTransaction decodes fabric-gateway's PreparedTransaction bytes
// (client.Transaction.Bytes).
func InspectTransaction(b []byte) (*Transaction, error) {
	pt, err := decode(preparedTx, "prepared transaction", b)
	if err != nil {
		return nil, err
	}
	payload := pt.Msg(2).Bytes(1) // Envelope.payload
	pl, err := decode(payloadSchema, "payload", payload)
	if err != nil {
		return nil, err
	}
	ch, creator, err := headers(pl.Msg(1).Bytes(1), pl.Msg(1).Bytes(2), pt.Str(1))
	if err != nil {
		return nil, err
	}
	tx, err := decode(transactionMsg, "transaction", pl.Bytes(2))
	if err != nil {
		return nil, err
	}
	if len(tx.All(1)) != 1 {
		return nil, fmt.Errorf("%w: %d actions, want 1", ErrMalformed, len(tx.All(1)))
	}
	cap, err := decode(actionPayload, "chaincode action payload", tx.All(1)[0].Bytes(2))
	if err != nil {
		return nil, err
	}
	prp, err := decode(responsePayload, "proposal response payload", cap.Msg(2).Bytes(1))
	if err != nil {
		return nil, err
	}
	act, err := decode(chaincodeAction, "chaincode action", prp.Bytes(2))
	if err != nil {
		return nil, err
	}
	cpp, err := decode(proposalPayload, "chaincode proposal payload", cap.Bytes(1))
	if err != nil {
		return nil, err
	}
	args, err := invocation(cpp.Bytes(1))
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256(payload)
	return &Transaction{
		TxID: ch.Str(5), Channel: ch.Str(4), Function: string(args[0]), Args: args[1:],
		Creator: creator, Result: bytes.Clone(act.Msg(3).Bytes(3)), Digest: d[:],
	}, nil
}

// headers decodes an endorser transaction's channel and signature headers
// and checks that the transaction ID (in the header and in the wrapper,
// wrapped) is the one derived from the nonce and creator.
func headers(channelHeaderBytes, signatureHeaderBytes []byte, wrapped string) (*view, Creator, error) {
	ch, err := decode(channelHeader, "channel header", channelHeaderBytes)
	if err != nil {
		return nil, Creator{}, err
	}
	sh, err := decode(signatureHeader, "signature header", signatureHeaderBytes)
	if err != nil {
		return nil, Creator{}, err
	}
	if typ := int32(ch.Uint(1)); typ != endorserTransaction {
		return nil, Creator{}, fmt.Errorf("%w: header type %d", ErrMalformed, typ)
	}
	creator, err := decodeCreator(sh.Bytes(1))
	if err != nil {
		return nil, Creator{}, err
	}
	if want := txID(sh.Bytes(2), sh.Bytes(1)); ch.Str(5) != want || wrapped != want {
		return nil, Creator{}, fmt.Errorf("%w: transaction ID is not derived from the nonce and creator", ErrMalformed)
	}
	return ch, creator, nil
}

// invocation decodes a chaincode invocation's arguments, the function
// first (copies: the caller may reuse its buffer).
func invocation(input []byte) ([][]byte, error) {
	spec, err := decode(invocationSpec, "chaincode invocation spec", input)
	if err != nil {
		return nil, err
	}
	raw := spec.Msg(1).Msg(3).List(1) // ChaincodeSpec.input.args
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: no function", ErrMalformed)
	}
	args := make([][]byte, len(raw))
	for i, a := range raw {
		args[i] = bytes.Clone(a)
	}
	return args, nil
}

func txID(nonce, creator []byte) string {
	h := sha256.New()
	h.Write(nonce)
	h.Write(creator)
	return hex.EncodeToString(h.Sum(nil))
}

func decodeCreator(b []byte) (Creator, error) {
	id, err := decode(serializedID, "creator", b)
	if err != nil {
		return Creator{}, err
	}
	if id.Str(1) == "" || len(id.Bytes(2)) == 0 {
		return Creator{}, fmt.Errorf("%w: incomplete creator", ErrMalformed)
	}
	return Creator{MSPID: id.Str(1), CertPEM: bytes.Clone(id.Bytes(2))}, nil
}

// SameCertificate reports whether two PEM (or DER) certificates are the
// same certificate, byte for byte once decoded.
func SameCertificate(a, b []byte) bool {
	da, db := certDER(a), certDER(b)
	return da != nil && bytes.Equal(da, db)
}

func certDER(b []byte) []byte {
	if blk, _ := pem.Decode(b); blk != nil {
		return blk.Bytes
	}
	return b
}

// Verify checks that creator is the certificate (PEM) of mspID and that
// signature is its ECDSA signature of digest: what the peer will check,
// done before anything is forwarded.
func Verify(mspID string, certPEM []byte, creator Creator, digest, signature []byte) error {
	if creator.MSPID != mspID || !SameCertificate(creator.CertPEM, certPEM) {
		return fmt.Errorf("%w: the message's creator is another identity", ErrBadSignature)
	}
	cert, err := x509.ParseCertificate(certDER(certPEM))
	if err != nil {
		return fmt.Errorf("%w: certificate: %v", ErrBadSignature, err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("%w: not an ECDSA certificate", ErrBadSignature)
	}
	if len(signature) == 0 || len(signature) > 80 || !ecdsa.VerifyASN1(pub, digest, signature) {
		return ErrBadSignature
	}
	return nil
}

// CheckProposal is the client's look at a proposal before it signs: it is
// for the call it asked (contract:function and arguments) and made out to
// its own identity.
func CheckProposal(p *Proposal, self Creator, contract, function string, args [][]byte) error {
	if p.Creator.MSPID != self.MSPID || !SameCertificate(p.Creator.CertPEM, self.CertPEM) {
		return fmt.Errorf("%w: creator is not this wallet's identity", ErrUnexpected)
	}
	return sameCall(p.Function, p.Args, contract, function, args)
}

// CheckTransaction is the client's look at an endorsed transaction before
// it signs: the proposal it signed, endorsed, with the result returned.
func CheckTransaction(t *Transaction, p *Proposal, result []byte) error {
	if t.TxID != p.TxID || t.Creator.MSPID != p.Creator.MSPID || !SameCertificate(t.Creator.CertPEM, p.Creator.CertPEM) {
		return fmt.Errorf("%w: not the transaction of the signed proposal", ErrUnexpected)
	}
	if !bytes.Equal(t.Result, result) {
		return fmt.Errorf("%w: result differs from the endorsed one", ErrUnexpected)
	}
	contract, function, _ := strings.Cut(p.Function, ":")
	return sameCall(t.Function, t.Args, contract, function, p.Args)
}

func sameCall(gotFn string, gotArgs [][]byte, contract, function string, args [][]byte) error {
	want := function
	if contract != "" {
		want = contract + ":" + function
	}
	if gotFn != want || len(gotArgs) != len(args) {
		return fmt.Errorf("%w: function %q", ErrUnexpected, gotFn)
	}
	for i := range args {
		if !bytes.Equal(gotArgs[i], args[i]) {
			return fmt.Errorf("%w: argument %d", ErrUnexpected, i)
		}
	}
	return nil
}
