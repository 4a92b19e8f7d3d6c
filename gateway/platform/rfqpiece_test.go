package platform_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/demo"
)

// TestQuotesOnPieceOverREST: tier 2 asks both banks for quotes on
// 100 000,00 of its 250 000,00, each bank at its own gateway sees the
// piece (not the token) and quotes; tier 2 accepts Bank A's, which splits
// the token in the acceptance's transaction: the piece FINANCING at Bank A,
// the change 150 000,00 ACTIVE with tier 2, Bank B's quote LAPSED; Bank A
// approves. A piece as large as the token is refused (400) before anything
// is submitted, and the token stays ACTIVE.
//
// Invoice numbers (issue 19): each invited bank's view of the request
// lists the receivable's invoice numbers, verified against the ledger,
// and the requester's lists none; a request on the change to Bank B alone
// is refused to Bank A (403) and shows Bank B the numbers. Bank A offers
// the financed piece to Bank B: the buyer's view of the offer shows the
// numbers verified, the seller's none.
func TestQuotesOnPieceOverREST(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res := storyUntilPay(t, ctx, c, "-rp")
	tier2 := &demo.Client{Base: c.Router, Token: res.SupplierTokens[1]}
	banks := map[string]*demo.Client{"bankA": {Base: c.Router, Token: c.Token("bankA")}, "bankB": {Base: c.Router, Token: c.Token("bankB")}}
	tok := res.Held[1].ID                                                  // tier 2's 250 000,00
	numbers := []string{"HD-2026-417-rp", "HD-2026-418-rp"}                // the story's invoices
	expiry := time.Now().Add(20 * time.Minute).UTC().Truncate(time.Second) // the story matures in an hour

	err := tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+tok+"/rfq", map[string]any{"banks": []string{"bankA"}, "expiry": expiry, "piece": "250000.00"}, nil)
	var p *demo.Problem
	if !errors.As(err, &p) || p.Status != http.StatusBadRequest || !strings.Contains(p.Error(), "piece") {
		t.Fatalf("a piece of the whole token: %v, want 400 naming the piece", err)
	}

	var rfq struct {
		ID          string       `json:"id"`
		Partial     bool         `json:"partial"`
		Face        *demo.Money  `json:"face"`
		Quotes      []quote      `json:"quotes"`
		InvoiceRefs []invoiceRef `json:"invoiceRefs"`
	}
	if err := tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+tok+"/rfq", map[string]any{"banks": []string{"bankA", "bankB"},
		"expiry": expiry, "piece": "100000.00"}, &rfq); err != nil {
		t.Fatal(err)
	}
	var whole demo.Token
	if err := tier2.Do(ctx, http.MethodGet, "/v1/tokens/"+tok, nil, &whole); err != nil || whole.Status != "ACTIVE" {
		t.Fatalf("the token after asking: %+v %v", whole, err)
	}
	for i, bank := range []string{"bankA", "bankB"} {
		var seen struct {
			Face        *demo.Money  `json:"face"`
			Partial     bool         `json:"partial"`
			InvoiceRefs []invoiceRef `json:"invoiceRefs"`
		}
		if err := retry(ctx, func() error { return banks[bank].Do(ctx, http.MethodGet, "/v1/rfqs/"+rfq.ID, nil, &seen) }); err != nil {
			t.Fatal(err)
		}
		if seen.Face == nil || seen.Face.Minor != 100_000_00 || !seen.Partial {
			t.Fatalf("%s sees face %+v, partial %v; want the piece 100000.00", bank, seen.Face, seen.Partial)
		}
		verifiedRefs(t, bank+"'s view of the request", seen.InvoiceRefs, numbers)
		if err := banks[bank].Do(ctx, http.MethodPost, "/v1/rfqs/"+rfq.ID+"/quotes", map[string]any{
			"terms": terms(bank == "bankA", 9000-200*i), "fee": "10.00"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for len(rfq.Quotes) < 2 {
		if err := tier2.Do(ctx, http.MethodGet, "/v1/rfqs/"+rfq.ID, nil, &rfq); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if rfq.Face == nil || rfq.Face.Minor != 100_000_00 {
		t.Fatalf("tier 2 sees face %+v", rfq.Face)
	}
	if len(rfq.InvoiceRefs) != 0 {
		t.Fatalf("the requester, not invited, sees invoice numbers %+v", rfq.InvoiceRefs)
	}
	var win *quote
	for i := range rfq.Quotes {
		if q := &rfq.Quotes[i]; q.Bank == "bankA" && q.Valid {
			win = q
		}
	}
	if win == nil {
		t.Fatalf("no valid quote by bankA: %+v", rfq.Quotes)
	}
	var acc struct {
		Token  demo.Token  `json:"token"`
		Change *demo.Token `json:"change"`
	}
	if err := tier2.Do(ctx, http.MethodPost, "/v1/quotes/"+win.ID+"/accept", nil, &acc); err != nil {
		t.Fatal(err)
	}
	if acc.Token.Status != "FINANCING" || acc.Token.ID == tok || acc.Change == nil || acc.Change.Status != "ACTIVE" ||
		acc.Change.Amount == nil || acc.Change.Amount.Minor != 150_000_00 {
		t.Fatalf("accepted: piece %+v, change %+v", acc.Token, acc.Change)
	}
	if err := tier2.Do(ctx, http.MethodGet, "/v1/tokens/"+tok, nil, &whole); err != nil || whole.Status != "SPLIT" {
		t.Fatalf("the token after acceptance: %+v %v", whole, err)
	}
	var fin demo.Token
	if err := retry(ctx, func() error {
		return banks["bankA"].Do(ctx, http.MethodPost, "/v1/tokens/"+acc.Token.ID+"/financing/approve", map[string]string{
			"disbursementRef": "RP-1", "agreementHash": strings.Repeat("ab", 32)}, &fin)
	}); err != nil {
		t.Fatal(err)
	}
	if fin.Status != "FINANCED" || fin.Holder != "bankA" {
		t.Fatalf("approved %+v", fin)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		var mine struct {
			Quotes []struct {
				Status string `json:"status"`
			} `json:"quotes"`
		}
		if err := banks["bankB"].Do(ctx, http.MethodGet, "/v1/rfqs/"+rfq.ID, nil, &mine); err != nil {
			t.Fatal(err)
		}
		if len(mine.Quotes) == 1 && mine.Quotes[0].Status == "LAPSED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("bankB sees %+v, want its quote LAPSED", mine.Quotes)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// A request on the change to Bank B alone: Bank A, not invited, is
	// refused it; Bank B sees the numbers.
	var only struct {
		ID string `json:"id"`
	}
	if err := tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+acc.Change.ID+"/rfq", map[string]any{"banks": []string{"bankB"},
		"expiry": expiry}, &only); err != nil {
		t.Fatal(err)
	}
	var invited struct {
		InvoiceRefs []invoiceRef `json:"invoiceRefs"`
	}
	if err := retry(ctx, func() error { return banks["bankB"].Do(ctx, http.MethodGet, "/v1/rfqs/"+only.ID, nil, &invited) }); err != nil {
		t.Fatal(err)
	}
	verifiedRefs(t, "bankB's view of the request on the change", invited.InvoiceRefs, numbers)
	var notInvited struct {
		InvoiceRefs []invoiceRef `json:"invoiceRefs"`
	}
	err = retry(ctx, func() error { return banks["bankA"].Do(ctx, http.MethodGet, "/v1/rfqs/"+only.ID, nil, &notInvited) })
	if !errors.As(err, &p) || p.Status != http.StatusForbidden || len(notInvited.InvoiceRefs) != 0 {
		t.Fatalf("bankA, not invited, reads the request: %v, numbers %+v; want 403 and none", err, notInvited.InvoiceRefs)
	}

	// Bank A offers the financed piece to Bank B: the buyer's view shows
	// the numbers, the seller's none.
	var offered resaleView
	if err := banks["bankA"].Do(ctx, http.MethodPost, "/v1/tokens/"+acc.Token.ID+"/resale", map[string]string{
		"buyer": "bankB", "price": "95000.00"}, &offered); err != nil {
		t.Fatal(err)
	}
	if offered.Buyer != "bankB" || offered.Price.Minor != 95_000_00 || len(offered.InvoiceRefs) != 0 {
		t.Fatalf("the seller's offer: buyer %s, price %+v, numbers %+v; want bankB, 95000.00, none", offered.Buyer, offered.Price, offered.InvoiceRefs)
	}
	var bought resaleView
	if err := retry(ctx, func() error {
		return banks["bankB"].Do(ctx, http.MethodGet, "/v1/tokens/"+acc.Token.ID+"/resale", nil, &bought)
	}); err != nil {
		t.Fatal(err)
	}
	if bought.Seller != "bankA" || bought.Price.Minor != 95_000_00 {
		t.Fatalf("the buyer's view: seller %s, price %+v", bought.Seller, bought.Price)
	}
	verifiedRefs(t, "the buyer's view of the resale", bought.InvoiceRefs, numbers)
	var sold resaleView
	if err := banks["bankA"].Do(ctx, http.MethodGet, "/v1/tokens/"+acc.Token.ID+"/resale", nil, &sold); err != nil || len(sold.InvoiceRefs) != 0 {
		t.Fatalf("the seller's view: numbers %+v, %v; want none", sold.InvoiceRefs, err)
	}
}

// invoiceRef is one of a view's invoiceRefs.
type invoiceRef struct {
	Invoice string `json:"invoice"`
	Number  string `json:"number"`
	Status  string `json:"status"`
}

// resaleView is GET /v1/tokens/{id}/resale's body.
type resaleView struct {
	Seller      string       `json:"seller"`
	Buyer       string       `json:"buyer"`
	Price       demo.Money   `json:"price"`
	InvoiceRefs []invoiceRef `json:"invoiceRefs"`
}

// verifiedRefs checks that refs are the invoices numbered want, in any
// order, each verified against the ledger.
func verifiedRefs(t *testing.T, what string, refs []invoiceRef, want []string) {
	t.Helper()
	got := map[string]bool{}
	for _, r := range refs {
		if r.Status != "verified" || r.Invoice == "" {
			t.Fatalf("%s: invoice %.16s… numbered %q is %s, want verified", what, r.Invoice, r.Number, r.Status)
		}
		got[r.Number] = true
	}
	if len(refs) != len(want) || len(got) != len(want) {
		t.Fatalf("%s: invoice numbers %+v, want %v", what, refs, want)
	}
	for _, n := range want {
		if !got[n] {
			t.Fatalf("%s: invoice numbers %+v, want %v", what, refs, want)
		}
	}
}
