package rules_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// Every test here runs a transaction that must be refused with a given
// code, and checks (expectRefused) that the state is byte-for-byte what
// it was and that no event was set.

var (
	splitOnce sync.Once
	splitReq  *model.SplitRequest // Root → S2 300, S1 700: valid on a fresh scenario
)

// validSplit returns a copy of a valid split of the scenario's root.
func validSplit(t *testing.T, s *rulestest.Scenario) *model.SplitRequest {
	t.Helper()
	splitOnce.Do(func() {
		splitReq = s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening),
			rulestest.To(s.S2, rulestest.Opening(300)), rulestest.To(s.S1, rulestest.Opening(700)))
	})
	c := *splitReq
	c.Inputs = append([]string(nil), splitReq.Inputs...)
	c.Outputs = append([]model.Output(nil), splitReq.Outputs...)
	for i := range c.Outputs {
		o := &c.Outputs[i]
		o.Commitment, o.Handle, o.HandleProof, o.RangeProof = bytes.Clone(o.Commitment), bytes.Clone(o.Handle), bytes.Clone(o.HandleProof), bytes.Clone(o.RangeProof)
		o.HolderEnvelope, o.RegulatorEnvelope = bytes.Clone(o.HolderEnvelope), bytes.Clone(o.RegulatorEnvelope)
	}
	c.BalanceProof = bytes.Clone(c.BalanceProof)
	return &c
}

func TestUnauthorizedCallers(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	split := validSplit(t, s)
	inv := s.InvoiceRequest(s.S2, "INV-U", rulestest.Opening(9))
	grant := &model.GrantCreditLineRequest{Core: s.Core.ID, Currency: rulestest.Currency, Limit: 1, Expiry: rulestest.Maturity}
	for _, tc := range []struct {
		name string
		who  rules.Identity
		run  func(rules.State) error
		want *model.Error // UNAUTHORIZED for the unregistered, FORBIDDEN for the registered
	}{
		{"unregistered splits", s.Stranger, func(st rules.State) error { _, err := r.Split(st, split); return err }, model.ErrUnauthorized},
		{"unregistered registers an invoice", s.Stranger, func(st rules.State) error { _, err := r.RegisterInvoice(st, inv); return err }, model.ErrUnauthorized},
		{"unregistered queries", s.Stranger, func(st rules.State) error { _, err := r.GetToken(st, s.Root); return err }, model.ErrUnauthorized},
		{"unregistered admin registers after bootstrap", s.Admin, func(st rules.State) error {
			_, err := r.RegisterEnterprise(st, s.RegistrationOf(s.S2))
			return err
		}, model.ErrUnauthorized},
		{"holder of another token splits the root", s.S2.Identity, func(st rules.State) error { _, err := r.Split(st, split); return err }, model.ErrForbidden},
		{"bank issues", s.BankA.Identity, func(st rules.State) error { _, err := r.Issue(st, s.IssueReq); return err }, model.ErrForbidden},
		{"supplier grants a credit line", s.S1.Identity, func(st rules.State) error { _, err := r.GrantCreditLine(st, grant); return err }, model.ErrForbidden},
		{"core splits", s.Core.Identity, func(st rules.State) error { _, err := r.Split(st, split); return err }, model.ErrForbidden},
		{"supplier freezes", s.S1.Identity, func(st rules.State) error {
			_, err := r.Freeze(st, &model.TokenActionRequest{Token: s.Root, Reason: "x"})
			return err
		}, model.ErrForbidden},
		{"supplier suspends", s.S1.Identity, func(st rules.State) error { _, err := r.SuspendEnterprise(st, s.S2.ID); return err }, model.ErrForbidden},
		{"bank confirms an invoice", s.BankA.Identity, func(st rules.State) error {
			_, err := r.ConfirmInvoice(st, &model.InvoiceActionRequest{Invoice: s.Invoices[2].ID})
			return err
		}, model.ErrForbidden},
		{"supplier declares payment", s.S1.Identity, func(st rules.State) error {
			_, err := r.DeclarePayment(st, &model.TokenActionRequest{Token: s.Root, Reason: "x"})
			return err
		}, model.ErrForbidden},
		{"regulator splits", s.Regulator.Identity, func(st rules.State) error { _, err := r.Split(st, split); return err }, model.ErrForbidden},
		{"regulator registers an invoice", s.Regulator.Identity, func(st rules.State) error { _, err := r.RegisterInvoice(st, inv); return err }, model.ErrForbidden},
		{"regulator issues", s.Regulator.Identity, func(st rules.State) error { _, err := r.Issue(st, s.IssueReq); return err }, model.ErrForbidden},
		{"regulator grants a credit line", s.Regulator.Identity, func(st rules.State) error { _, err := r.GrantCreditLine(st, grant); return err }, model.ErrForbidden},
		{"regulator freezes", s.Regulator.Identity, func(st rules.State) error {
			_, err := r.Freeze(st, &model.TokenActionRequest{Token: s.Root, Reason: "x"})
			return err
		}, model.ErrForbidden},
		{"regulator registers an enterprise", s.Regulator.Identity, func(st rules.State) error {
			_, err := r.RegisterEnterprise(st, s.RegistrationOf(s.S2))
			return err
		}, model.ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectRefused(t, s.State, tc.want, func() (any, error) { return nil, tc.run(s.Begin(tc.who)) })
		})
	}
	// The regulator may call every query.
	reg := func() rules.State { return s.As(s.Regulator) }
	must(r.GetToken(reg(), s.Root))
	must(r.Provenance(reg(), s.Root))
	must(r.TokensByHolder(reg(), &model.PageRequest{Owner: s.S1.ID}))
	must(r.TokensByIssuer(reg(), &model.PageRequest{Owner: s.Core.ID}))
	must(r.FinancingRequests(reg(), &model.PageRequest{Owner: s.BankA.ID}))
	must(r.GetInvoice(reg(), s.Invoices[0].ID))
	must(r.InvoicesBySupplier(reg(), &model.PageRequest{Owner: s.S1.ID}))
	must(r.InvoicesByBuyer(reg(), &model.PageRequest{Owner: s.Core.ID}))
	must(r.GetCreditLine(reg(), s.Core.ID, s.BankA.ID, rulestest.Currency))
	if lines := must(r.CreditLinesByCore(reg(), &model.PageRequest{Owner: s.Core.ID, PageSize: 1})); len(lines.Items) != 1 || lines.Items[0].Bank != s.BankA.ID || lines.Bookmark == "" {
		t.Errorf("first page of the core's credit lines: %+v", lines)
	}
	if lines := must(r.CreditLinesByCore(reg(), &model.PageRequest{Owner: s.Core.ID})); len(lines.Items) != 2 || lines.Items[1].Bank != s.BankB.ID || lines.Items[1].Limit != rulestest.LimitB {
		t.Errorf("the core's credit lines: %+v", lines)
	}
	must(r.GetEnterprise(reg(), s.Core.ID))
	must(r.Enterprises(reg(), &model.PageRequest{}))
	must(r.Enterprises(reg(), &model.PageRequest{Owner: string(model.RoleBank)}))
	must(r.GetPlatform(reg()))
}

func TestBootstrap(t *testing.T) {
	w := rulestest.NewWorld()
	fresh := rulestest.NewMemory()
	for _, tc := range []struct {
		name string
		who  rules.Identity
	}{
		{"client of the operator MSP", rulestest.NewIdentity("OperatorMSP", "user", "client")},
		{"admin of another MSP", rulestest.NewIdentity("CoreMSP", "admin", "admin")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fresh.Begin(tc.who, "b1", rulestest.Start)
			expectRefused(t, fresh, model.ErrUnauthorized, func() (*model.Enterprise, error) {
				return w.Rules.RegisterEnterprise(fresh, w.RegistrationOf(w.Operator))
			})
		})
	}
	t.Run("admin registering a non-operator first", func(t *testing.T) {
		fresh.Begin(w.Admin, "b2", rulestest.Start)
		expectRefused(t, fresh, model.ErrInvalidArgument, func() (*model.Enterprise, error) {
			return w.Rules.RegisterEnterprise(fresh, w.RegistrationOf(w.Core))
		})
	})
	t.Run("second auditor", func(t *testing.T) {
		req := w.RegistrationOf(w.Regulator)
		req.ID, req.Certificate = "regulator2", rulestest.NewIdentity("RegulatorMSP", "r2", "client").Cert
		expectRefused(t, w.State, model.ErrConflict, func() (*model.Enterprise, error) { return w.Rules.RegisterEnterprise(w.As(w.Operator), req) })
	})
	t.Run("certificate registered twice", func(t *testing.T) {
		req := w.RegistrationOf(w.S1)
		req.ID = "supplier1-again"
		expectRefused(t, w.State, model.ErrConflict, func() (*model.Enterprise, error) { return w.Rules.RegisterEnterprise(w.As(w.Operator), req) })
	})
	t.Run("operator suspends itself", func(t *testing.T) {
		expectRefused(t, w.State, model.ErrInvalidState, func() (*model.Enterprise, error) {
			return w.Rules.SuspendEnterprise(w.As(w.Operator), w.Operator.ID)
		})
	})
}

func TestDoubleSpend(t *testing.T) {
	s := newScenario(t)
	must(s.Rules.Split(s.As(s.S1), validSplit(t, s)))
	// The same request again, and a fresh, valid split of the same token.
	expectRefused(t, s.State, model.ErrConflict, func() ([]*model.Token, error) { return s.Rules.Split(s.As(s.S1), validSplit(t, s)) })
	other := s.SplitRequest(protocol.KindTransfer, s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S3, s.RootOpening))
	expectRefused(t, s.State, model.ErrConflict, func() ([]*model.Token, error) { return s.Rules.Transfer(s.As(s.S1), other) })
}

// flip flips the low bit of b[i] (i < 0 counts from the end).
func flip(b []byte, i int) {
	if i < 0 {
		i += len(b)
	}
	b[i] ^= 0x01
}

func TestTamperedSplit(t *testing.T) {
	s := newScenario(t)
	for _, tc := range []struct {
		name   string
		tamper func(*model.SplitRequest)
		code   *model.Error
	}{
		{"range proof first byte", func(r *model.SplitRequest) { flip(r.Outputs[0].RangeProof, 0) }, model.ErrInvalidProof},
		{"range proof middle byte", func(r *model.SplitRequest) { flip(r.Outputs[1].RangeProof, 300) }, model.ErrInvalidProof},
		{"range proof last byte", func(r *model.SplitRequest) { flip(r.Outputs[1].RangeProof, -1) }, model.ErrInvalidProof},
		{"range proofs swapped", func(r *model.SplitRequest) {
			r.Outputs[0].RangeProof, r.Outputs[1].RangeProof = r.Outputs[1].RangeProof, r.Outputs[0].RangeProof
		}, model.ErrInvalidProof},
		{"balance proof", func(r *model.SplitRequest) { flip(r.BalanceProof, 40) }, model.ErrInvalidProof},
		{"handle proof", func(r *model.SplitRequest) { flip(r.Outputs[1].HandleProof, 70) }, model.ErrInvalidProof},
		{"holder envelope", func(r *model.SplitRequest) { flip(r.Outputs[0].HolderEnvelope, 50) }, model.ErrInvalidProof},
		{"output holder", func(r *model.SplitRequest) { r.Outputs[0].Holder = s.S3.ID }, model.ErrInvalidProof},
		{"outputs swapped", func(r *model.SplitRequest) { r.Outputs[0], r.Outputs[1] = r.Outputs[1], r.Outputs[0] }, model.ErrInvalidProof},
		{"commitment replaced", func(r *model.SplitRequest) { r.Outputs[0].Commitment = rulestest.Opening(300).Commitment().Bytes() }, model.ErrInvalidProof},
		{"handles swapped", func(r *model.SplitRequest) {
			r.Outputs[0].Handle, r.Outputs[1].Handle = r.Outputs[1].Handle, r.Outputs[0].Handle
		}, model.ErrInvalidProof},
		{"non-canonical commitment", func(r *model.SplitRequest) { r.Outputs[0].Commitment = bytes.Repeat([]byte{0xff}, 32) }, model.ErrInvalidArgument},
		{"identity commitment", func(r *model.SplitRequest) { r.Outputs[0].Commitment = make([]byte, 32) }, model.ErrInvalidArgument},
		{"identity handle", func(r *model.SplitRequest) { r.Outputs[1].Handle = make([]byte, 32) }, model.ErrInvalidArgument},
		{"truncated range proof", func(r *model.SplitRequest) { r.Outputs[0].RangeProof = r.Outputs[0].RangeProof[:640] }, model.ErrInvalidArgument},
		{"input listed twice", func(r *model.SplitRequest) { r.Inputs = append(r.Inputs, r.Inputs[0]) }, model.ErrInvalidArgument},
		{"unknown input", func(r *model.SplitRequest) { r.Inputs[0] = "t0000" }, model.ErrNotFound},
		{"unknown output holder", func(r *model.SplitRequest) { r.Outputs[0].Holder = "nobody" }, model.ErrNotFound},
		{"output to a bank", func(r *model.SplitRequest) { r.Outputs[0].Holder = s.BankA.ID }, model.ErrInvalidArgument},
		{"nine outputs", func(r *model.SplitRequest) {
			for len(r.Outputs) < model.MaxOutputs+1 {
				r.Outputs = append(r.Outputs, r.Outputs[0])
			}
		}, model.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := validSplit(t, s)
			tc.tamper(req)
			expectRefused(t, s.State, tc.code, func() ([]*model.Token, error) { return s.Rules.Split(s.As(s.S1), req) })
		})
	}
	// The untampered request still goes through.
	must(s.Rules.Split(s.As(s.S1), validSplit(t, s)))
}

func TestReplayedProofs(t *testing.T) {
	s := newScenario(t)
	children := must(s.Rules.Split(s.As(s.S1), validSplit(t, s)))
	change := children[1] // 700, held by S1
	for _, tc := range []struct {
		name string
		req  func() *model.SplitRequest
		code *model.Error
	}{
		{"proof of the spent root replayed on the change token", func() *model.SplitRequest {
			r := validSplit(t, s)
			r.Inputs[0] = change.ID
			return r
		}, model.ErrInvalidProof},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectRefused(t, s.State, tc.code, func() ([]*model.Token, error) { return s.Rules.Split(s.As(s.S1), tc.req()) })
		})
	}

	// Context binding: a split of the root built for another channel, another
	// chaincode or another kind fails on the fresh scenario.
	fresh := newScenario(t)
	for _, tc := range []struct {
		name string
		ctx  protocol.Context
		kind string
	}{
		{"another channel", protocol.Context{Channel: "other", Chaincode: fresh.State.Chaincode}, protocol.KindSplit},
		{"another chaincode", protocol.Context{Channel: fresh.State.Channel, Chaincode: "other"}, protocol.KindSplit},
		{"another kind", fresh.Ctx(), protocol.KindMerge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := must(protocol.BuildSplit(tc.ctx, protocol.SplitInput{Kind: tc.kind, Spender: fresh.S1.ID,
				Inputs:  opened(fresh.Root, fresh.RootOpening),
				Outputs: []protocol.OutputSpec{rulestest.To(fresh.S2, rulestest.Opening(1)), rulestest.To(fresh.S1, rulestest.Opening(999))},
			}, fresh.Auditor(), nil))
			expectRefused(t, fresh.State, model.ErrInvalidProof, func() ([]*model.Token, error) { return fresh.Rules.Split(fresh.As(fresh.S1), req) })
		})
	}

	// An invoice registration built by S1, submitted by S2.
	t.Run("invoice proof submitted by another supplier", func(t *testing.T) {
		req := fresh.InvoiceRequest(fresh.S1, "INV-replay", rulestest.Opening(10))
		expectRefused(t, fresh.State, model.ErrInvalidProof, func() (*model.Invoice, error) { return fresh.Rules.RegisterInvoice(fresh.As(fresh.S2), req) })
	})
	// The issue replayed: its invoices back a receivable already.
	t.Run("issue replayed", func(t *testing.T) {
		expectRefused(t, fresh.State, model.ErrConflict, func() (*model.Token, error) { return fresh.Rules.Issue(fresh.As(fresh.Core), fresh.IssueReq) })
	})
}

func TestConservationAndRange(t *testing.T) {
	s := newScenario(t)
	in := opened(s.Root, s.RootOpening) // 1000
	for _, tc := range []struct {
		name string
		outs []forgedOutput
		want string // which proof must catch it
	}{
		{"outputs sum to more than the input", []forgedOutput{{s.S2, scalar(600), 600}, {s.S1, scalar(600), 600}}, "balance"},
		{"outputs sum to less than the input", []forgedOutput{{s.S2, scalar(100), 100}, {s.S1, scalar(100), 100}}, "balance"},
		{"negative output (ℓ−1), balanced modulo ℓ", []forgedOutput{{s.S2, scalar(1001), 1001}, {s.S1, minus(1), 1<<64 - 1}}, "proof"},
		{"output of 2^64 + 5, balanced modulo ℓ", []forgedOutput{
			{s.S2, group.NewScalar().Add(group.NewScalar().Multiply(scalar(1<<32), scalar(1<<32)), scalar(5)), 5},
			{s.S1, group.NewScalar().Subtract(scalar(995), group.NewScalar().Multiply(scalar(1<<32), scalar(1<<32))), 995},
		}, "proof"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := forgeSplit(t, s, protocol.KindSplit, s.S1, in, tc.outs...)
			before := s.State.Snapshot()
			_, err := s.Rules.Split(s.As(s.S1), req)
			if !errorIs(err, model.ErrInvalidProof) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want INVALID_PROOF from the %s proof", err, tc.want)
			}
			if d := s.State.Diff(before); d != "" {
				t.Fatalf("state changed: %s", d)
			}
		})
	}
}

func TestIssuanceBounds(t *testing.T) {
	s := newScenario(t)
	spare := s.Invoices[2:] // SpareAmount, confirmed
	// One valid request, mutated by the cases refused before any proof is
	// checked (proving is the slow part of these tests).
	valid := forgeIssue(t, s, s.BankA, rulestest.LimitA, s.Outstanding, spare, rulestest.Opening(10))
	mutated := func(f func(*model.IssueRequest)) func() *model.IssueRequest {
		return func() *model.IssueRequest {
			r := *valid
			r.Invoices = append([]string(nil), valid.Invoices...)
			f(&r)
			return &r
		}
	}
	for _, tc := range []struct {
		name string
		req  func() *model.IssueRequest
		code *model.Error
	}{
		{"over the credit line (BankB: 500)", func() *model.IssueRequest {
			return forgeIssue(t, s, s.BankB, rulestest.LimitB, rulestest.ZeroOpening(), spare, rulestest.Opening(800))
		}, model.ErrInvalidProof},
		{"over the remaining credit (BankA: 10000 − 1000 outstanding)", func() *model.IssueRequest {
			return forgeIssue(t, s, s.BankA, rulestest.LimitA, s.Outstanding, spare, rulestest.Opening(9_500))
		}, model.ErrInvalidProof},
		{"over the invoice total", func() *model.IssueRequest {
			return forgeIssue(t, s, s.BankA, rulestest.LimitA, s.Outstanding, spare, rulestest.Opening(rulestest.SpareAmount+1))
		}, model.ErrInvalidProof},
		{"builder lied about the limit", func() *model.IssueRequest {
			return must(protocol.BuildIssue(s.Ctx(), protocol.IssueInput{Currency: rulestest.Currency, Issuer: s.Core.ID, IssuerKey: s.Core.Key.Public(), Bank: s.BankB.ID, Holder: s.S1.Recipient(),
				Invoices: spare, Limit: rulestest.LimitA, Outstanding: rulestest.ZeroOpening(), Maturity: rulestest.Maturity,
				Amount: rulestest.Opening(800)}, s.Auditor(), nil))
		}, model.ErrInvalidProof},
		{"builder lied about the invoice amount", func() *model.IssueRequest {
			lie := []protocol.OpenedInvoice{{ID: spare[0].ID, Opening: spareLie(spare[0])}}
			return must(protocol.BuildIssue(s.Ctx(), protocol.IssueInput{Currency: rulestest.Currency, Issuer: s.Core.ID, IssuerKey: s.Core.Key.Public(), Bank: s.BankA.ID, Holder: s.S1.Recipient(),
				Invoices: lie, Limit: rulestest.LimitA, Outstanding: s.Outstanding, Maturity: rulestest.Maturity,
				Amount: rulestest.Opening(2500)}, s.Auditor(), nil))
		}, model.ErrInvalidProof},
		{"reused invoice", mutated(func(r *model.IssueRequest) { r.Invoices = []string{s.Invoices[0].ID} }), model.ErrConflict},
		{"invoice listed twice", mutated(func(r *model.IssueRequest) { r.Invoices = append(r.Invoices, r.Invoices[0]) }), model.ErrInvalidArgument},
		{"no such credit line", mutated(func(r *model.IssueRequest) { r.Bank = "bankC" }), model.ErrNotFound},
		{"maturity in the past", mutated(func(r *model.IssueRequest) { r.Maturity = rulestest.Start.Add(-24 * time.Hour) }), model.ErrInvalidArgument},
		{"maturity changed", mutated(func(r *model.IssueRequest) { r.Maturity = r.Maturity.Add(24 * time.Hour) }), model.ErrInvalidProof},
		{"holder not the invoices' supplier", mutated(func(r *model.IssueRequest) { r.Holder = s.S2.ID }), model.ErrInvalidArgument},
		{"seventeen invoices", mutated(func(r *model.IssueRequest) {
			for i := range model.MaxInvoices {
				r.Invoices = append(r.Invoices, rulestest.InvoiceID(string(rune('a'+i))))
			}
		}), model.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req()
			err := expectRefused(t, s.State, tc.code, func() (*model.Token, error) { return s.Rules.Issue(s.As(s.Core), req) })
			if strings.HasPrefix(tc.name, "over") && !strings.Contains(err.Error(), "range proof") {
				t.Fatalf("refused by %q, want the range proof over the headrooms", err)
			}
		})
	}
	t.Run("unconfirmed invoice", func(t *testing.T) {
		o := rulestest.Opening(50)
		inv := must(s.Rules.RegisterInvoice(s.As(s.S1), s.InvoiceRequest(s.S1, "INV-unconfirmed", o)))
		req := mutated(func(r *model.IssueRequest) { r.Invoices = []string{inv.ID} })()
		expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) { return s.Rules.Issue(s.As(s.Core), req) })
	})
	t.Run("invoice registered twice", func(t *testing.T) {
		req := s.InvoiceRequest(s.S1, "INV-1", rulestest.Opening(600))
		expectRefused(t, s.State, model.ErrConflict, func() (*model.Invoice, error) { return s.Rules.RegisterInvoice(s.As(s.S1), req) })
	})
	t.Run("expired credit line", func(t *testing.T) {
		late := s.Clone()
		late.Now = time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
		req := mutated(func(r *model.IssueRequest) { r.Maturity = time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC) })()
		expectRefused(t, late.State, model.ErrInvalidState, func() (*model.Token, error) { return late.Rules.Issue(late.As(late.Core), req) })
	})
}

// spareLie claims the spare invoice is worth more than it is, with its real
// blinding.
func spareLie(inv protocol.OpenedInvoice) pedersen.Opening {
	return pedersen.Opening{Value: 3000, Blinding: inv.Opening.Blinding}
}

func TestFinancingAndPaymentStates(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	children := must(r.Split(s.As(s.S1), validSplit(t, s)))
	A, B := children[0], children[1] // A: S2's 300, B: S1's 700
	finance := func(tok *model.Token, bank *rulestest.Party) *model.FinanceRequest {
		return &model.FinanceRequest{Token: tok.ID, Bank: bank.ID, BankEnvelope: garbageEnvelope()}
	}
	t.Run("foreign token", func(t *testing.T) {
		expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) { return r.RequestFinancing(s.As(s.S1), finance(A, s.BankA)) })
	})
	t.Run("spent token", func(t *testing.T) {
		root := &model.Token{ID: s.Root}
		expectRefused(t, s.State, model.ErrConflict, func() (*model.Token, error) { return r.RequestFinancing(s.As(s.S1), finance(root, s.BankA)) })
	})
	t.Run("at a supplier", func(t *testing.T) {
		expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Token, error) { return r.RequestFinancing(s.As(s.S1), finance(B, s.S2)) })
	})
	must(r.RequestFinancing(s.As(s.S1), finance(B, s.BankA)))
	t.Run("locked token", func(t *testing.T) {
		expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) { return r.RequestFinancing(s.As(s.S1), finance(B, s.BankB)) })
	})
	t.Run("locked token split", func(t *testing.T) {
		req := forgeSplit(t, s, protocol.KindTransfer, s.S1, opened(B.ID, rulestest.Opening(700)), forgedOutput{s.S3, scalar(700), 700})
		expectRefused(t, s.State, model.ErrInvalidState, func() ([]*model.Token, error) { return r.Transfer(s.As(s.S1), req) })
	})
	t.Run("approved by another bank", func(t *testing.T) {
		expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) {
			return r.ApproveFinancing(s.As(s.BankB), &model.ApproveFinancingRequest{Token: B.ID, DisbursementRef: "W", AgreementHash: make([]byte, 32)})
		})
	})
	t.Run("cancelled by another supplier", func(t *testing.T) {
		expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) {
			return r.CancelFinancing(s.As(s.S2), &model.TokenActionRequest{Token: B.ID})
		})
	})
	must(r.Freeze(s.As(s.Operator), &model.TokenActionRequest{Token: A.ID, Reason: "court"}))
	t.Run("frozen token", func(t *testing.T) {
		expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) { return r.RequestFinancing(s.As(s.S2), finance(A, s.BankA)) })
	})
	t.Run("frozen twice", func(t *testing.T) {
		expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
			return r.Freeze(s.As(s.Operator), &model.TokenActionRequest{Token: A.ID, Reason: "again"})
		})
	})
	t.Run("payment before maturity", func(t *testing.T) {
		must(r.Unfreeze(s.As(s.Operator), &model.TokenActionRequest{Token: A.ID}))
		expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
			return r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: A.ID, Reason: "PAY-1"})
		})
	})
	t.Run("payment of a locked token", func(t *testing.T) {
		s.Now = rulestest.Maturity
		expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
			return r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: B.ID, Reason: "PAY-2"})
		})
	})
	t.Run("confirmation before declaration", func(t *testing.T) {
		expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
			return r.ConfirmPayment(s.As(s.S2), &model.TokenActionRequest{Token: A.ID})
		})
	})
	t.Run("confirmation by someone else", func(t *testing.T) {
		must(r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: A.ID, Reason: "PAY-3"}))
		expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) {
			return r.ConfirmPayment(s.As(s.S1), &model.TokenActionRequest{Token: A.ID})
		})
	})
	t.Run("split past maturity", func(t *testing.T) {
		must(r.CancelFinancing(s.As(s.S1), &model.TokenActionRequest{Token: B.ID}))
		req := forgeSplit(t, s, protocol.KindTransfer, s.S1, opened(B.ID, rulestest.Opening(700)), forgedOutput{s.S3, scalar(700), 700})
		s.Now = rulestest.Maturity.Add(time.Hour)
		expectRefused(t, s.State, model.ErrInvalidState, func() ([]*model.Token, error) { return r.Transfer(s.As(s.S1), req) })
	})
}

func errorIs(err error, target *model.Error) bool {
	return err != nil && model.CodeOf(err) == target.Code
}
