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

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
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

func unmarshal(b []byte, m proto.Message, what string) error {
	if err := proto.Unmarshal(b, m); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	return nil
}

// InspectProposal decodes fabric-gateway's ProposedTransaction bytes
// (client.Proposal.Bytes). It checks that the transaction ID is the one
// the peer will derive from the nonce and creator.
func InspectProposal(b []byte) (*Proposal, error) {
	var (
		pt   gateway.ProposedTransaction
		prop peer.Proposal
		hdr  common.Header
		ext  peer.ChaincodeHeaderExtension
		cpp  peer.ChaincodeProposalPayload
	)
	if err := unmarshal(b, &pt, "proposed transaction"); err != nil {
		return nil, err
	}
	if pt.GetProposal() == nil {
		return nil, fmt.Errorf("%w: no signed proposal", ErrMalformed)
	}
	pb := pt.GetProposal().GetProposalBytes()
	if err := unmarshal(pb, &prop, "proposal"); err != nil {
		return nil, err
	}
	if err := unmarshal(prop.GetHeader(), &hdr, "header"); err != nil {
		return nil, err
	}
	ch, creator, err := headers(hdr.GetChannelHeader(), hdr.GetSignatureHeader(), pt.GetTransactionId())
	if err != nil {
		return nil, err
	}
	if err := unmarshal(ch.GetExtension(), &ext, "chaincode header extension"); err != nil {
		return nil, err
	}
	if err := unmarshal(prop.GetPayload(), &cpp, "chaincode proposal payload"); err != nil {
		return nil, err
	}
	args, err := invocation(cpp.GetInput())
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256(pb)
	p := &Proposal{
		TxID: ch.GetTxId(), Channel: ch.GetChannelId(), Chaincode: ext.GetChaincodeId().GetName(),
		Function: string(args[0]), Args: args[1:], Creator: creator, Digest: d[:],
	}
	if ts := ch.GetTimestamp(); ts != nil {
		p.Timestamp = ts.AsTime()
	}
	return p, nil
}

// InspectTransaction decodes fabric-gateway's PreparedTransaction bytes
// (client.Transaction.Bytes).
func InspectTransaction(b []byte) (*Transaction, error) {
	var (
		pt  gateway.PreparedTransaction
		pl  common.Payload
		tx  peer.Transaction
		cap peer.ChaincodeActionPayload
		prp peer.ProposalResponsePayload
		act peer.ChaincodeAction
		cpp peer.ChaincodeProposalPayload
	)
	if err := unmarshal(b, &pt, "prepared transaction"); err != nil {
		return nil, err
	}
	payload := pt.GetEnvelope().GetPayload()
	if err := unmarshal(payload, &pl, "payload"); err != nil {
		return nil, err
	}
	ch, creator, err := headers(pl.GetHeader().GetChannelHeader(), pl.GetHeader().GetSignatureHeader(), pt.GetTransactionId())
	if err != nil {
		return nil, err
	}
	if err := unmarshal(pl.GetData(), &tx, "transaction"); err != nil {
		return nil, err
	}
	if len(tx.GetActions()) != 1 {
		return nil, fmt.Errorf("%w: %d actions, want 1", ErrMalformed, len(tx.GetActions()))
	}
	if err := unmarshal(tx.GetActions()[0].GetPayload(), &cap, "chaincode action payload"); err != nil {
		return nil, err
	}
	if err := unmarshal(cap.GetAction().GetProposalResponsePayload(), &prp, "proposal response payload"); err != nil {
		return nil, err
	}
	if err := unmarshal(prp.GetExtension(), &act, "chaincode action"); err != nil {
		return nil, err
	}
	if err := unmarshal(cap.GetChaincodeProposalPayload(), &cpp, "chaincode proposal payload"); err != nil {
		return nil, err
	}
	args, err := invocation(cpp.GetInput())
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256(payload)
	return &Transaction{
		TxID: ch.GetTxId(), Channel: ch.GetChannelId(), Function: string(args[0]), Args: args[1:],
		Creator: creator, Result: act.GetResponse().GetPayload(), Digest: d[:],
	}, nil
}

// headers decodes an endorser transaction's channel and signature headers
// and checks that the transaction ID (in the header and in the wrapper,
// wrapped) is the one derived from the nonce and creator.
func headers(channelHeader, signatureHeader []byte, wrapped string) (*common.ChannelHeader, Creator, error) {
	var (
		ch common.ChannelHeader
		sh common.SignatureHeader
	)
	if err := unmarshal(channelHeader, &ch, "channel header"); err != nil {
		return nil, Creator{}, err
	}
	if err := unmarshal(signatureHeader, &sh, "signature header"); err != nil {
		return nil, Creator{}, err
	}
	if common.HeaderType(ch.GetType()) != common.HeaderType_ENDORSER_TRANSACTION {
		return nil, Creator{}, fmt.Errorf("%w: header type %d", ErrMalformed, ch.GetType())
	}
	creator, err := decodeCreator(sh.GetCreator())
	if err != nil {
		return nil, Creator{}, err
	}
	if want := txID(sh.GetNonce(), sh.GetCreator()); ch.GetTxId() != want || wrapped != want {
		return nil, Creator{}, fmt.Errorf("%w: transaction ID is not derived from the nonce and creator", ErrMalformed)
	}
	return &ch, creator, nil
}

// invocation decodes a chaincode invocation's arguments, the function
// first.
func invocation(input []byte) ([][]byte, error) {
	var spec peer.ChaincodeInvocationSpec
	if err := unmarshal(input, &spec, "chaincode invocation spec"); err != nil {
		return nil, err
	}
	args := spec.GetChaincodeSpec().GetInput().GetArgs()
	if len(args) == 0 {
		return nil, fmt.Errorf("%w: no function", ErrMalformed)
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
	var id msp.SerializedIdentity
	if err := unmarshal(b, &id, "creator"); err != nil {
		return Creator{}, err
	}
	if id.GetMspid() == "" || len(id.GetIdBytes()) == 0 {
		return Creator{}, fmt.Errorf("%w: incomplete creator", ErrMalformed)
	}
	return Creator{MSPID: id.GetMspid(), CertPEM: id.GetIdBytes()}, nil
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
