package protocol

import (
	"io"
	"math/bits"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// InvoiceRef is an invoice backing an issue: its ID (hex fingerprint) and
// the commitment to its amount, as the ledger holds it.
type InvoiceRef struct {
	ID         string
	Commitment *pedersen.Commitment
}

// IssueStatement is the public side of an issue: the amount is in
// [0, 2^64), at most the invoices' total, and within the credit line
// (outstanding + amount ≤ limit); the regulator can open it.
type IssueStatement struct {
	Currency          string // ISO 4217: the amount's, the invoices' and the line's; "" legacy
	Issuer            string
	Bank              string
	Holder            string
	Invoices          []InvoiceRef
	Limit             uint64
	Outstanding       *group.Element // Σ unsettled root commitments of the credit line
	Maturity          time.Time
	Amount            *pedersen.Commitment
	Handle            *elgamal.Handle
	HolderEnvelope    []byte
	RegulatorEnvelope []byte
	IssuerEnvelope    []byte // the opening sealed to the issuer (PurposeIssuer)
	// BankEnvelope, optional, is the opening sealed to the line's bank
	// (PurposeLineBank). Bound only when present, so an issue without it
	// has the transcript it had before the field existed.
	BankEnvelope []byte
	AuditKey     *elgamal.PublicKey
}

// Transcript binds the context and every public input of the statement.
func (s *IssueStatement) Transcript(ctx Context) *transcript.Transcript {
	t := newTranscript(ctx, KindIssue, s.Currency, s.AuditKey)
	t.AppendString("issuer", s.Issuer)
	t.AppendString("bank", s.Bank)
	t.AppendUint64("limit", s.Limit)
	t.AppendElement("outstanding", s.Outstanding)
	t.AppendUint64("invoices", uint64(len(s.Invoices)))
	for _, inv := range s.Invoices {
		t.AppendString("invoice", inv.ID)
		t.AppendElement("invoice-commitment", inv.Commitment.Element())
	}
	appendTime(t, "maturity", s.Maturity)
	appendOutput(t, s.Holder, s.Amount, s.Handle, s.HolderEnvelope, s.RegulatorEnvelope)
	t.AppendMessage("issuer-envelope", s.IssuerEnvelope)
	if len(s.BankEnvelope) > 0 {
		t.AppendMessage("bank-envelope", s.BankEnvelope)
	}
	return t
}

// RangeCommitments returns the three commitments the issue's range proofs
// cover, computed from the public inputs: the amount C, the invoice
// headroom Σ C_invoice − C, and the credit headroom limit·G − outstanding − C.
func (s *IssueStatement) RangeCommitments() []*pedersen.Commitment {
	total := pedersen.Identity()
	for _, inv := range s.Invoices {
		total.Add(total, inv.Commitment)
	}
	invoiceRoom := pedersen.Identity().Subtract(total, s.Amount)
	limit := pedersen.CommitScalar(group.NewScalar().SetUint64(s.Limit), group.NewScalar())
	creditRoom := pedersen.Identity().Subtract(limit, pedersen.FromElement(s.Outstanding))
	creditRoom.Subtract(creditRoom, s.Amount)
	return []*pedersen.Commitment{s.Amount, invoiceRoom, creditRoom}
}

// Verify checks the request's proofs against the statement, all in one
// batch: the handle proof and the three range proofs.
func (s *IssueStatement) Verify(ctx Context, rangeProofs [][]byte, handleProof []byte) error {
	b := newProofBatch(ctx, s.Transcript(ctx))
	b.addHandle(0, s.AuditKey, s.Amount, s.Handle, handleProof)
	if err := b.addRanges(rangeProofs, s.RangeCommitments()); err != nil {
		return err
	}
	return b.verify()
}

// OpenedInvoice is a confirmed invoice with the opening the buyer decrypted
// from its envelope.
type OpenedInvoice struct {
	ID      string
	Opening pedersen.Opening
}

// IssueInput is what a core enterprise's wallet knows to issue. IssuerKey
// (required) is the core's own encryption key: the amount's opening is
// sealed to it too, so the core's wallet can be rebuilt from the chain.
type IssueInput struct {
	Currency  string // ISO 4217: the invoices' and the credit line's
	Issuer    string
	IssuerKey *envelope.PublicKey
	Bank      string
	// BankKey, when set, is the line's bank's encryption key: the amount's
	// opening is sealed to it too (BankEnvelope), so the bank learns how
	// much of the line it granted is used. Nil issues without the copy.
	BankKey     *envelope.PublicKey
	Holder      Recipient
	Invoices    []OpenedInvoice
	Limit       uint64
	Outstanding pedersen.Opening // opening of the credit line's outstanding sum (0, 0 when none)
	Maturity    time.Time
	Amount      pedersen.Opening
	// HolderEnvelope, when set, goes on the ledger instead of Amount
	// sealed to Holder.Key: as OutputSpec.HolderEnvelope, for tests that
	// play an issuer whose envelope lies.
	HolderEnvelope []byte
	// BankEnvelope, when set, goes on the ledger instead of Amount sealed
	// to BankKey: for tests that play an issuer whose bank copy lies.
	BankEnvelope []byte
}

// BuildIssue produces a complete IssueRequest. It refuses amounts over the
// invoice total or the remaining credit, which could not be proven anyway.
func BuildIssue(ctx Context, in IssueInput, aud Auditor, rand io.Reader) (*model.IssueRequest, error) {
	if in.Amount.Blinding == nil || in.Outstanding.Blinding == nil {
		return nil, invalidArg("builder: missing blinding")
	}
	if in.IssuerKey == nil {
		return nil, invalidArg("builder: missing issuer key")
	}
	var total uint64
	totalBlinding := group.NewScalar()
	refs := make([]InvoiceRef, len(in.Invoices))
	ids := make([]string, len(in.Invoices))
	for i, inv := range in.Invoices {
		if inv.Opening.Blinding == nil {
			return nil, invalidArg("builder: invoice %s: missing blinding", inv.ID)
		}
		var carry uint64
		if total, carry = bits.Add64(total, inv.Opening.Value, 0); carry != 0 {
			return nil, invalidArg("builder: invoice total exceeds 2^64")
		}
		totalBlinding.Add(totalBlinding, inv.Opening.Blinding)
		refs[i] = InvoiceRef{ID: inv.ID, Commitment: inv.Opening.Commitment()}
		ids[i] = inv.ID
	}
	if in.Amount.Value > total {
		return nil, invalidArg("builder: amount exceeds the invoice total")
	}
	if in.Outstanding.Value > in.Limit || in.Amount.Value > in.Limit-in.Outstanding.Value {
		return nil, invalidArg("builder: amount exceeds the remaining credit line")
	}
	out, err := sealOutput(in.Amount, in.Holder.Key, PurposeHolder, aud, rand)
	if err != nil {
		return nil, err
	}
	if in.HolderEnvelope != nil {
		out.holderEnv = in.HolderEnvelope
	}
	issuerEnv, err := envelope.Seal(in.IssuerKey, in.Amount, OutputBinding(out.commitment, PurposeIssuer), rand)
	if err != nil {
		return nil, err
	}
	var bankEnv []byte
	switch {
	case in.BankEnvelope != nil:
		bankEnv = in.BankEnvelope
	case in.BankKey != nil:
		if bankEnv, err = envelope.Seal(in.BankKey, in.Amount, OutputBinding(out.commitment, PurposeLineBank), rand); err != nil {
			return nil, err
		}
	}
	s := &IssueStatement{
		Currency: in.Currency, Issuer: in.Issuer, Bank: in.Bank, Holder: in.Holder.ID, Invoices: refs, Limit: in.Limit,
		Outstanding: in.Outstanding.Commitment().Element(), Maturity: in.Maturity,
		Amount: out.commitment, Handle: out.handle, HolderEnvelope: out.holderEnv, RegulatorEnvelope: out.regEnv,
		IssuerEnvelope: issuerEnv, BankEnvelope: bankEnv, AuditKey: aud.AuditKey,
	}
	base := s.Transcript(ctx)
	r := in.Amount.Blinding
	openings := []pedersen.Opening{
		in.Amount,
		{Value: total - in.Amount.Value, Blinding: group.NewScalar().Subtract(totalBlinding, r)},
		{Value: in.Limit - in.Outstanding.Value - in.Amount.Value,
			Blinding: group.NewScalar().Negate(group.NewScalar().Add(in.Outstanding.Blinding, r))},
	}
	rp, err := proveRanges(base, openings, rand)
	if err != nil {
		return nil, err
	}
	hp, err := proveHandle(base, 0, aud.AuditKey, in.Amount, rand)
	if err != nil {
		return nil, err
	}
	return &model.IssueRequest{
		Holder: in.Holder.ID, Bank: in.Bank, Currency: in.Currency, Invoices: ids, Maturity: in.Maturity,
		Commitment: out.commitment.Bytes(), Handle: out.handle.Bytes(),
		HolderEnvelope: out.holderEnv, RegulatorEnvelope: out.regEnv, IssuerEnvelope: issuerEnv,
		BankEnvelope: bankEnv, RangeProofs: rp, HandleProof: hp,
	}, nil
}
