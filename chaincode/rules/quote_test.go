package rules_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/envelope"
)

// askQuotes is S1 asking banks for quotes on its root token, open two days.
func askQuotes(t *testing.T, s *rulestest.Scenario, banks ...*rulestest.Party) *model.RFQ {
	t.Helper()
	var rs []protocol.Recipient
	for _, b := range banks {
		rs = append(rs, b.Recipient())
	}
	req := must(protocol.BuildRequestQuotes(protocol.OpenedToken{ID: s.Root, Currency: rulestest.Currency, Opening: s.RootOpening}, rs, s.Now.Add(48*time.Hour), nil))
	return must(s.Rules.RequestQuotes(s.As(s.S1), req))
}

// quoteInput is bank's quote on rfq: it opens the face from the RFQ's
// envelope to it, as its wallet does.
func quoteInput(t *testing.T, s *rulestest.Scenario, rfq *model.RFQ, bank *rulestest.Party, tm terms.Terms, fee uint64, capBP int64) protocol.QuoteInput {
	t.Helper()
	face, err := envelope.Open(bank.Key, rfq.Invited(bank.ID).BankEnvelope, protocol.OutputBinding(s.RootOpening.Commitment(), protocol.PurposeBank))
	if err != nil || face.Value != rulestest.RootAmount {
		t.Fatalf("%s opens the face: %v", bank.ID, err)
	}
	return protocol.QuoteInput{Currency: rulestest.Currency, RFQ: rfq.ID, Token: rfq.Token, Requester: s.S1.Recipient(), Bank: bank.Recipient(), Face: face,
		Maturity: rulestest.Maturity, Terms: tm, Fee: fee, MaxAdvanceBP: capBP}
}

func submitQuote(t *testing.T, s *rulestest.Scenario, bank *rulestest.Party, in protocol.QuoteInput) (*model.Quote, terms.Advance) {
	t.Helper()
	req, adv, err := protocol.BuildQuote(s.Ctx(), in, s.Auditor(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return must(s.Rules.SubmitQuote(s.As(bank), req)), adv
}

// TestQuotesTwoBanksCompete: S1 asks BankA and BankB; both quote sealed
// terms; S1 opens both, checks each advance against its terms, accepts
// BankB's; BankA's lapses and BankA sees only that; BankB approves; the
// regulator opens the winning terms from the ledger.
func TestQuotesTwoBanksCompete(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	setCap(t, s, 9000)
	rfq := askQuotes(t, s, s.BankA, s.BankB)
	if ev := lastEvent(t, s.State); ev.Kind != protocol.KindRequestQuotes || len(ev.Quotes) != 1 || len(ev.Quotes[0].Banks) != 2 {
		t.Fatalf("event %+v", ev)
	}
	if tok := must(r.GetToken(s.As(s.S1), s.Root)); tok.Status != model.TokenActive {
		t.Fatalf("asking for quotes locked the token: %s", tok.Status)
	}
	termsA := quote()
	termsB := quote()
	termsB.AdvanceRateBP, termsB.DiscountRateBP, termsB.Recourse = 8500, 400, false
	qa, advA := submitQuote(t, s, s.BankA, quoteInput(t, s, rfq, s.BankA, termsA, 3, 9000))
	qb, advB := submitQuote(t, s, s.BankB, quoteInput(t, s, rfq, s.BankB, termsB, 1, 9000))
	if ev := lastEvent(t, s.State); ev.Kind != protocol.KindSubmitQuote || ev.Quotes[0].Quote != qb.ID || ev.Quotes[0].Status != string(model.QuoteOpen) {
		t.Fatalf("event %+v", ev)
	}

	// The holder sees both quotes side by side and checks each.
	view := must(r.GetRFQ(s.As(s.S1), rfq.ID))
	if len(view.Quotes) != 2 || view.Status != model.RFQOpen {
		t.Fatalf("holder's view %+v", view)
	}
	for _, c := range []struct {
		q    *model.Quote
		bank *rulestest.Party
		adv  terms.Advance
		tm   terms.Terms
	}{{qa, s.BankA, advA, termsA}, {qb, s.BankB, advB, termsB}} {
		qt := must(protocol.OpenQuoteTerms(s.S1.Key, c.q, c.q.HolderSealedTerms))
		if qt.Terms != c.tm {
			t.Fatalf("terms open to %+v", qt.Terms)
		}
		got := must(protocol.CheckQuoteAmounts(qt, rulestest.RootAmount, openQuoted(t, s, c.bank, c.q.Advance, protocol.PurposeAdvance),
			openQuoted(t, s, c.bank, c.q.Fee, protocol.PurposeFee), rulestest.Maturity))
		if got != c.adv {
			t.Fatalf("holder computes %+v, bank %+v", got, c.adv)
		}
	}
	// A bank sees only its own quote.
	if v := must(r.GetRFQ(s.As(s.BankA), rfq.ID)); len(v.Quotes) != 1 || v.Quotes[0].Quote.ID != qa.ID || len(v.RFQ.Banks) != 1 {
		t.Fatalf("BankA's view %+v", v)
	}
	// Nobody else sees the RFQ, nor another bank's quote.
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.RFQView, error) { return r.GetRFQ(s.As(s.S2), rfq.ID) })
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.QuoteView, error) { return r.GetQuote(s.As(s.BankA), qb.ID) })
	if v := must(r.GetQuote(s.As(s.Regulator), qb.ID)); v.Status != model.QuoteOpen || v.Quote.Bank != s.BankB.ID {
		t.Fatalf("regulator's quote view %+v", v)
	}

	tok := must(r.AcceptQuote(s.As(s.S1), &model.QuoteActionRequest{Quote: qb.ID}))
	if tok.Status != model.TokenFinancing || tok.Financing.Bank != s.BankB.ID || tok.Financing.Quote == nil || tok.Financing.WithRecourse() {
		t.Fatalf("accepted %+v", tok.Financing)
	}
	ev := lastEvent(t, s.State)
	statuses := map[string]string{}
	for _, c := range ev.Quotes {
		statuses[c.Quote] = c.Status
	}
	if ev.Kind != protocol.KindAcceptQuote || statuses[qa.ID] != string(model.QuoteLapsed) || statuses[qb.ID] != string(model.QuoteAccepted) ||
		statuses[""] != string(model.RFQAccepted) || ev.Tokens[0].Bank != s.BankB.ID {
		t.Fatalf("event %+v", ev)
	}
	if v := must(r.GetRFQ(s.As(s.BankA), rfq.ID)); v.Quotes[0].Status != model.QuoteLapsed || v.RFQ.Accepted != "" || v.Status != model.RFQAccepted {
		t.Fatalf("the loser's view %+v", v)
	}
	if v := must(r.GetRFQ(s.As(s.BankB), rfq.ID)); v.Quotes[0].Status != model.QuoteAccepted || v.RFQ.Accepted != qb.ID {
		t.Fatalf("the winner's view %+v", v)
	}

	// The regulator opens the winning terms from the token and reconciles.
	fq := tok.Financing.Quote
	qt := must(protocol.OpenQuoteTerms(s.Regulator.Key, tok.Financing.Quoted(), fq.RegulatorSealedTerms))
	if qt.Terms != termsB || qt.Fee != 1 {
		t.Fatalf("regulator opens %+v", qt)
	}
	if bt := must(protocol.OpenQuoteTerms(s.BankB.Key, tok.Financing.Quoted(), fq.BankSealedTerms)); bt.Terms != termsB {
		t.Fatalf("bank opens %+v", bt)
	}

	// Accepting twice, or the other quote, is refused; the loser may not approve.
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.AcceptQuote(s.As(s.S1), &model.QuoteActionRequest{Quote: qb.ID})
	})
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.AcceptQuote(s.As(s.S1), &model.QuoteActionRequest{Quote: qa.ID})
	})
	approve := func(p *rulestest.Party) (*model.Token, error) {
		return r.ApproveFinancing(s.As(p), &model.ApproveFinancingRequest{Token: s.Root, DisbursementRef: "WIRE-9", AgreementHash: make([]byte, 32)})
	}
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) { return approve(s.BankA) })
	if got := must(approve(s.BankB)); got.Status != model.TokenFinanced || got.Holder != s.BankB.ID {
		t.Fatalf("approved %+v", got)
	}
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) { return approve(s.BankB) })
	if page := must(r.RFQs(s.As(s.BankA), &model.PageRequest{Owner: s.BankA.ID, PageSize: 10})); len(page.Items) != 1 {
		t.Fatalf("BankA lists %d RFQs", len(page.Items))
	}
}

// openQuoted opens a quoted amount as the holder, the bank and the
// regulator (its envelope and its audit handle), which must agree.
func openQuoted(t *testing.T, s *rulestest.Scenario, bank *rulestest.Party, a *model.SealedAmount, purpose string) uint64 {
	t.Helper()
	c := mustCommitment(a.Commitment)
	var v uint64
	for i, k := range []struct {
		key *envelope.PrivateKey
		env []byte
	}{{s.S1.Key, a.HolderEnvelope}, {bank.Key, a.BankEnvelope}, {s.Regulator.Key, a.RegulatorEnvelope}} {
		o, err := envelope.Open(k.key, k.env, protocol.OutputBinding(c, purpose))
		if err != nil || (i > 0 && o.Value != v) {
			t.Fatalf("%s envelope %d: %v (%d vs %d)", purpose, i, err, o.Value, v)
		}
		v = o.Value
	}
	if !s.AuditKey.CheckValue(c, must(auditHandle(a.Handle)), v) {
		t.Fatalf("regulator's handle of the %s does not open to %d", purpose, v)
	}
	return v
}

// TestQuotesRefused: each bad quote or acceptance leaves the ledger as it was.
func TestQuotesRefused(t *testing.T) {
	over := func(v uint64) *uint64 { return &v }
	for _, c := range []struct {
		name string
		// run commits any setup and returns the call that must be refused.
		run  func(t *testing.T, e quoteEnv) func() (any, error)
		want *model.Error
	}{
		{"quote advance above face", func(t *testing.T, e quoteEnv) func() (any, error) {
			in := quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 0, terms.BP)
			in.ClaimAdvance = over(rulestest.RootAmount + 1)
			return func() (any, error) { return quoteReq(t, e, e.s.BankA, in) }
		}, model.ErrInvalidProof},
		{"quote advance above the cap", func(t *testing.T, e quoteEnv) func() (any, error) {
			in := quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 0, 9000)
			in.ClaimAdvance = over(rulestest.RootAmount * 95 / 100)
			return func() (any, error) { return quoteReq(t, e, e.s.BankA, in) }
		}, model.ErrInvalidProof},
		{"quote against a looser cap than the channel's", func(t *testing.T, e quoteEnv) func() (any, error) {
			return func() (any, error) {
				return quoteReq(t, e, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 0, terms.BP))
			}
		}, model.ErrInvalidProof},
		{"sealed terms swapped after proving", func(t *testing.T, e quoteEnv) func() (any, error) {
			req := buildQuote(t, e.s, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			req2 := buildQuote(t, e.s, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 4, 9000))
			req.HolderSealedTerms, req.TermsDigest = req2.HolderSealedTerms, req2.TermsDigest
			return func() (any, error) { return e.s.Rules.SubmitQuote(e.s.As(e.s.BankA), req) }
		}, model.ErrInvalidProof},
		{"recourse flipped after proving", func(t *testing.T, e quoteEnv) func() (any, error) {
			req := buildQuote(t, e.s, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			req.Recourse = !req.Recourse
			return func() (any, error) { return e.s.Rules.SubmitQuote(e.s.As(e.s.BankA), req) }
		}, model.ErrInvalidProof},
		{"bank not invited", func(t *testing.T, e quoteEnv) func() (any, error) {
			rfq := askQuotes(t, e.s, e.s.BankA)
			in := quoteInput(t, e.s, e.rfq, e.s.BankB, quote(), 3, 9000)
			in.RFQ = rfq.ID
			return func() (any, error) { return quoteReq(t, e, e.s.BankB, in) }
		}, model.ErrForbidden},
		{"second open quote by one bank", func(t *testing.T, e quoteEnv) func() (any, error) {
			submitQuote(t, e.s, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			return func() (any, error) {
				return quoteReq(t, e, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 2, 9000))
			}
		}, model.ErrConflict},
		{"quote after the RFQ expired", func(t *testing.T, e quoteEnv) func() (any, error) {
			e.s.Now = e.rfq.Expiry.Add(time.Second)
			return func() (any, error) {
				return quoteReq(t, e, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			}
		}, model.ErrInvalidState},
		{"accept an expired quote", func(t *testing.T, e quoteEnv) func() (any, error) {
			q, _ := submitQuote(t, e.s, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			e.s.Now = q.Expiry.Add(time.Second)
			return func() (any, error) {
				return e.s.Rules.AcceptQuote(e.s.As(e.s.S1), &model.QuoteActionRequest{Quote: q.ID})
			}
		}, model.ErrInvalidState},
		{"accept a withdrawn quote", func(t *testing.T, e quoteEnv) func() (any, error) {
			q, _ := submitQuote(t, e.s, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			if w := must(e.s.Rules.WithdrawQuote(e.s.As(e.s.BankA), &model.QuoteActionRequest{Quote: q.ID})); w.Status != model.QuoteWithdrawn {
				t.Fatalf("withdrawn %+v", w)
			}
			return func() (any, error) {
				return e.s.Rules.AcceptQuote(e.s.As(e.s.S1), &model.QuoteActionRequest{Quote: q.ID})
			}
		}, model.ErrInvalidState},
		{"accept after cancelling the RFQ", func(t *testing.T, e quoteEnv) func() (any, error) {
			q, _ := submitQuote(t, e.s, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			must(e.s.Rules.CancelQuotes(e.s.As(e.s.S1), &model.RFQActionRequest{RFQ: e.rfq.ID}))
			if v := must(e.s.Rules.GetRFQ(e.s.As(e.s.BankA), e.rfq.ID)); v.Quotes[0].Status != model.QuoteLapsed {
				t.Fatalf("after cancel %+v", v)
			}
			return func() (any, error) {
				return e.s.Rules.AcceptQuote(e.s.As(e.s.S1), &model.QuoteActionRequest{Quote: q.ID})
			}
		}, model.ErrInvalidState},
		{"accept by another enterprise", func(t *testing.T, e quoteEnv) func() (any, error) {
			q, _ := submitQuote(t, e.s, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			return func() (any, error) {
				return e.s.Rules.AcceptQuote(e.s.As(e.s.S2), &model.QuoteActionRequest{Quote: q.ID})
			}
		}, model.ErrForbidden},
		{"accept after the token moved", func(t *testing.T, e quoteEnv) func() (any, error) {
			q, _ := submitQuote(t, e.s, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			must(e.s.Rules.Transfer(e.s.As(e.s.S1), e.s.SplitRequest(protocol.KindTransfer, e.s.S1,
				opened(e.s.Root, e.s.RootOpening), rulestest.To(e.s.S2, rulestest.Opening(rulestest.RootAmount)))))
			return func() (any, error) {
				return e.s.Rules.AcceptQuote(e.s.As(e.s.S1), &model.QuoteActionRequest{Quote: q.ID})
			}
		}, model.ErrConflict},
		{"accept once the cap tightened", func(t *testing.T, e quoteEnv) func() (any, error) {
			q, _ := submitQuote(t, e.s, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			setCap(t, e.s, 8000)
			return func() (any, error) {
				return e.s.Rules.AcceptQuote(e.s.As(e.s.S1), &model.QuoteActionRequest{Quote: q.ID})
			}
		}, model.ErrInvalidState},
		{"withdraw another bank's quote", func(t *testing.T, e quoteEnv) func() (any, error) {
			q, _ := submitQuote(t, e.s, e.s.BankA, quoteInput(t, e.s, e.rfq, e.s.BankA, quote(), 3, 9000))
			return func() (any, error) {
				return e.s.Rules.WithdrawQuote(e.s.As(e.s.BankB), &model.QuoteActionRequest{Quote: q.ID})
			}
		}, model.ErrForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newScenario(t)
			setCap(t, s, 9000)
			call := c.run(t, quoteEnv{s: s, rfq: askQuotes(t, s, s.BankA, s.BankB)})
			if err := expectRefused(t, s.State, c.want, call); !errors.Is(err, c.want) {
				t.Fatal(err)
			}
		})
	}
}

// quoteReq builds and submits a quote, returning the chaincode's answer.
func quoteReq(t *testing.T, e quoteEnv, bank *rulestest.Party, in protocol.QuoteInput) (any, error) {
	t.Helper()
	return e.s.Rules.SubmitQuote(e.s.As(bank), buildQuote(t, e.s, in))
}

func buildQuote(t *testing.T, s *rulestest.Scenario, in protocol.QuoteInput) *model.SubmitQuoteRequest {
	t.Helper()
	req, _, err := protocol.BuildQuote(s.Ctx(), in, s.Auditor(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// quoteEnv is a refused case's world: S1 has asked BankA and BankB.
type quoteEnv struct {
	s   *rulestest.Scenario
	rfq *model.RFQ
}
