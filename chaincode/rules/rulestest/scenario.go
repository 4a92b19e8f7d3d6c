package rulestest

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// Fixture amounts and dates.
const (
	LimitA      = 10_000 // BankA's credit line for the core
	LimitB      = 500    // BankB's
	RootAmount  = 1_000  // the issued receivable, backed by Invoices[0] and [1]
	SpareAmount = 2_000  // Invoices[2]: confirmed, not used
)

// Currency is the fixture's currency: its invoices, BankA's and BankB's
// lines and the receivable are in it.
const Currency = "CNY"

// Maturity is the fixture receivable's maturity.
var Maturity = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// Scenario is a World in which the core has issued one receivable (Root,
// RootAmount) to S1 against BankA's line, backed by two invoices, with a
// third confirmed invoice to spare.
type Scenario struct {
	*World
	Invoices    []protocol.OpenedInvoice // 600 and 400 (used by Root), SpareAmount (confirmed)
	PreIssue    *Memory                  // the state just before the issue
	IssueTxID   string
	IssueReq    *model.IssueRequest
	Root        string
	RootOpening pedersen.Opening
	Outstanding pedersen.Opening // of BankA's line after the issue
}

// Opening returns a fresh opening of v (panics on failure: fixture code).
func Opening(v uint64) pedersen.Opening {
	o, err := pedersen.NewOpening(v, nil)
	if err != nil {
		panic(err)
	}
	return o
}

// ZeroOpening opens the identity: an empty outstanding sum.
func ZeroOpening() pedersen.Opening { return pedersen.Opening{Value: 0, Blinding: group.NewScalar()} }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Fingerprint is a fixture fingerprint derived from a label.
func Fingerprint(label string) []byte {
	h := sha512.Sum512([]byte("fixture invoice " + label))
	return h[:]
}

// InvoiceRequest builds a registration of amount by supplier to the core.
func (w *World) InvoiceRequest(supplier *Party, label string, o pedersen.Opening) *model.RegisterInvoiceRequest {
	doc := sha256.Sum256([]byte(label))
	return must(protocol.BuildInvoice(w.Ctx(), protocol.InvoiceInput{
		Supplier: supplier.ID, Buyer: w.Core.Recipient(), Fingerprint: Fingerprint(label), DocumentHash: doc[:],
		DueDate: Maturity, Amount: o, Currency: Currency,
	}, w.Auditor(), nil))
}

// ConfirmedInvoice registers an invoice of supplier and has the core
// confirm it.
func (w *World) ConfirmedInvoice(supplier *Party, label string, v uint64) protocol.OpenedInvoice {
	o := Opening(v)
	inv := must(w.Rules.RegisterInvoice(w.As(supplier), w.InvoiceRequest(supplier, label, o)))
	must(w.Rules.ConfirmInvoice(w.As(w.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint}))
	return protocol.OpenedInvoice{ID: inv.ID, Opening: o}
}

// InvoiceID is the ledger ID of a fixture invoice label.
func InvoiceID(label string) string { return hex.EncodeToString(Fingerprint(label)) }

// NewScenario builds the scenario (a few hundred milliseconds of proving).
func NewScenario() *Scenario {
	s := &Scenario{World: NewWorld()}
	w := s.World
	s.Invoices = []protocol.OpenedInvoice{
		w.ConfirmedInvoice(w.S1, "INV-1", 600),
		w.ConfirmedInvoice(w.S1, "INV-2", 400),
		w.ConfirmedInvoice(w.S1, "INV-3", SpareAmount),
	}
	expiry := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	must(w.Rules.GrantCreditLine(w.As(w.BankA), &model.GrantCreditLineRequest{Core: w.Core.ID, Currency: Currency, Limit: LimitA, Expiry: expiry}))
	must(w.Rules.GrantCreditLine(w.As(w.BankB), &model.GrantCreditLineRequest{Core: w.Core.ID, Currency: Currency, Limit: LimitB, Expiry: expiry}))

	s.RootOpening = Opening(RootAmount)
	s.IssueReq = w.IssueRequest(ZeroOpening(), s.Invoices[:2], s.RootOpening)
	s.PreIssue = w.State.Clone()
	s.IssueTxID = w.NextTxID()
	root, err := w.Rules.Issue(w.As(w.Core), s.IssueReq)
	if err != nil {
		panic(fmt.Sprintf("issue: %v", err))
	}
	s.Root = root.ID
	s.Outstanding = s.RootOpening
	return s
}

// IssueRequest builds the core's issue of amount to S1, backed by
// invoices, against BankA's line (LimitA) whose outstanding sum opens to
// outstanding.
func (w *World) IssueRequest(outstanding pedersen.Opening, invoices []protocol.OpenedInvoice, amount pedersen.Opening) *model.IssueRequest {
	return must(protocol.BuildIssue(w.Ctx(), protocol.IssueInput{
		Issuer: w.Core.ID, IssuerKey: w.Core.Key.Public(), Bank: w.BankA.ID, Holder: w.S1.Recipient(), Invoices: invoices,
		Limit: LimitA, Outstanding: outstanding, Maturity: Maturity, Amount: amount, Currency: Currency,
	}, w.Auditor(), nil))
}

// Clone returns an independent copy of the scenario.
func (s *Scenario) Clone() *Scenario {
	c := *s
	c.World = s.World.Clone()
	return &c
}

// SplitRequest builds a spend by the holder of inputs into outputs.
func (s *Scenario) SplitRequest(kind string, spender *Party, inputs []protocol.OpenedToken, outputs ...protocol.OutputSpec) *model.SplitRequest {
	return must(protocol.BuildSplit(s.Ctx(), protocol.SplitInput{Kind: kind, Spender: spender.ID, Inputs: inputs, Outputs: outputs}, s.Auditor(), nil))
}

// Token is a fixture token's opening as its holder's wallet knows it: in
// the fixture's currency.
func Token(id string, o pedersen.Opening) protocol.OpenedToken {
	return protocol.OpenedToken{ID: id, Currency: Currency, Opening: o}
}

// To is an output of v to p.
func To(p *Party, o pedersen.Opening) protocol.OutputSpec {
	return protocol.OutputSpec{Holder: p.Recipient(), Opening: o}
}
