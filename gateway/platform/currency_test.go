package platform_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/demo"
)

// currencyInvoice is tier 1's invoice to carmaker in currency.
func currencyInvoice(number, seller, amount, currency string) []byte {
	return fmt.Appendf(nil, `{"invoice": {"number": %q, "issueDate": %q, "dueDate": %q, "currency": %q, "amount": %q,
  "seller": {"id": %q, "name": %q}, "buyer": {"id": %q, "name": "华东汽车制造有限公司"}}}`,
		number, time.Now().UTC().Format("2006-01-02"), time.Now().UTC().AddDate(0, 3, 0).Format("2006-01-02"),
		currency, amount, seller, demo.SupplierNames[0], demo.CoreLegalID)
}

type currencyInvoiceView struct {
	ID       string      `json:"id"`
	Status   string      `json:"status"`
	Currency string      `json:"currency"`
	Supplier string      `json:"supplier"`
	Amount   *demo.Money `json:"amount"`
}

type creditLineView struct {
	Bank        string      `json:"bank"`
	Currency    string      `json:"currency"`
	Issued      uint64      `json:"issued"`
	LimitAmount demo.Money  `json:"limitAmount"`
	Used        *demo.Money `json:"used"`
	Left        *demo.Money `json:"left"`
	Partial     bool        `json:"partial"`
}

// TestCurrenciesOverREST: on the real network, invoices in CNY and USD
// are accepted with their currency; an issue over both is refused with
// 422 CURRENCY_MISMATCH and changes nothing; each receivable then draws on
// its own currency's line (the CNY one at bankB, which sees its line's use
// go up by the receivable's face), and totals are per currency.
func TestCurrenciesOverREST(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const suffix = "-cur"
	// Suppliers onboarded, lines in CNY and USD at both banks, two CNY
	// invoices confirmed.
	res, err := demo.Run(ctx, demo.Config{Base: c.Router, Tokens: c.Tokens(), Maturity: time.Hour, Suffix: suffix,
		StopBefore: "issue", Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	tier1 := &demo.Client{Base: c.Router, Token: res.SupplierTokens[0]}
	core := &demo.Client{Base: c.Router, Token: c.Token("carmaker")}
	seller := demo.SupplierLegalID(0, suffix)
	// eventually retries while the acting gateway's peer has not seen a
	// block committed through another gateway yet.
	eventually := func(f func() error) error {
		deadline := time.Now().Add(60 * time.Second)
		for {
			err := f()
			var p *demo.Problem
			if err == nil || !errors.As(err, &p) || (p.Status != http.StatusNotFound && p.Status != http.StatusConflict) ||
				time.Now().After(deadline) {
				return err
			}
			time.Sleep(500 * time.Millisecond)
		}
	}

	var usd currencyInvoiceView
	if err := tier1.Upload(ctx, currencyInvoice("HD-USD-1"+suffix, seller, "2500.50", "USD"), "application/json", nil, &usd); err != nil {
		t.Fatalf("a USD invoice: %v", err)
	}
	if usd.Currency != "USD" || usd.Amount == nil || usd.Amount.Currency != "USD" || usd.Amount.Minor != 2500_50 {
		t.Fatalf("the USD invoice as registered: %+v %+v", usd, usd.Amount)
	}
	if err := eventually(func() error {
		return core.Do(ctx, http.MethodPost, "/v1/invoices/"+usd.ID+"/confirm", map[string]string{"number": "HD-USD-1" + suffix, "seller": seller}, nil)
	}); err != nil {
		t.Fatal(err)
	}
	var owed struct {
		Items []currencyInvoiceView `json:"items"`
	}
	if err := core.Do(ctx, http.MethodGet, "/v1/invoices?pageSize=200", nil, &owed); err != nil {
		t.Fatal(err)
	}
	var cny []string
	for _, inv := range owed.Items {
		if inv.Supplier == res.Suppliers[0] && inv.Status == "CONFIRMED" && inv.Currency == "CNY" {
			cny = append(cny, inv.ID)
			if inv.Amount == nil || inv.Amount.Currency != "CNY" || inv.Amount.Sealed {
				t.Errorf("the core's view of a CNY invoice: %+v", inv.Amount)
			}
		}
	}
	if len(cny) != 2 {
		t.Fatalf("tier 1's confirmed CNY invoices at the core: %d, want 2: %+v", len(cny), owed.Items)
	}
	lines := func() map[string]creditLineView {
		var pg struct {
			Items []creditLineView `json:"items"`
		}
		if err := core.Do(ctx, http.MethodGet, "/v1/credit-lines", nil, &pg); err != nil {
			t.Fatal(err)
		}
		out := map[string]creditLineView{}
		for _, l := range pg.Items {
			out[l.Bank+"/"+l.Currency] = l
			if l.LimitAmount.Currency != l.Currency {
				t.Errorf("line %s/%s has its limit in %s", l.Bank, l.Currency, l.LimitAmount.Currency)
			}
		}
		return out
	}
	before := lines()
	if _, ok := before["bankA/CNY"]; !ok {
		t.Fatalf("carmaker's lines: %+v", before)
	}
	if _, ok := before["bankA/USD"]; !ok {
		t.Fatalf("carmaker's lines: %+v", before)
	}

	// A CNY and a USD invoice behind one receivable: refused, nothing changed.
	maturity := demo.EndOfDay(time.Now().AddDate(0, 2, 0))
	err = core.Do(ctx, http.MethodPost, "/v1/receivables", map[string]any{"holder": res.Suppliers[0], "bank": "bankA",
		"invoices": []string{cny[0], usd.ID}, "amount": "100.00", "maturity": maturity}, nil)
	var p *demo.Problem
	if !errors.As(err, &p) || p.Status != http.StatusUnprocessableEntity || p.Code != "CURRENCY_MISMATCH" ||
		!slices.ContainsFunc(p.Errors, func(e struct {
			Field  string `json:"field"`
			Reason string `json:"reason"`
		}) bool {
			return e.Field == "invoices[1]"
		}) {
		t.Fatalf("an issue over a CNY and a USD invoice: %v, want 422 CURRENCY_MISMATCH naming invoices[1]", err)
	}
	// A currency in the body that is not the invoices' is refused the same way.
	err = core.Do(ctx, http.MethodPost, "/v1/receivables", map[string]any{"holder": res.Suppliers[0], "bank": "bankA",
		"invoices": []string{usd.ID}, "amount": "100.00", "maturity": maturity, "currency": "CNY"}, nil)
	if !errors.As(err, &p) || p.Status != http.StatusUnprocessableEntity || p.Code != "CURRENCY_MISMATCH" {
		t.Fatalf("a USD issue stated in CNY: %v, want 422 CURRENCY_MISMATCH", err)
	}
	for _, id := range []string{cny[0], usd.ID} {
		var inv currencyInvoiceView
		if err := core.Do(ctx, http.MethodGet, "/v1/invoices/"+id, nil, &inv); err != nil || inv.Status != "CONFIRMED" {
			t.Errorf("invoice %s… after the refused issue: %+v %v", id[:12], inv, err)
		}
	}
	if after := lines(); after["bankA/CNY"].Issued != before["bankA/CNY"].Issued || after["bankA/USD"].Issued != before["bankA/USD"].Issued {
		t.Errorf("the refused issue moved a line: before %+v, after %+v", before, after)
	}

	// The bank's own view of its CNY line: used and left as its wallet
	// opens the roots issued against it.
	bankB := &demo.Client{Base: c.Router, Token: c.Token("bankB")}
	bankLine := func() creditLineView {
		var pg struct {
			Items []creditLineView `json:"items"`
		}
		if err := bankB.Do(ctx, http.MethodGet, "/v1/credit-lines?core=carmaker&currency=CNY", nil, &pg); err != nil {
			t.Fatal(err)
		}
		if len(pg.Items) != 1 || pg.Items[0].Used == nil || pg.Items[0].Left == nil || pg.Items[0].Partial ||
			pg.Items[0].Used.Minor+pg.Items[0].Left.Minor != pg.Items[0].LimitAmount.Minor {
			t.Fatalf("bankB's CNY line as bankB sees it: %+v", pg.Items)
		}
		return pg.Items[0]
	}
	bankBefore := bankLine()

	// Each currency on its own: a CNY and a USD receivable, side by side.
	for _, is := range []struct {
		invoices           []string
		amount, curr, bank string
		minor              uint64
	}{{cny, "1000000.00", "CNY", "bankB", 1_000_000_00}, {[]string{usd.ID}, "2500.50", "USD", "bankA", 2500_50}} {
		var tok demo.Token
		if err := core.Do(ctx, http.MethodPost, "/v1/receivables", map[string]any{"holder": res.Suppliers[0], "bank": is.bank,
			"invoices": is.invoices, "amount": is.amount, "maturity": maturity}, &tok); err != nil {
			t.Fatalf("issue in %s: %v", is.curr, err)
		}
		if tok.Currency != is.curr || tok.Amount == nil || tok.Amount.Currency != is.curr {
			t.Fatalf("issued in %s: %+v %+v", is.curr, tok, tok.Amount)
		}
		if err := eventually(func() error {
			return tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+tok.ID+"/accept", nil, &tok)
		}); err != nil {
			t.Fatal(err)
		}
		if tok.Amount == nil || tok.Amount.Minor != is.minor || tok.Amount.Currency != is.curr {
			t.Errorf("tier 1 opens %+v, want %s %s", tok.Amount, is.curr, is.amount)
		}
	}
	after := lines()
	if after["bankB/CNY"].Issued != before["bankB/CNY"].Issued+1 || after["bankA/USD"].Issued != before["bankA/USD"].Issued+1 {
		t.Errorf("each receivable on its own currency's line: before %+v, after %+v", before, after)
	}
	if b := bankLine(); b.Used.Minor != bankBefore.Used.Minor+1_000_000_00 || b.Used.Currency != "CNY" {
		t.Errorf("bankB's line used after a CNY 1000000.00 issue against it: %+v, before %+v", b.Used, bankBefore.Used)
	}
	var pf struct {
		Totals []struct {
			Currency string     `json:"currency"`
			Tokens   int        `json:"tokens"`
			Amount   demo.Money `json:"amount"`
		} `json:"totals"`
	}
	if err := tier1.Do(ctx, http.MethodGet, "/v1/portfolio", nil, &pf); err != nil {
		t.Fatal(err)
	}
	if len(pf.Totals) != 2 || pf.Totals[0].Currency != "CNY" || pf.Totals[0].Amount.Minor != 1_000_000_00 ||
		pf.Totals[0].Amount.Currency != "CNY" || pf.Totals[1].Currency != "USD" || pf.Totals[1].Amount.Minor != 2500_50 ||
		pf.Totals[1].Amount.Decimal != "2500.50" {
		t.Errorf("tier 1's totals: %+v, want CNY 1000000.00 and USD 2500.50 apart", pf.Totals)
	}
}
