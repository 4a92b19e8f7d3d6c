package wallet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// Builders turn stored openings and ledger facts into complete, validated
// model requests, ready to submit. They read the ledger to check what they
// rely on (a token is the holder's, ACTIVE and has the stored commitment;
// an invoice is CONFIRMED; a credit line's limit and outstanding), so a
// stale wallet fails here with a typed error rather than at endorsement
// with INVALID_PROOF. Recipients and the auditor come from Directory.

// InvoiceSpec is a supplier's invoice registration.
type InvoiceSpec struct {
	Supplier     string
	Currency     string             // ISO 4217 code of Amount
	Buyer        protocol.Recipient // the core enterprise owing the invoice
	Auditor      protocol.Auditor
	Amount       uint64 // minor units; secret
	Fingerprint  []byte // the OPRF fingerprint (64 bytes)
	DocumentHash []byte // SHA-256 of the document as uploaded
	DueDate      time.Time
	// FilingEnvelope is the invoice as filed, sealed to the buyer by the
	// invoice service; carried to the ledger as it is.
	FilingEnvelope []byte
	Aliases        [][]byte // fingerprints of the invoice's other canonical keys
}

// String leaves the amount out.
func (s InvoiceSpec) String() string {
	return fmt.Sprintf("wallet.InvoiceSpec{%s → %s amount=REDACTED}", s.Supplier, s.Buyer.ID)
}

// GoString is String, for %#v.
func (s InvoiceSpec) GoString() string { return s.String() }

// LogValue leaves the amount out.
func (s InvoiceSpec) LogValue() slog.Value {
	return slog.GroupValue(slog.String("supplier", s.Supplier), slog.String("buyer", s.Buyer.ID))
}

// BuildInvoice returns a RegisterInvoiceRequest: the amount committed,
// proven in range, its audit handle, and its opening sealed to the buyer
// and the regulator. The supplier needs no key of its own for it.
func (w *Wallet) BuildInvoice(ctx context.Context, s InvoiceSpec) (*model.RegisterInvoiceRequest, error) {
	if err := validEnterprise(s.Supplier); err != nil {
		return nil, err
	}
	if s.Amount == 0 {
		return nil, ErrInvalidArgument.With("invoice amount must be positive")
	}
	o, err := pedersen.NewOpening(s.Amount, w.random)
	if err != nil {
		return nil, err
	}
	req, err := protocol.BuildInvoice(w.cfg.Context, protocol.InvoiceInput{
		Currency: s.Currency, Supplier: s.Supplier, Buyer: s.Buyer, Fingerprint: s.Fingerprint, DocumentHash: s.DocumentHash,
		DueDate: s.DueDate, Amount: o, FilingEnvelope: s.FilingEnvelope, Aliases: s.Aliases,
	}, s.Auditor, w.random)
	if err != nil {
		return nil, err
	}
	return req, req.Validate()
}

// IssueSpec is a core's issue of a receivable.
type IssueSpec struct {
	Core     string
	Bank     string   // whose credit line backs it
	Currency string   // ISO 4217: the invoices' and the line's ("" legacy)
	Invoices []string // confirmed invoices owed by the core (hex fingerprints)
	Amount   uint64   // minor units; secret
	Holder   protocol.Recipient
	Auditor  protocol.Auditor
	Maturity time.Time
	// Numbers, optional, are the invoices' numbers as their seller filed
	// them: sealed to the holder (IssueRequest.Refs), they travel with the
	// receivable's pieces to the bank that finances one.
	Numbers []protocol.InvoiceNumber
}

// String leaves the amount out.
func (s IssueSpec) String() string {
	return fmt.Sprintf("wallet.IssueSpec{%s/%s → %s amount=REDACTED}", s.Core, s.Bank, s.Holder.ID)
}

// GoString is String, for %#v.
func (s IssueSpec) GoString() string { return s.String() }

// LogValue leaves the amount out.
func (s IssueSpec) LogValue() slog.Value {
	return slog.GroupValue(slog.String("core", s.Core), slog.String("bank", s.Bank), slog.String("holder", s.Holder.ID))
}

// BuildIssue returns an IssueRequest: the invoices' openings from the
// wallet (checked against the ledger's invoices, which must be
// CONFIRMED), the credit line's limit from the ledger and its outstanding
// opening (OutstandingOpening), the amount sealed to the holder, the
// regulator, the core itself and the line's bank (its key from the
// ledger: the bank sees how much of its line is used). It syncs the core once when an invoice's
// opening is missing. Amounts over the invoice total or the remaining
// credit are ErrInsufficientValue.
func (w *Wallet) BuildIssue(ctx context.Context, l Ledger, s IssueSpec) (*model.IssueRequest, error) {
	self, err := w.PublicKey(ctx, s.Core)
	if err != nil {
		return nil, err
	}
	if s.Amount == 0 || len(s.Invoices) == 0 {
		return nil, ErrInvalidArgument.With("an issue needs a positive amount and invoices")
	}
	invoices, err := w.issueInvoices(ctx, l, s.Core, s.Currency, s.Invoices)
	if errors.Is(err, ErrNotFound) {
		if _, err := w.Sync(ctx, s.Core, l); err != nil {
			return nil, err
		}
		invoices, err = w.issueInvoices(ctx, l, s.Core, s.Currency, s.Invoices)
	}
	if err != nil {
		return nil, err
	}
	var total, carry uint64
	for _, inv := range invoices {
		if total, carry = bits.Add64(total, inv.Opening.Value, 0); carry != 0 {
			return nil, ErrInvalidArgument.With("invoice total exceeds 2^64")
		}
	}
	if s.Amount > total {
		return nil, ErrInsufficientValue.With("amount exceeds the invoice total")
	}
	outstanding, line, err := w.OutstandingOpening(ctx, s.Core, s.Bank, s.Currency, l)
	if err != nil {
		return nil, err
	}
	if outstanding.Value > line.Limit || s.Amount > line.Limit-outstanding.Value {
		return nil, ErrInsufficientValue.With("amount exceeds the remaining credit line")
	}
	bank, err := Directory{Ledger: l, Contract: w.cfg.Contract}.Recipient(ctx, s.Bank)
	if err != nil {
		return nil, err
	}
	amount, err := pedersen.NewOpening(s.Amount, w.random)
	if err != nil {
		return nil, err
	}
	req, err := protocol.BuildIssue(w.cfg.Context, protocol.IssueInput{
		Currency: s.Currency, Issuer: s.Core, IssuerKey: self, Bank: s.Bank, BankKey: bank.Key, Holder: s.Holder, Invoices: invoices, Limit: line.Limit,
		Outstanding: outstanding, Maturity: s.Maturity, Amount: amount,
	}, s.Auditor, w.random)
	if err != nil {
		return nil, err
	}
	if len(s.Numbers) > 0 {
		if req.Refs, err = protocol.SealInvoiceRefs(s.Holder, amount.Commitment(), s.Numbers, w.random); err != nil {
			return nil, ErrInvalidArgument.With(err.Error())
		}
	}
	return req, req.Validate()
}

// issueInvoices loads the stored openings of the invoices and checks each
// against the ledger.
func (w *Wallet) issueInvoices(ctx context.Context, l Ledger, core, currency string, ids []string) ([]protocol.OpenedInvoice, error) {
	out := make([]protocol.OpenedInvoice, len(ids))
	for i, id := range ids {
		r, err := w.record(ctx, core, kindInvoice, id)
		if err != nil {
			return nil, err
		}
		o, err := w.openRecord(core, r)
		if err != nil {
			return nil, err
		}
		inv, err := evaluate[model.Invoice](ctx, l, w.cfg.Contract, "GetInvoice", id)
		if err != nil {
			return nil, err
		}
		switch {
		case inv.Buyer != core:
			return nil, ErrInvalidArgument.With("invoice " + id + " is not owed by " + core)
		case inv.Status != model.InvoiceConfirmed:
			return nil, ErrNotSpendable.With("invoice " + id + " is " + string(inv.Status) + ", not CONFIRMED")
		case !bytes.Equal(inv.Commitment, r.commitment):
			return nil, ErrCommitmentMismatch.With("invoice " + id)
		case inv.Currency != currency:
			return nil, ErrCurrencyMismatch.With("invoice " + id + " is in " + model.CurrencyName(inv.Currency) + ", the issue in " + model.CurrencyName(currency))
		}
		out[i] = protocol.OpenedInvoice{ID: id, Opening: o}
	}
	return out, nil
}

// Payment is one output of a spend: who receives how much. The amount is
// secret: String and LogValue leave it out.
type Payment struct {
	To     protocol.Recipient
	Amount uint64
}

// String leaves the amount out.
func (p Payment) String() string { return "wallet.Payment{to " + p.To.ID + " amount=REDACTED}" }

// GoString is String, for %#v.
func (p Payment) GoString() string { return p.String() }

// LogValue leaves the amount out.
func (p Payment) LogValue() slog.Value { return slog.GroupValue(slog.String("to", p.To.ID)) }

// SpendSpec spends tokens of one holder. One input with one output (and no
// change) is a transfer, one input with more outputs a split, several
// inputs of one root with one output a merge (SelectTokens picks them).
// Whatever the outputs leave of the inputs goes back to the holder as
// change.
type SpendSpec struct {
	Holder  string
	Inputs  []string // token IDs
	Outputs []Payment
	Auditor protocol.Auditor
}

// Spend is a built split, merge or transfer: submit Request to the
// chaincode function Function ("Split", "Merge" or "Transfer").
type Spend struct {
	Kind     string // protocol.KindSplit, KindMerge or KindTransfer
	Function string
	Request  *model.SplitRequest

	spender string
	inputs  []model.Token // as the ledger held them when the spend was built
}

// Wire is the request in the compact encoding (protocol.EncodeSplitRequest,
// docs/chaincode.md "Compact split and issue requests"): about a third
// smaller than its JSON, and the chaincode answers it with the new token
// IDs only. Committed turns those back into the tokens.
func (s *Spend) Wire() ([]byte, error) {
	return protocol.EncodeSplitRequest(s.Request)
}

// Committed returns the tokens the chaincode wrote for the spend's
// outputs when it committed as transaction txID at timestamp at (the
// transaction's, fabricclient.Result.Timestamp), given the chaincode's
// result for the compact request: a JSON array of the new token IDs. Each
// token is built by protocol.SpendOutputs, the function the chaincode
// builds them with, from the request and the inputs as the builder read
// them from the ledger:
// ID, root, parents, tier, issuer, bank, currency, maturity, holder,
// commitment, handle, envelopes, references, ACTIVE, created and updated
// at the transaction's time, its transaction ID. A result that is not
// those IDs in order, or a zero time, is ErrUnexpectedResult: the caller
// reads the ledger instead.
func (s *Spend) Committed(result []byte, txID string, at time.Time) ([]model.Token, error) {
	var ids []string
	if err := json.Unmarshal(result, &ids); err != nil {
		return nil, ErrUnexpectedResult.With("not a list of token IDs")
	}
	if len(ids) != len(s.Request.Outputs) || len(s.inputs) == 0 {
		return nil, ErrUnexpectedResult.With(fmt.Sprintf("%d token IDs for %d outputs", len(ids), len(s.Request.Outputs)))
	}
	if at.IsZero() {
		return nil, ErrUnexpectedResult.With("no transaction time")
	}
	tier := 0
	for _, t := range s.inputs {
		tier = max(tier, t.Tier)
	}
	out := protocol.SpendOutputs(&s.inputs[0], tier, s.spender, s.Request, txID, at.UTC())
	for i := range out {
		if ids[i] != out[i].ID {
			return nil, ErrUnexpectedResult.With(fmt.Sprintf("output %d is %q, not the transaction's", i, ids[i]))
		}
	}
	return out, nil
}

var spendFunctions = map[string]string{protocol.KindSplit: "Split", protocol.KindMerge: "Merge", protocol.KindTransfer: "Transfer"}

// SpendFunctions are the chaincode functions a Spend submits, the split's
// first.
func SpendFunctions() []string { return []string{"Split", "Merge", "Transfer"} }

// SpendKind is the kind of spend the chaincode function commits
// (protocol.KindSplit for "Split"), or "" for a function that spends
// nothing: read back from a committed transaction.
func SpendKind(function string) string {
	for kind, fn := range spendFunctions {
		if fn == function {
			return kind
		}
	}
	return ""
}

// SpendAmounts is what a spend of s splits into, in the order of its
// outputs on the ledger: each payment's amount, then the change (the
// inputs' value less the payments) when there is some. It reads the
// wallet's openings of the inputs only, so it answers after the spend
// too, its inputs spent (the spender knows every output, including those
// sealed to others).
func (w *Wallet) SpendAmounts(ctx context.Context, s SpendSpec) ([]uint64, error) {
	var in, carry uint64
	for _, id := range s.Inputs {
		o, err := w.TokenOpening(ctx, s.Holder, id)
		if err != nil {
			return nil, err
		}
		if in, carry = bits.Add64(in, o.Value, 0); carry != 0 {
			return nil, ErrInvalidArgument.With("inputs exceed 2^64")
		}
	}
	change, err := changeOf(in, s.Outputs)
	if err != nil {
		return nil, err
	}
	amounts := make([]uint64, 0, len(s.Outputs)+1)
	for _, p := range s.Outputs {
		amounts = append(amounts, p.Amount)
	}
	if change > 0 {
		amounts = append(amounts, change)
	}
	return amounts, nil
}

// changeOf is what the payments leave of the inputs' value in: the
// change, 0 for none. A payment of nothing or to no key is
// ErrInvalidArgument; payments over in (or over 2^64) are
// ErrInsufficientValue.
func changeOf(in uint64, ps []Payment) (uint64, error) {
	var paid, carry uint64
	for _, p := range ps {
		if p.Amount == 0 || p.To.Key == nil {
			return 0, ErrInvalidArgument.With("every output needs a positive amount and a recipient key")
		}
		if paid, carry = bits.Add64(paid, p.Amount, 0); carry != 0 {
			return 0, ErrInsufficientValue.With("outputs exceed 2^64")
		}
	}
	if paid > in {
		return 0, ErrInsufficientValue.With("outputs exceed the inputs' value")
	}
	return in - paid, nil
}

// BuildSpend returns a split, merge or transfer of the holder's tokens.
// Each input must be held by the holder, ACTIVE on the ledger with the
// commitment the wallet holds the opening of, all of one root. Outputs
// over the inputs' value are ErrInsufficientValue; a merge with more than
// one output (change included) is ErrInvalidArgument: merge first.
func (w *Wallet) BuildSpend(ctx context.Context, l Ledger, s SpendSpec) (*Spend, error) {
	self, err := w.PublicKey(ctx, s.Holder)
	if err != nil {
		return nil, err
	}
	if len(s.Inputs) == 0 || len(s.Inputs) > model.MaxInputs || len(s.Outputs) == 0 {
		return nil, ErrInvalidArgument.With(fmt.Sprintf("a spend has 1 to %d inputs and at least one output", model.MaxInputs))
	}
	inputs := make([]protocol.OpenedToken, len(s.Inputs))
	onLedger := make([]model.Token, len(s.Inputs))
	var root string
	var sumIn, carry uint64
	for i, id := range s.Inputs {
		t, o, err := w.spendable(ctx, l, s.Holder, id)
		if err != nil {
			return nil, err
		}
		if i > 0 && t.Currency != inputs[0].Currency {
			return nil, ErrCurrencyMismatch.With("token " + id + " is in " + model.CurrencyName(t.Currency) + ", token " + inputs[0].ID + " in " + model.CurrencyName(inputs[0].Currency))
		}
		if i > 0 && t.Root != root {
			return nil, ErrInvalidArgument.With("inputs belong to different receivables")
		}
		for _, prev := range s.Inputs[:i] {
			if prev == id {
				return nil, ErrInvalidArgument.With("token " + id + " is an input twice")
			}
		}
		root = t.Root
		if sumIn, carry = bits.Add64(sumIn, o.Value, 0); carry != 0 {
			return nil, ErrInvalidArgument.With("inputs exceed 2^64")
		}
		inputs[i] = protocol.OpenedToken{ID: id, Currency: t.Currency, Opening: o}
		onLedger[i] = t.Token
	}
	change, err := changeOf(sumIn, s.Outputs)
	if err != nil {
		return nil, err
	}
	outs := s.Outputs
	if change > 0 {
		outs = append(outs[:len(outs):len(outs)], Payment{To: protocol.Recipient{ID: s.Holder, Key: self}, Amount: change})
	}
	kind := protocol.KindSplit
	switch {
	case len(inputs) > 1 && len(outs) == 1:
		kind = protocol.KindMerge
	case len(inputs) > 1:
		return nil, ErrInvalidArgument.With("a merge has exactly one output and no change: merge first, then split")
	case len(outs) == 1:
		kind = protocol.KindTransfer
	case len(outs) > model.MaxOutputs:
		return nil, ErrInvalidArgument.With(fmt.Sprintf("at most %d outputs, change included", model.MaxOutputs))
	}
	specs := make([]protocol.OutputSpec, len(outs))
	for i, p := range outs {
		o, err := pedersen.NewOpening(p.Amount, w.random)
		if err != nil {
			return nil, err
		}
		specs[i] = protocol.OutputSpec{Holder: p.To, Opening: o}
	}
	req, err := protocol.BuildSplit(w.cfg.Context, protocol.SplitInput{Kind: kind, Spender: s.Holder, Inputs: inputs, Outputs: specs}, s.Auditor, w.random)
	if err != nil {
		return nil, err
	}
	// Each output to another holder carries the receivable's invoice
	// numbers, when the wallet holds them; change stays with the spender,
	// who keeps them per root.
	for i, p := range outs {
		if p.To.ID == s.Holder {
			continue
		}
		if req.Outputs[i].Refs, err = w.sealRefsTo(ctx, s.Holder, root, p.To, req.Outputs[i].Commitment); err != nil {
			return nil, err
		}
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return &Spend{Kind: kind, Function: spendFunctions[kind], Request: req, spender: s.Holder, inputs: onLedger}, nil
}

// BuildFinance returns a FinanceRequest: the token's opening sealed to the
// bank, bound to the token, with the receivable's invoice numbers when the
// wallet holds them.
func (w *Wallet) BuildFinance(ctx context.Context, l Ledger, holder, tokenID string, bank protocol.Recipient) (*model.FinanceRequest, error) {
	t, o, err := w.spendable(ctx, l, holder, tokenID)
	if err != nil {
		return nil, err
	}
	c, err := pedersen.DecodeCommitment(t.Commitment)
	if err != nil {
		return nil, ErrCommitmentMismatch.With("token " + tokenID)
	}
	req, err := protocol.BuildFinance(tokenID, c, o, bank, w.random)
	if err != nil {
		return nil, err
	}
	if req.Refs, err = w.sealRefsTo(ctx, holder, t.Root, bank, t.Commitment); err != nil {
		return nil, err
	}
	return req, req.Validate()
}

// spendable loads the holder's opening of a token and checks the token on
// the ledger: held by the holder, ACTIVE (not overdue), with the stored
// commitment.
func (w *Wallet) spendable(ctx context.Context, l Ledger, holder, id string) (*model.TokenView, pedersen.Opening, error) {
	if err := model.ValidateID("token", id); err != nil {
		return nil, pedersen.Opening{}, ErrInvalidArgument.With("token ID")
	}
	r, err := w.record(ctx, holder, kindToken, id)
	if err != nil {
		return nil, pedersen.Opening{}, err
	}
	o, err := w.openRecord(holder, r)
	if err != nil {
		return nil, pedersen.Opening{}, err
	}
	t, err := evaluate[model.TokenView](ctx, l, w.cfg.Contract, "GetToken", id)
	if err != nil {
		return nil, pedersen.Opening{}, err
	}
	switch {
	case t.Holder != holder:
		return nil, pedersen.Opening{}, ErrNotSpendable.With("token " + id + " is not held by " + holder)
	case t.Status != model.TokenActive:
		return nil, pedersen.Opening{}, ErrNotSpendable.With("token " + id + " is " + string(t.Status))
	case !bytes.Equal(t.Commitment, r.commitment):
		return nil, pedersen.Opening{}, ErrCommitmentMismatch.With("token " + id)
	}
	return t, o, nil
}
