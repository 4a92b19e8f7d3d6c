package rules_test

import (
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// A whole financing cycle on the chain, endorsement side, each
// transaction decoded and run in turn on one overlay (docs/BENCHMARKS.md,
// Requests for quotes):
//
//	go test -run XXX -bench Cycle -count 5 ./chaincode/rules/
//
// Today: RequestFinancing, ApproveFinancing. With terms (the first
// round): RequestTermFinancing, ApproveFinancing. With quotes:
// RequestQuotes to two banks, one SubmitQuote by each, AcceptQuote,
// ApproveFinancing.

// step is one transaction of a cycle: who submits it under which ID, and
// the rules call on the decoded request.
type step struct {
	as  *rulestest.Party
	tx  string
	run func(rules.State) error
}

func benchCycle(b *testing.B, s *rulestest.Scenario, steps []step) {
	b.Helper()
	benchTx(b, s.State, func(*rulestest.Memory) {}, func(st rules.State) error {
		for _, p := range steps {
			st.(*rulestest.Memory).Begin(p.as.Identity, p.tx, s.Now)
			if err := p.run(st); err != nil {
				return err
			}
		}
		return nil
	})
}

func approveStep(s *rulestest.Scenario, bank *rulestest.Party) step {
	decode := benchDecode(nil, &model.ApproveFinancingRequest{Token: s.Root, DisbursementRef: "WIRE-B", AgreementHash: make([]byte, 32)})
	return step{bank, "bench-approve", func(st rules.State) error {
		req, err := decode()
		if err == nil {
			_, err = s.Rules.ApproveFinancing(st, req)
		}
		return err
	}}
}

func BenchmarkCycleToday(b *testing.B) {
	s := newScenario(b)
	fin := benchDecode(b, must(protocol.BuildFinance(s.Root, s.RootOpening.Commitment(), s.RootOpening, s.BankA.Recipient(), nil)))
	benchCycle(b, s, []step{
		{s.S1, "bench-fin", func(st rules.State) error {
			req, err := fin()
			if err == nil {
				_, err = s.Rules.RequestFinancing(st, req)
			}
			return err
		}},
		approveStep(s, s.BankA),
	})
}

func BenchmarkCycleTerms(b *testing.B) {
	s := newScenario(b)
	must(s.Rules.SetFinancingPolicy(s.As(s.Operator), &model.SetFinancingPolicyRequest{MaxAdvanceBP: 9000}))
	in := finInput(s, 9000)
	in.Terms.Expiry = in.Terms.Expiry.AddDate(1, 0, 0)
	req, _, err := protocol.BuildTermFinance(s.Ctx(), in, s.Auditor(), nil)
	if err != nil {
		b.Fatal(err)
	}
	fin := benchDecode(b, req)
	benchCycle(b, s, []step{
		{s.S1, "bench-terms", func(st rules.State) error {
			req, err := fin()
			if err == nil {
				_, err = s.Rules.RequestTermFinancing(st, req)
			}
			return err
		}},
		approveStep(s, s.BankA),
	})
}

func BenchmarkCycleQuotes(b *testing.B) {
	s := newScenario(b)
	must(s.Rules.SetFinancingPolicy(s.As(s.Operator), &model.SetFinancingPolicyRequest{MaxAdvanceBP: 9000}))
	rfqTx := "bench-rfq"
	rfqID := protocol.RFQID(rfqTx)
	rfqReq := must(protocol.BuildRequestQuotes(protocol.OpenedToken{ID: s.Root, Currency: rulestest.Currency, Opening: s.RootOpening},
		[]protocol.Recipient{s.BankA.Recipient(), s.BankB.Recipient()}, s.Now.Add(48*time.Hour), nil))
	rfq := benchDecode(b, rfqReq)
	quoteBy := func(bank *rulestest.Party, fee uint64) func() (*model.SubmitQuoteRequest, error) {
		tm := quote()
		tm.Expiry = tm.Expiry.AddDate(1, 0, 0)
		req, _, err := protocol.BuildQuote(s.Ctx(), protocol.QuoteInput{Currency: rulestest.Currency, RFQ: rfqID, Token: s.Root, Requester: s.S1.Recipient(),
			Bank: bank.Recipient(), Face: s.RootOpening, Maturity: rulestest.Maturity, Terms: tm, Fee: fee, MaxAdvanceBP: 9000}, s.Auditor(), nil)
		if err != nil {
			b.Fatal(err)
		}
		return benchDecode(b, req)
	}
	qa, qb := quoteBy(s.BankA, 3), quoteBy(s.BankB, 2)
	accept := benchDecode(b, &model.QuoteActionRequest{Quote: protocol.QuoteID("bench-qb")})
	submit := func(decode func() (*model.SubmitQuoteRequest, error)) func(rules.State) error {
		return func(st rules.State) error {
			req, err := decode()
			if err == nil {
				_, err = s.Rules.SubmitQuote(st, req)
			}
			return err
		}
	}
	benchCycle(b, s, []step{
		{s.S1, rfqTx, func(st rules.State) error {
			req, err := rfq()
			if err == nil {
				_, err = s.Rules.RequestQuotes(st, req)
			}
			return err
		}},
		{s.BankA, "bench-qa", submit(qa)},
		{s.BankB, "bench-qb", submit(qb)},
		{s.S1, "bench-accept", func(st rules.State) error {
			req, err := accept()
			if err == nil {
				_, err = s.Rules.AcceptQuote(st, req)
			}
			return err
		}},
		approveStep(s, s.BankB),
	})
}
