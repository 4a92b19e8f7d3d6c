package audit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/audit"
)

var (
	finOnce  sync.Once
	finWorld *auditWorld
)

// financingWorld is a ledger built by the chaincode rules under a 90 % cap:
//
//	root (1000, S1) split into P1 400 and P2 600, both S1's
//	P1: quotes from BankA and BankB; BankB's commits an advance 7 below
//	    what its sealed terms pay; S1 accepts it anyway; BankB approves
//	P2: financed with terms at BankA, approved, sold to BankB at 550,
//	    defaulted and claimed under recourse by BankB
func financingWorld(t testing.TB) (*auditWorld, string, string) {
	t.Helper()
	finOnce.Do(func() {
		s := rulestest.NewScenario()
		r := s.Rules
		must(r.SetFinancingPolicy(s.As(s.Operator), &model.SetFinancingPolicyRequest{MaxAdvanceBP: 9000, GraceDays: 10}))
		p1, p2 := rulestest.Opening(400), rulestest.Opening(600)
		out := must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, []protocol.OpenedToken{{ID: s.Root, Currency: rulestest.Currency, Opening: s.RootOpening}},
			rulestest.To(s.S1, p1), rulestest.To(s.S1, p2))))
		w := &auditWorld{Scenario: s, a: out[0].ID, b: out[1].ID}
		day := rulestest.Start.Truncate(24 * time.Hour)
		tm := terms.Terms{AdvanceRateBP: 8800, DiscountRateBP: 600, DayCount: terms.ACT360, PenaltyRateBP: 1200, Recourse: true,
			ValueDate: day, Expiry: day.AddDate(0, 0, 7)}

		rfq := must(r.RequestQuotes(s.As(s.S1), must(protocol.BuildRequestQuotes(protocol.OpenedToken{ID: w.a, Currency: rulestest.Currency, Opening: p1},
			[]protocol.Recipient{s.BankA.Recipient(), s.BankB.Recipient()}, s.Now.Add(48*time.Hour), nil))))
		in := protocol.QuoteInput{Currency: rulestest.Currency, RFQ: rfq.ID, Token: w.a, Requester: s.S1.Recipient(), Face: p1, Maturity: rulestest.Maturity,
			Terms: tm, Fee: 2, MaxAdvanceBP: 9000}
		in.Bank = s.BankA.Recipient()
		must(r.SubmitQuote(s.As(s.BankA), must2(protocol.BuildQuote(s.Ctx(), in, s.Auditor(), nil))))
		short := must(terms.Compute(&tm, 400, 2, rulestest.Maturity)).Advance - 7
		in.Bank, in.ClaimAdvance = s.BankB.Recipient(), &short
		qb := must(r.SubmitQuote(s.As(s.BankB), must2(protocol.BuildQuote(s.Ctx(), in, s.Auditor(), nil))))
		must(r.AcceptQuote(s.As(s.S1), &model.QuoteActionRequest{Quote: qb.ID}))
		must(r.ApproveFinancing(s.As(s.BankB), &model.ApproveFinancingRequest{Token: w.a, DisbursementRef: "W-Q", AgreementHash: make([]byte, 32)}))

		fin := must2(protocol.BuildTermFinance(s.Ctx(), protocol.FinanceInput{Requester: s.S1.Recipient(), Bank: s.BankA.Recipient(),
			Token: protocol.OpenedToken{ID: w.b, Currency: rulestest.Currency, Opening: p2}, Maturity: rulestest.Maturity, Terms: tm, MaxAdvanceBP: 9000, Fee: 3}, s.Auditor(), nil))
		must(r.RequestTermFinancing(s.As(s.S1), fin))
		must(r.ApproveFinancing(s.As(s.BankA), &model.ApproveFinancingRequest{Token: w.b, DisbursementRef: "W-T", AgreementHash: make([]byte, 32)}))
		must(r.OfferResale(s.As(s.BankA), must(protocol.BuildResale(s.Ctx(), protocol.ResaleInput{Token: protocol.OpenedToken{ID: w.b, Currency: rulestest.Currency, Opening: p2},
			Seller: s.BankA.Recipient(), Buyer: s.BankB.Recipient(), Price: 550}, s.Auditor(), nil))))
		must(r.AcceptResale(s.As(s.BankB), &model.AcceptResaleRequest{Token: w.b, PaymentRef: "FORFAIT-1"}))
		s.Now = rulestest.Maturity.AddDate(0, 0, 11)
		must(r.DeclareDefault(s.As(s.BankB), &model.TokenActionRequest{Token: w.b, Reason: "unpaid"}))
		must(r.ExerciseRecourse(s.As(s.BankB), &model.TokenActionRequest{Token: w.b, Reason: "CLAIM-1"}))
		finWorld = w
	})
	return finWorld, finWorld.a, finWorld.b
}

func must2[A, B any](a A, _ B, err error) A {
	if err != nil {
		panic(err)
	}
	return a
}

// TestFinancingReconciliation: the regulator opens every advance, fee and
// resale price, opens the quote's sealed terms, finds the quote whose
// committed advance is not its terms' (the chaincode could not see them),
// and reports each bank's book: financed volume, pieces bought and sold,
// defaults and recourse.
func TestFinancingReconciliation(t *testing.T) {
	w, quoted, termed := financingWorld(t)
	snap, err := w.service(t, w.ledger()).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if snap.Summary.FinancingChecks != 2 || snap.Summary.FinancingBreaks != 1 {
		t.Fatalf("summary %+v", snap.Summary)
	}
	items := map[string]audit.FinancingItem{}
	for _, it := range snap.Financing {
		items[it.Token] = it
	}
	q := items[quoted]
	if q.Kind != audit.FinancedQuoted || q.Result != audit.CheckBroken || q.Bank != w.BankB.ID || q.Terms == nil || q.Terms.AdvanceRateBP != 8800 ||
		q.Face.Minor != 400 || q.Advance == nil || q.Advance.Status != audit.Reconciled || *q.SealedFee != 2 || q.Fee.Minor != 2 {
		t.Fatalf("quoted item %+v", q)
	}
	want := must(terms.Compute(q.Terms, 400, 2, rulestest.Maturity)).Advance
	if q.Advance.Minor != want-7 {
		t.Fatalf("advance opened %d, want %d", q.Advance.Minor, want-7)
	}
	f := items[termed]
	if f.Kind != audit.FinancedTerms || f.Result != audit.CheckOK || f.Bank != w.BankA.ID || f.Holder != w.BankB.ID || f.Status != model.TokenRecourse ||
		len(f.Resales) != 1 || f.Resales[0].Price.Minor != 550 || f.Resales[0].Result != audit.CheckOK || f.Resales[0].Pending {
		t.Fatalf("term item %+v", f)
	}

	rep := snap.FinancingReport()
	books := map[string]audit.BankFinancing{}
	for _, b := range rep.ByBank {
		books[b.Bank] = b
	}
	a, b := books[w.BankA.ID], books[w.BankB.ID]
	if a.Financed != 1 || a.FinancedVolume != 600 || a.Sold != 1 || a.Held != 0 || a.Breaks != 0 || a.Fees != 3 {
		t.Fatalf("BankA's book %+v", a)
	}
	if b.Financed != 1 || b.FinancedVolume != 400 || b.Advanced != want-7 || b.Bought != 1 || b.Held != 1 || b.HeldVolume != 400 ||
		b.Defaulted != 1 || b.DefaultVolume != 600 || b.Recourse != 1 || b.RecourseVolume != 600 || b.Breaks != 1 {
		t.Fatalf("BankB's book %+v", b)
	}
}
