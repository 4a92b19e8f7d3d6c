package wallet_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
)

// TestQuotes: the holder's wallet asks two banks; each bank's wallet opens
// the face and builds its sealed quote; the holder's wallet opens both
// side by side and checks them; a quote whose sealed terms disagree with
// what the bank committed to is shown invalid and cannot be accepted; after
// acceptance and approval the bank's wallet holds the token and both sides
// open the financing with the sealed terms.
func TestQuotes(t *testing.T) {
	ctx := context.Background()
	h, s := scenario(t, storetest.SQLite(t))
	must(h.Rules.SetFinancingPolicy(h.As(h.Operator), &model.SetFinancingPolicyRequest{MaxAdvanceBP: 9000, GraceDays: 5}))
	h.sync(t, h.S1)
	dir := h.directory(h.S1)
	banks := []protocol.Recipient{must(dir.Recipient(ctx, h.BankA.ID)), must(dir.Recipient(ctx, h.BankB.ID))}
	rfqReq := must(h.wallet.BuildRequestQuotes(ctx, h.ledger(h.S1), h.S1.ID, s.Root, banks, h.Now.Add(48*3600e9)))
	rfq := must(h.Rules.RequestQuotes(h.As(h.S1), rfqReq))

	spec := func(bank *rulestest.Party, fee uint64) wallet.QuoteSpec {
		return wallet.QuoteSpec{Bank: bank.ID, RFQ: rfq.ID, Holder: must(dir.Recipient(ctx, h.S1.ID)), Auditor: must(dir.Auditor(ctx)),
			Terms: financingTerms(), Fee: fee}
	}
	reqA, advA, err := h.wallet.BuildQuote(ctx, h.ledger(h.BankA), spec(h.BankA, 2))
	if err != nil {
		t.Fatal(err)
	}
	qa := must(h.Rules.SubmitQuote(h.As(h.BankA), reqA))
	// BankB commits to less than its sealed terms pay: within face and
	// the cap, so the chaincode (which cannot see the terms) takes it; the
	// holder's wallet shows it invalid and will not accept it.
	short := advA.Advance - 10
	reqB, _, err := protocol.BuildQuote(h.Ctx(), protocol.QuoteInput{Currency: rulestest.Currency, RFQ: rfq.ID, Token: s.Root, Requester: h.S1.Recipient(),
		Bank: h.BankB.Recipient(), Face: s.RootOpening, Maturity: rulestest.Maturity, Terms: financingTerms(), Fee: 2,
		MaxAdvanceBP: 9000, ClaimAdvance: &short}, h.Auditor(), nil)
	if err != nil {
		t.Fatal(err)
	}
	qb := must(h.Rules.SubmitQuote(h.As(h.BankB), reqB))

	view, quotes, err := h.wallet.OpenQuotes(ctx, h.ledger(h.S1), h.S1.ID, rfq.ID)
	if err != nil || len(quotes) != 2 || view.Status != model.RFQOpen {
		t.Fatalf("holder opens %d quotes: %v", len(quotes), err)
	}
	for _, q := range quotes {
		switch q.Quote.ID {
		case qa.ID:
			if !q.Valid || q.Face != rulestest.RootAmount || q.Terms != financingTerms() || q.Figures != advA || q.Advance != advA.Advance {
				t.Fatalf("BankA's quote: %+v", q)
			}
		case qb.ID:
			if q.Valid || q.Advance != short || q.Problem == "" {
				t.Fatalf("BankB's short quote: %+v", q)
			}
		}
	}
	// A bank opens only its own quote.
	if _, bq, err := h.wallet.OpenQuotes(ctx, h.ledger(h.BankA), h.BankA.ID, rfq.ID); err != nil || len(bq) != 1 || !bq[0].Valid {
		t.Fatalf("BankA opens %+v: %v", bq, err)
	}
	// Nobody else reads it.
	if _, _, err := h.wallet.OpenQuotes(ctx, h.ledger(h.S2), h.S2.ID, rfq.ID); err == nil {
		t.Fatal("S2 opened the RFQ")
	}

	before := h.snapshot(t)
	if _, err := h.wallet.CheckAcceptable(ctx, h.ledger(h.S1), h.S1.ID, "q-unknown"); err == nil {
		t.Fatal("an unknown quote is acceptable")
	}
	if _, err := h.wallet.CheckAcceptable(ctx, h.ledger(h.S1), h.S1.ID, qb.ID); !errors.Is(err, wallet.ErrInvalidArgument) {
		t.Fatalf("the short quote: %v", err)
	}
	if after := h.snapshot(t); !reflect.DeepEqual(before, after) {
		t.Fatal("checking a quote changed a wallet")
	}
	oq, err := h.wallet.CheckAcceptable(ctx, h.ledger(h.S1), h.S1.ID, qa.ID)
	if err != nil || oq.Advance != advA.Advance {
		t.Fatalf("acceptable %+v: %v", oq, err)
	}
	tok := must(h.Rules.AcceptQuote(h.As(h.S1), &model.QuoteActionRequest{Quote: qa.ID}))
	must(h.Rules.ApproveFinancing(h.As(h.BankA), &model.ApproveFinancingRequest{Token: tok.ID, DisbursementRef: "W-Q", AgreementHash: make([]byte, 32)}))
	h.sync(t, h.BankA)
	if hb := h.holding(t, h.BankA, rulestest.RootAmount); hb.TokenID != s.Root {
		t.Fatalf("the bank holds %+v", hb)
	}
	piece := must(h.Rules.GetToken(h.As(h.S1), s.Root))
	for _, p := range []*rulestest.Party{h.S1, h.BankA} {
		got, err := h.wallet.OpenFinancing(ctx, p.ID, piece)
		if err != nil || got.Advance != advA.Advance || got.Quote != advA || got.Terms != financingTerms() || got.MaxAdvanceBP != 9000 {
			t.Fatalf("%s opens the financing %+v: %v", p.ID, got, err)
		}
	}

	// BankA sells the piece on to BankB (forfaiting): only the two banks
	// open the price; BankB's wallet then holds the piece.
	resale := wallet.ResaleSpec{Seller: h.BankA.ID, Token: s.Root, Buyer: must(dir.Recipient(ctx, h.BankB.ID)), Auditor: must(dir.Auditor(ctx)), Price: 870}
	if _, err := h.wallet.BuildResale(ctx, h.ledger(h.BankA), wallet.ResaleSpec{Seller: h.BankA.ID, Token: s.Root, Buyer: resale.Buyer,
		Auditor: resale.Auditor, Price: rulestest.RootAmount + 1}); !errors.Is(err, wallet.ErrInvalidArgument) {
		t.Fatalf("a price above face: %v", err)
	}
	if _, err := h.wallet.BuildResale(ctx, h.ledger(h.BankB), wallet.ResaleSpec{Seller: h.BankB.ID, Token: s.Root, Buyer: resale.Buyer,
		Auditor: resale.Auditor, Price: 10}); err == nil {
		t.Fatal("BankB offered a piece it does not hold")
	}
	offered := must(h.Rules.OfferResale(h.As(h.BankA), must(h.wallet.BuildResale(ctx, h.ledger(h.BankA), resale))))
	ov := offered.View(h.Now)
	for _, p := range []*rulestest.Party{h.BankA, h.BankB} {
		if got, err := h.wallet.OpenResale(ctx, p.ID, &ov); err != nil || got.Price != 870 || got.Face != rulestest.RootAmount {
			t.Fatalf("%s opens the resale %+v: %v", p.ID, got, err)
		}
	}
	if _, err := h.wallet.OpenResale(ctx, h.S1.ID, &ov); !errors.Is(err, wallet.ErrNotFound) {
		t.Fatalf("the seller of the receivable opens the resale: %v", err)
	}
	must(h.Rules.AcceptResale(h.As(h.BankB), &model.AcceptResaleRequest{Token: s.Root, PaymentRef: "FORFAIT-1"}))
	h.sync(t, h.BankB)
	if hb := h.holding(t, h.BankB, rulestest.RootAmount); hb.TokenID != s.Root {
		t.Fatalf("the buyer holds %+v", hb)
	}
}
