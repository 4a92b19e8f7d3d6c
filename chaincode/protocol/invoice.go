package protocol

import (
	"io"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// InvoiceStatement is the public side of an invoice registration: the
// commitment to its amount is in [0, 2^64) and the regulator can open it.
type InvoiceStatement struct {
	Currency          string // ISO 4217 code of the amount; "" legacy
	Supplier          string
	Buyer             string
	Fingerprint       []byte
	DocumentHash      []byte
	DueDate           time.Time
	Commitment        *pedersen.Commitment
	Handle            *elgamal.Handle
	BuyerEnvelope     []byte
	RegulatorEnvelope []byte
	FilingEnvelope    []byte   // the seller's filing sealed to the buyer; may be empty
	Aliases           [][]byte // fingerprints of the invoice's other canonical keys
	AuditKey          *elgamal.PublicKey
}

// Transcript binds the context and every public input of the statement.
func (s *InvoiceStatement) Transcript(ctx Context) *transcript.Transcript {
	t := newTranscript(ctx, KindRegisterInvoice, s.Currency, s.AuditKey)
	t.AppendString("supplier", s.Supplier)
	t.AppendString("buyer", s.Buyer)
	t.AppendMessage("fingerprint", s.Fingerprint)
	t.AppendMessage("document-hash", s.DocumentHash)
	appendTime(t, "due-date", s.DueDate)
	appendOutput(t, s.Buyer, s.Commitment, s.Handle, s.BuyerEnvelope, s.RegulatorEnvelope)
	t.AppendMessage("filing-envelope", s.FilingEnvelope)
	t.AppendUint64("aliases", uint64(len(s.Aliases)))
	for _, a := range s.Aliases {
		t.AppendMessage("alias", a)
	}
	return t
}

// Verify checks the request's proofs against the statement, in one
// batch: the handle proof and the range proof.
func (s *InvoiceStatement) Verify(ctx Context, rangeProof, handleProof []byte) error {
	b := newProofBatch(ctx, s.Transcript(ctx))
	b.addHandle(0, s.AuditKey, s.Commitment, s.Handle, handleProof)
	if err := b.addRanges([][]byte{rangeProof}, []*pedersen.Commitment{s.Commitment}); err != nil {
		return err
	}
	return b.verify()
}

// InvoiceInput is what a supplier's wallet knows to register an invoice.
type InvoiceInput struct {
	Currency     string // ISO 4217 code of the amount (required by the chaincode)
	Supplier     string
	Buyer        Recipient
	Fingerprint  []byte
	DocumentHash []byte
	DueDate      time.Time
	Amount       pedersen.Opening
	// FilingEnvelope is the seller's filing, already sealed to the buyer
	// (services/invoice.SealFiling); nil for none.
	FilingEnvelope []byte
	// Aliases are the fingerprints of the invoice's other canonical keys.
	Aliases [][]byte
}

// BuildInvoice produces a complete RegisterInvoiceRequest.
func BuildInvoice(ctx Context, in InvoiceInput, aud Auditor, rand io.Reader) (*model.RegisterInvoiceRequest, error) {
	out, err := sealOutput(in.Amount, in.Buyer.Key, PurposeBuyer, aud, rand)
	if err != nil {
		return nil, err
	}
	s := &InvoiceStatement{
		Currency: in.Currency, Supplier: in.Supplier, Buyer: in.Buyer.ID, Fingerprint: in.Fingerprint, DocumentHash: in.DocumentHash,
		DueDate: in.DueDate, Commitment: out.commitment, Handle: out.handle,
		BuyerEnvelope: out.holderEnv, RegulatorEnvelope: out.regEnv, FilingEnvelope: in.FilingEnvelope, Aliases: in.Aliases, AuditKey: aud.AuditKey,
	}
	base := s.Transcript(ctx)
	rp, err := proveRanges(base, []pedersen.Opening{in.Amount}, rand)
	if err != nil {
		return nil, err
	}
	hp, err := proveHandle(base, 0, aud.AuditKey, in.Amount, rand)
	if err != nil {
		return nil, err
	}
	return &model.RegisterInvoiceRequest{
		Fingerprint: in.Fingerprint, Buyer: in.Buyer.ID, DocumentHash: in.DocumentHash, DueDate: in.DueDate, Currency: in.Currency,
		Commitment: out.commitment.Bytes(), Handle: out.handle.Bytes(), RangeProof: rp[0], HandleProof: hp,
		BuyerEnvelope: out.holderEnv, RegulatorEnvelope: out.regEnv, FilingEnvelope: in.FilingEnvelope, Aliases: in.Aliases,
	}, nil
}

// BuildFinance produces a FinanceRequest: the token's opening sealed to the
// bank, bound to the token ID (known here: the token exists).
func BuildFinance(token string, c *pedersen.Commitment, o pedersen.Opening, bank Recipient, rand io.Reader) (*model.FinanceRequest, error) {
	if bank.Key == nil {
		return nil, invalidArg("builder: missing bank key")
	}
	env, err := envelope.Seal(bank.Key, o, envelope.Binding{Commitment: c, TokenID: token, Purpose: PurposeBank}, rand)
	if err != nil {
		return nil, err
	}
	return &model.FinanceRequest{Token: token, Bank: bank.ID, BankEnvelope: env}, nil
}
