package rules_test

import (
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// financed has BankA finance S1's whole root under quote() (recourse as
// given) with a grace of 10 days, and approve it.
func financed(t *testing.T, recourse bool) *rulestest.Scenario {
	t.Helper()
	s := newScenario(t)
	setCap(t, s, 9000)
	in := finInput(s, 9000)
	in.Terms.Recourse = recourse
	req, _ := buildFin(t, s, in)
	must(s.Rules.RequestTermFinancing(s.As(s.S1), req))
	must(s.Rules.ApproveFinancing(s.As(s.BankA), &model.ApproveFinancingRequest{Token: s.Root, DisbursementRef: "W", AgreementHash: make([]byte, 32)}))
	return s
}

// TestDefaultAndRecourse: past maturity plus grace the bank declares the
// piece in default and, financed with recourse, claims from the seller;
// each transition is on the ledger and in the event; the core can still
// pay a defaulted piece.
func TestDefaultAndRecourse(t *testing.T) {
	s := financed(t, true)
	r := s.Rules
	s.Now = rulestest.Maturity.AddDate(0, 0, 10) // the last day of grace
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.DeclareDefault(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root})
	})
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.ExerciseRecourse(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root, Reason: "early"})
	})
	s.Now = rulestest.Maturity.AddDate(0, 0, 10).Add(time.Minute)
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) {
		return r.DeclareDefault(s.As(s.S1), &model.TokenActionRequest{Token: s.Root}) // no longer the holder
	})
	d := must(r.DeclareDefault(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root, Reason: "unpaid"}))
	if d.Status != model.TokenDefaulted || d.Default.PriorStatus != model.TokenFinanced || d.Default.GraceDays != 10 ||
		lastEvent(t, s.State).Kind != protocol.KindDeclareDefault {
		t.Fatalf("defaulted %+v", d)
	}
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.DeclareDefault(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root})
	})
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) {
		return r.ExerciseRecourse(s.As(s.BankB), &model.TokenActionRequest{Token: s.Root, Reason: "not mine"})
	})
	expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Token, error) {
		return r.ExerciseRecourse(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root})
	})
	rc := must(r.ExerciseRecourse(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root, Reason: "CLAIM-9"}))
	if rc.Status != model.TokenRecourse || rc.Default.RecourseAgainst != s.S1.ID || rc.Default.RecourseRef != "CLAIM-9" ||
		lastEvent(t, s.State).Kind != protocol.KindExerciseRecourse {
		t.Fatalf("recourse %+v", rc)
	}
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.ExerciseRecourse(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root, Reason: "twice"})
	})

	// The seller repays; the bank settles the piece, the receivable's only
	// open one, which releases the credit line.
	expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Token, error) {
		return r.SettleRecourse(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root})
	})
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) {
		return r.SettleRecourse(s.As(s.S1), &model.TokenActionRequest{Token: s.Root, Reason: "REPAID-1"})
	})
	settled := must(r.SettleRecourse(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root, Reason: "REPAID-1"}))
	ev := lastEvent(t, s.State)
	if settled.Status != model.TokenSettled || settled.Default.RepaidRef != "REPAID-1" || ev.Kind != protocol.KindSettleRecourse || len(ev.CreditLines) != 1 {
		t.Fatalf("settled %+v, event %+v", settled, ev)
	}
	if cl := must(r.GetCreditLine(s.As(s.BankA), s.Core.ID, s.BankA.ID, rulestest.Currency)); cl.Settled != 1 {
		t.Fatalf("credit line after the recourse was repaid %+v", cl)
	}
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.SettleRecourse(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root, Reason: "again"})
	})
}

// TestDefaultWithoutRecourse: factoring: the bank bears the loss, so
// recourse is refused; the core may still pay the defaulted piece late.
func TestDefaultWithoutRecourse(t *testing.T) {
	s := financed(t, false)
	r := s.Rules
	s.Now = rulestest.Maturity.AddDate(0, 1, 0)
	must(r.DeclareDefault(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root}))
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.ExerciseRecourse(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root, Reason: "CLAIM"})
	})
	p := must(r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: s.Root, Reason: "LATE-PAY"}))
	if p.Status != model.TokenPaying || p.Payment.Payee != s.BankA.ID || p.Payment.PriorStatus != model.TokenDefaulted {
		t.Fatalf("late payment %+v", p)
	}
}
