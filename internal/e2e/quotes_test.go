package e2e

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

var (
	secondBankOnce sync.Once
	secondBank     *party
)

// bankA registers a second bank (BankA's own identity) once per binary,
// so that two banks compete for one token.
func bankA(t *testing.T, w *world) *party {
	t.Helper()
	secondBankOnce.Do(func() {
		p := newParty(t, "bankA", "BankA", "User1", model.RoleBank)
		w.operator.must(t, "RegisterEnterprise", &model.RegisterEnterpriseRequest{ID: p.id, Name: "bankA Ltd", Role: p.role,
			MSPID: p.mspID, Certificate: p.certDER, EncryptionKey: p.key.Public().Bytes()}, nil)
		secondBank = p
	})
	if secondBank == nil {
		t.Fatal("second bank's registration failed in an earlier test")
	}
	return secondBank
}

// refusedByEndorsers checks that err is the endorsers' refusal with code.
func refusedByEndorsers(t *testing.T, what string, err error, code model.Code) {
	t.Helper()
	var ee *client.EndorseError
	if !errors.As(err, &ee) || !strings.Contains(detail(err).Error(), string(code)) {
		t.Fatalf("%s: %v, want the endorsers to refuse it with %s", what, detail(err), code)
	}
}

// TestQuotesOnRealNetwork: tier 1 asks two banks (each on its own peer)
// for quotes on one token; each bank opens the face and answers with a
// sealed quote whose bounds every endorser verifies; tier 1 opens both and
// checks each advance against its sealed terms; it accepts the two at once
// and exactly one acceptance commits; the losing bank learns only that its
// quote lapsed; both banks approve at once and only the winner's approval
// commits. Bad inputs (an advance above face, accepting a withdrawn,
// expired or already accepted quote) are refused and the chain does not
// grow.
func TestQuotesOnRealNetwork(t *testing.T) {
	w := setup(t)
	tier1, bankB, regulator := w.tier1, w.bank, w.regulator
	bankA := bankA(t, w)
	maturity := time.Now().UTC().AddDate(0, 3, 0)
	root, o := w.issue(t, maturity, 400_000_00)
	var policy model.FinancingPolicy
	res, err := regulator.conn.Contract("tierchain").EvaluateTransaction("GetFinancingPolicy")
	if err != nil || jsonInto(res, &policy) != nil {
		t.Fatalf("policy %s: %v", res, detail(err))
	}

	start := time.Now()
	rfqReq := must(protocol.BuildRequestQuotes(protocol.OpenedToken{ID: root.ID, Currency: root.Currency, Opening: o},
		[]protocol.Recipient{bankA.recipient(), bankB.recipient()}, time.Now().UTC().Add(time.Hour).Truncate(time.Second), nil))
	var rfq model.RFQ
	tier1.must(t, "RequestQuotes", rfqReq, &rfq)

	today := time.Now().UTC().Truncate(24 * time.Hour)
	quoteFor := func(bank *party, tm terms.Terms, fee uint64, claim *uint64) (*model.SubmitQuoteRequest, terms.Advance) {
		t.Helper()
		face, err := envelope.Open(bank.key, rfq.Invited(bank.id).BankEnvelope, protocol.OutputBinding(o.Commitment(), protocol.PurposeBank))
		if err != nil || face.Value != 400_000_00 {
			t.Fatalf("%s opens the face: %v", bank.id, err)
		}
		req, adv, err := protocol.BuildQuote(w.ctx, protocol.QuoteInput{Currency: root.Currency, RFQ: rfq.ID, Token: root.ID, Requester: tier1.recipient(),
			Bank: bank.recipient(), Face: face, Maturity: root.Maturity, Terms: tm, Fee: fee, MaxAdvanceBP: policy.MaxAdvanceBP,
			ClaimAdvance: claim}, w.auditor, nil)
		if err != nil {
			t.Fatal(err)
		}
		return req, adv
	}
	expiry := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	termsA := terms.Terms{AdvanceRateBP: 9000, DiscountRateBP: 500, DayCount: terms.ACT360, PenaltyRateBP: 1200, Recourse: true,
		ValueDate: today, Expiry: expiry}
	termsB := terms.Terms{AdvanceRateBP: 8800, DiscountRateBP: 420, DayCount: terms.ACT365, PenaltyRateBP: 1000,
		ValueDate: today, Expiry: expiry}

	// An advance above face is refused by the endorsers.
	over := uint64(400_000_01)
	badReq, _ := quoteFor(bankA, termsA, 0, &over)
	before := height(t, tier1.conn)
	refusedByEndorsers(t, "advance above face", bankA.submit(t, "SubmitQuote", badReq, nil), model.CodeInvalidProof)
	if h := height(t, tier1.conn); h != before {
		t.Fatalf("chain height %d after a refused quote, was %d", h, before)
	}

	// BankA quotes, withdraws and quotes again; the withdrawn quote cannot be accepted.
	first, _ := quoteFor(bankA, termsA, 200_00, nil)
	var withdrawn model.Quote
	bankA.must(t, "SubmitQuote", first, &withdrawn)
	bankA.must(t, "WithdrawQuote", &model.QuoteActionRequest{Quote: withdrawn.ID}, nil)
	before = height(t, tier1.conn)
	refusedByEndorsers(t, "accepting a withdrawn quote", tier1.submit(t, "AcceptQuote", &model.QuoteActionRequest{Quote: withdrawn.ID}, nil), model.CodeInvalidState)
	if h := height(t, tier1.conn); h != before {
		t.Fatalf("chain height %d after a refused acceptance, was %d", h, before)
	}
	reqA, advA := quoteFor(bankA, termsA, 150_00, nil)
	reqB, advB := quoteFor(bankB, termsB, 100_00, nil)
	var qa, qb model.Quote
	bankA.must(t, "SubmitQuote", reqA, &qa)
	bankB.must(t, "SubmitQuote", reqB, &qb)

	// Tier 1 reads both quotes from its peer and checks each.
	var view model.RFQView
	res, err = tier1.conn.Contract("tierchain").EvaluateTransaction("GetRFQ", rfq.ID)
	if err != nil || jsonInto(res, &view) != nil || len(view.Quotes) != 3 {
		t.Fatalf("holder's view %s: %v", res, detail(err))
	}
	for _, c := range []struct {
		q   model.Quote
		tm  terms.Terms
		adv terms.Advance
	}{{qa, termsA, advA}, {qb, termsB, advB}} {
		qt := must(protocol.OpenQuoteTerms(tier1.key, &c.q, c.q.HolderSealedTerms))
		adv := must(envelope.Open(tier1.key, c.q.Advance.HolderEnvelope, protocol.OutputBinding(must(decodeC(c.q.Advance.Commitment)), protocol.PurposeAdvance)))
		fee := must(envelope.Open(tier1.key, c.q.Fee.HolderEnvelope, protocol.OutputBinding(must(decodeC(c.q.Fee.Commitment)), protocol.PurposeFee)))
		if got := must(protocol.CheckQuoteAmounts(qt, 400_000_00, adv.Value, fee.Value, root.Maturity)); qt.Terms != c.tm || got != c.adv {
			t.Fatalf("quote %s: terms %+v, advance %+v, want %+v", c.q.ID, qt.Terms, got, c.adv)
		}
	}

	// Tier 1 accepts both at once: one commits, the other is refused
	// (by the endorsers, or at commit as a read conflict on the RFQ).
	results := make([]error, 2)
	var wg sync.WaitGroup
	for i, q := range []model.Quote{qa, qb} {
		wg.Go(func() { results[i] = tier1.submit(t, "AcceptQuote", &model.QuoteActionRequest{Quote: q.ID}, nil) })
	}
	wg.Wait()
	awaitPeers(t, height(t, tier1.conn))
	if (results[0] == nil) == (results[1] == nil) {
		t.Fatalf("concurrent acceptances: %v / %v, want exactly one to commit", detail(results[0]), detail(results[1]))
	}
	winner, loser, won, lost := bankA, bankB, qa, qb
	if results[1] == nil {
		winner, loser, won, lost = bankB, bankA, qb, qa
	}
	tok := regulator.token(t, root.ID)
	if tok.Status != model.TokenFinancing || tok.Financing.Bank != winner.id || tok.Financing.Quote.Quote != won.ID {
		t.Fatalf("after acceptance %s at %s", tok.Status, tok.Financing.Bank)
	}
	t.Logf("request, 4 quotes (2 refused or withdrawn), acceptance committed in %s", time.Since(start).Round(time.Millisecond))

	// The loser sees its quote lapsed and nothing of the winner's.
	var lview model.RFQView
	res, err = loser.conn.Contract("tierchain").EvaluateTransaction("GetRFQ", rfq.ID)
	if err != nil || jsonInto(res, &lview) != nil {
		t.Fatalf("loser's view: %v", detail(err))
	}
	for _, q := range lview.Quotes {
		if q.Quote.Bank != loser.id || (q.Quote.ID == lost.ID && q.Status != model.QuoteLapsed) {
			t.Fatalf("loser sees %s by %s (%s)", q.Quote.ID, q.Quote.Bank, q.Status)
		}
	}
	if lview.RFQ.Accepted != "" || lview.Status != model.RFQAccepted {
		t.Fatalf("loser's RFQ %+v", lview.RFQ)
	}

	// Accepting twice is refused.
	before = height(t, tier1.conn)
	refusedByEndorsers(t, "accepting twice", tier1.submit(t, "AcceptQuote", &model.QuoteActionRequest{Quote: won.ID}, nil), model.CodeInvalidState)
	if h := height(t, tier1.conn); h != before {
		t.Fatalf("chain height %d after accepting twice, was %d", h, before)
	}

	// Both banks approve at once: only the winner's commits.
	for i, b := range []*party{winner, loser} {
		wg.Go(func() {
			results[i] = b.submit(t, "ApproveFinancing", &model.ApproveFinancingRequest{Token: root.ID, DisbursementRef: "SWIFT-RFQ-" + b.id,
				AgreementHash: make([]byte, 32)}, nil)
		})
	}
	wg.Wait()
	awaitPeers(t, height(t, tier1.conn))
	if results[0] != nil {
		t.Fatalf("winner's approval: %v", detail(results[0]))
	}
	refusedByEndorsers(t, "the losing bank's approval", results[1], model.CodeForbidden)
	if tok := regulator.token(t, root.ID); tok.Status != model.TokenFinanced || tok.Holder != winner.id {
		t.Fatalf("after approval: %s held by %s", tok.Status, tok.Holder)
	}
	t.Logf("request-quote-accept-approve cycle on the network in %s", time.Since(start).Round(time.Millisecond))

	// The regulator opens the winning terms from the ledger and checks the advance.
	tok = regulator.token(t, root.ID)
	qt := must(protocol.OpenQuoteTerms(regulator.key, tok.Financing.Quoted(), tok.Financing.Quote.RegulatorSealedTerms))
	adv := must(envelope.Open(regulator.key, tok.Financing.Quote.Advance.RegulatorEnvelope,
		protocol.OutputBinding(must(decodeC(tok.Financing.Quote.Advance.Commitment)), protocol.PurposeAdvance)))
	fee := must(envelope.Open(regulator.key, tok.Financing.Quote.Fee.RegulatorEnvelope,
		protocol.OutputBinding(must(decodeC(tok.Financing.Quote.Fee.Commitment)), protocol.PurposeFee)))
	if _, err := protocol.CheckQuoteAmounts(qt, 400_000_00, adv.Value, fee.Value, root.Maturity); err != nil {
		t.Fatalf("regulator's reconciliation: %v", err)
	}

	// Forfaiting: the loser cannot sell a piece it does not hold; the
	// winner sells it to the loser at a price only they and the regulator
	// open; the loser then holds it.
	offer := func(seller, buyer *party) *model.OfferResaleRequest {
		return must(protocol.BuildResale(w.ctx, protocol.ResaleInput{Token: protocol.OpenedToken{ID: root.ID, Currency: root.Currency, Opening: o},
			Seller: seller.recipient(), Buyer: buyer.recipient(), Price: 385_000_00}, w.auditor, nil))
	}
	before = height(t, tier1.conn)
	refusedByEndorsers(t, "reselling a piece that is not the seller's", loser.submit(t, "OfferResale", offer(loser, winner), nil), model.CodeForbidden)
	if h := height(t, tier1.conn); h != before {
		t.Fatalf("chain height %d after a refused resale, was %d", h, before)
	}
	winner.must(t, "OfferResale", offer(winner, loser), nil)
	var sold model.Token
	loser.must(t, "AcceptResale", &model.AcceptResaleRequest{Token: root.ID, PaymentRef: "SWIFT-FORFAIT-E2E"}, &sold)
	tok = regulator.token(t, root.ID)
	if tok.Holder != loser.id || tok.Status != model.TokenFinanced || len(tok.Resales) != 1 {
		t.Fatalf("after the resale: %s held by %s, %d sales", tok.Status, tok.Holder, len(tok.Resales))
	}
	price := tok.Resales[0].Price
	for _, k := range []*party{winner, loser, regulator} {
		env := map[*party][]byte{winner: price.HolderEnvelope, loser: price.BankEnvelope, regulator: price.RegulatorEnvelope}[k]
		if got := must(envelope.Open(k.key, env, protocol.OutputBinding(must(decodeC(price.Commitment)), protocol.PurposePrice))); got.Value != 385_000_00 {
			t.Fatalf("%s opens the price to %d", k.id, got.Value)
		}
	}
}

// TestExpiredQuoteOnRealNetwork: a quote that expires before the holder
// accepts it is refused by the endorsers (the transaction's timestamp is
// the only clock).
func TestExpiredQuoteOnRealNetwork(t *testing.T) {
	w := setup(t)
	tier1, bankB := w.tier1, w.bank
	root, o := w.issue(t, time.Now().UTC().AddDate(0, 2, 0), 50_000_00)
	var rfq model.RFQ
	tier1.must(t, "RequestQuotes", must(protocol.BuildRequestQuotes(protocol.OpenedToken{ID: root.ID, Currency: root.Currency, Opening: o},
		[]protocol.Recipient{bankB.recipient()}, time.Now().UTC().Add(time.Hour).Truncate(time.Second), nil)), &rfq)
	expiry := time.Now().UTC().Add(4 * time.Second).Truncate(time.Second)
	face := must(envelope.Open(bankB.key, rfq.Invited(bankB.id).BankEnvelope, protocol.OutputBinding(o.Commitment(), protocol.PurposeBank)))
	req, _, err := protocol.BuildQuote(w.ctx, protocol.QuoteInput{Currency: root.Currency, RFQ: rfq.ID, Token: root.ID, Requester: tier1.recipient(), Bank: bankB.recipient(),
		Face: face, Maturity: root.Maturity, Terms: terms.Terms{AdvanceRateBP: 8000, DiscountRateBP: 300, DayCount: terms.ACT360,
			ValueDate: time.Now().UTC().Truncate(24 * time.Hour), Expiry: expiry}, MaxAdvanceBP: terms.BP}, w.auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var q model.Quote
	bankB.must(t, "SubmitQuote", req, &q)
	time.Sleep(time.Until(expiry) + 1500*time.Millisecond)
	before := height(t, tier1.conn)
	refusedByEndorsers(t, "accepting an expired quote", tier1.submit(t, "AcceptQuote", &model.QuoteActionRequest{Quote: q.ID}, nil), model.CodeInvalidState)
	if h := height(t, tier1.conn); h != before {
		t.Fatalf("chain height %d after a refused acceptance, was %d", h, before)
	}
	if tok := w.regulator.token(t, root.ID); tok.Status != model.TokenActive {
		t.Fatalf("token after the refused acceptance: %s", tok.Status)
	}
}

func decodeC(b []byte) (*pedersen.Commitment, error) { return pedersen.DecodeCommitment(b) }
