package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/demo"
)

func init() {
	walkedPages = append(walkedPages,
		walkedPage{Name: "core", Role: "core", Token: func(c *platformtest.Consortium, _ *demo.Result) string { return c.Token("carmaker") },
			Tabs: []string{"invoices", "issue", "lines", "receivables"}},
		walkedPage{Name: "supplier", Role: "supplier", Token: func(_ *platformtest.Consortium, res *demo.Result) string { return res.SupplierTokens[0] },
			Tabs: []string{"invoices", "tokens"}},
		walkedPage{Name: "regulator", Role: "regulator", Token: func(c *platformtest.Consortium, _ *demo.Result) string { return c.Token("regulator") },
			Tabs: []string{"reconciliation", "provenance", "risk", "financing"}})
}

const docHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// coreFixtures: two invoices owed by carmaker (one registered, one
// confirmed) and a confirmed one in USD, lines at two banks in two
// currencies, and a receivable split into pieces the core cannot open.
func coreFixtures(f *fakeAPI, maturity time.Time) {
	f.enterprises = theParties()
	filing := func(number string, due time.Time) map[string]any {
		return map[string]any{"number": number, "seller": map[string]any{"name": "江苏精密部件", "legalId": "0192:913201"},
			"issueDate": "2026-12-01T00:00:00Z", "dueDate": due.Format(time.RFC3339), "documentSha256": docHash, "amountMatches": true}
	}
	inv := func(id, status, number string, amount map[string]any, due time.Time) map[string]any {
		return map[string]any{"id": strings.Repeat(id, 128/len(id)), "supplier": "tier1", "buyer": "carmaker", "status": status,
			"dueDate": due.Format(time.RFC3339), "registeredAt": "2026-12-02T03:00:00Z", "amount": amount, "filing": filing(number, due)}
	}
	due := maturity.Add(-24 * time.Hour)
	f.set("/v1/invoices", map[string]any{"items": []any{
		inv("a1", "REGISTERED", "INV-2026-417", cny(600000), due),
		inv("b2", "CONFIRMED", "INV-2026-418", cny(1000000), maturity),
		inv("c3", "CONFIRMED", "US-2026-9", usd(50000), due),
	}})
	f.set("/v1/credit-lines", map[string]any{"items": []any{
		map[string]any{"bank": "bankA", "core": "carmaker", "limitAmount": cny(5000000), "outstandingAmount": cny(1000000), "availableAmount": cny(4000000),
			"issued": 1, "settled": 0, "expiry": "2027-12-31T15:59:59Z"},
		map[string]any{"bank": "bankB", "core": "carmaker", "limitAmount": usd(800000), "outstandingAmount": usd(0), "availableAmount": usd(800000),
			"issued": 0, "settled": 0, "expiry": "2027-12-31T15:59:59Z"},
	}})
	tok := func(id, holder string, tier int, status string, amount map[string]any) map[string]any {
		return map[string]any{"id": id, "root": "root-1", "tier": tier, "issuer": "carmaker", "bank": "bankA", "holder": holder,
			"status": status, "maturity": maturity.Format(time.RFC3339), "amount": amount, "createdAt": fmt.Sprintf("2026-12-0%dT00:00:00Z", tier)}
	}
	f.set("/v1/tokens", map[string]any{"items": []any{
		tok("root-1", "tier1", 1, "SPLIT", cny(1000000)),
		tok("piece-2", "tier2", 2, "ACTIVE", sealed("CNY")),
		tok("piece-3", "tier1", 2, "ACTIVE", nil),
	}})
	f.onPost("/v1/receivables", func(body map[string]any) (int, any) {
		return 201, map[string]any{"id": "root-9", "root": "root-9", "tier": 1, "issuer": "carmaker", "bank": body["bank"], "holder": body["holder"],
			"status": "ACTIVE", "maturity": body["maturity"], "amount": cny(1000000)}
	})
}

// TestCorePagesInBrowser: a core enterprise's pages say what it needs to
// decide, in English and in Chinese: invoices by number and seller (never
// a document hash), the issue form's maturity as a date in the platform's
// zone (the end of that day there is what is sent), one currency per
// receivable, lines per currency, and its own receivable's pieces by
// holder, tier and status, never "sealed".
func TestCorePagesInBrowser(t *testing.T) {
	requireBrowser(t)
	f, base := newFakeAPI(t)
	// Due dates and maturity at the end of a Shanghai day, 60 days ahead.
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 60)
	maturity := day.Add(15*time.Hour + 59*time.Minute + 59*time.Second) // 23:59:59 +08:00
	coreFixtures(f, maturity)
	b := newPage(t, base, 3*time.Minute)
	f.signInAs(b, "carmaker", "core")

	b.tab("invoices")
	inBothLanguages(t, b, "core-invoices", func(loc string) {
		b.has("#core-invoices-table", "INV-2026-417", "INV-2026-418", "江苏精密部件", "0192:913201")
		b.lacks("#core-invoices-table", docHash[:12], "a1a1a1a1a1")
		if loc == "zh-CN" {
			b.has("#core-invoices-table", "¥600,000.00", "销售方")
		} else {
			b.has("#core-invoices-table", "CNY\u00a0600,000.00")
		}
		var label string
		b.eval(`document.querySelector("#core-invoices-table button.confirm-invoice").getAttribute("aria-label")`, &label)
		if !strings.Contains(label, "INV-2026-417") {
			t.Errorf("the Confirm button is named %q, not after its invoice", label)
		}
	})

	b.tab("issue")
	inBothLanguages(t, b, "core-issue", func(loc string) {
		b.has("#issue-form", "INV-2026-418", "江苏精密部件", "US-2026-9")
		b.lacks("#issue-form", "b2b2b2b2", docHash[:12])
		var typ string
		b.eval(`document.querySelector("#issue-maturity").type`, &typ)
		if typ != "date" {
			t.Errorf("the maturity is entered as %q, want a date", typ)
		}
		b.has("#issue-form", "Asia/Shanghai")
	})
	// Choose the CNY invoice: the USD one is set aside, the amount and the
	// maturity follow the invoice.
	b.eval(`(() => { const cb = [...document.querySelectorAll("#issue-form .issue-invoice")].find((c) => c.closest("label").textContent.includes("INV-2026-418")); cb.click(); return true; })()`, nil)
	var amount, mat string
	var usdDisabled bool
	b.run(chromedp.Value("#issue-amount", &amount, chromedp.ByID), chromedp.Value("#issue-maturity", &mat, chromedp.ByID))
	b.eval(`[...document.querySelectorAll("#issue-form .issue-invoice")].find((c) => c.dataset.currency === "USD").disabled`, &usdDisabled)
	if amount != "1,000,000.00" {
		t.Errorf("the amount proposed is %q, want the invoice's 1,000,000.00", amount)
	}
	if want := day.Format("2006-01-02"); mat != want {
		t.Errorf("the maturity proposed is %q, want the invoice's due date %s", mat, want)
	}
	if !usdDisabled {
		t.Error("a USD invoice can be chosen beside a CNY one")
	}
	b.has("#issue-total", "1,000,000.00")
	b.has("#issue-amount-label", "CNY")
	b.run(chromedp.SetValue("#issue-holder", "tier1", chromedp.ByID), chromedp.SetValue("#issue-bank", "bankA", chromedp.ByID),
		chromedp.Evaluate(`document.querySelector("#issue-bank").dispatchEvent(new Event("change", {bubbles: true})); true`, nil))
	b.has("#issue-line", "宁波银行", "CNY\u00a04,000,000.00", "CNY\u00a05,000,000.00")
	// The amount typed as it is shown, with the currency.
	b.typeInto("#issue-amount", "CNY 1,000,000.00")
	b.run(chromedp.Click("#issue-submit", chromedp.ByID))
	b.waitFor("#issue-form .form-ok #issued-token")
	b.has("#issue-form .form-ok", "江苏精密部件", "宁波银行", "CNY\u00a01,000,000.00")
	sent := f.bodies("/v1/receivables")
	if len(sent) != 1 {
		t.Fatalf("%d issue requests, want 1", len(sent))
	}
	if got, want := sent[0]["maturity"], day.Format("2006-01-02")+"T23:59:59+08:00"; got != want {
		t.Errorf("maturity sent %v, want the end of that day in Shanghai %s", got, want)
	}
	if sent[0]["amount"] != "1000000.00" || sent[0]["currency"] != "CNY" {
		t.Errorf("amount %v %v sent, want 1000000.00 CNY", sent[0]["amount"], sent[0]["currency"])
	}
	screenshot(t, b.ctx, "core-issued")

	b.tab("lines")
	inBothLanguages(t, b, "core-lines", func(loc string) {
		if b.count("#lines-chart-CNY") != 1 || b.count("#lines-chart-USD") != 1 {
			t.Errorf("lines charted per currency: CNY %d, USD %d charts", b.count("#lines-chart-CNY"), b.count("#lines-chart-USD"))
		}
		b.has("#lines-table", "宁波银行", "Bank of Shanghai")
		b.lacks("#lines-table", "bankA")
	})

	b.tab("receivables")
	inBothLanguages(t, b, "core-receivables", func(loc string) {
		b.has("#receivables-table", "Suzhou Fasteners", "江苏精密部件")
		b.lacks("#receivables-table", "sealed", "已加密", "tier2")
		if loc == "en" {
			b.has("#receivables-table", "Receivable of CNY\u00a01,000,000.00", "known to Suzhou Fasteners only", "2 pieces")
		} else {
			b.has("#receivables-table", "应收账款 ¥1,000,000.00", "仅 Suzhou Fasteners 可见")
		}
		if n := b.count(`#receivables-table .holder-only`); n != 2 {
			t.Errorf("%d pieces say who knows their amount, want 2", n)
		}
	})
}

// enterpriseNames reads every enterprise's name over the API: the core,
// supplier and regulator pages name the parties where the ledger records
// their IDs, so the story tests look for the names.
func enterpriseNames(t *testing.T, c *platformtest.Consortium) map[string]string {
	t.Helper()
	var page struct {
		Items []struct{ ID, Name string } `json:"items"`
	}
	getJSON(t, c.Router+"/v1/enterprises?pageSize=200", c.Token("operator"), &page)
	names := map[string]string{}
	for _, e := range page.Items {
		names[e.ID] = e.Name
		if e.Name == "" {
			names[e.ID] = e.ID
		}
	}
	return names
}
