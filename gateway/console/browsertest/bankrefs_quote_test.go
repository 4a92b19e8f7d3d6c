package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBankNumbersBeforeQuotingAndBuying: a bank invited to a request for
// quotes sees, in the quote form, the invoice numbers the holder sealed to
// it with their check against the ledger, before it quotes; a bank offered
// a piece for resale sees the numbers the selling bank sealed to it, in
// English and in Chinese.
func TestBankNumbersBeforeQuotingAndBuying(t *testing.T) {
	requireBrowser(t)
	f, base := newFakeAPI(t)
	f.enterprises = theParties()
	maturity := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 60).Add(15*time.Hour + 59*time.Minute + 59*time.Second)
	inv := func(b byte) string { return strings.Repeat(string("0123456789abcdef"[b]), 128) }
	f.set("/v1/rfqs", map[string]any{"bookmark": "", "items": []any{map[string]any{
		"id": "rfq1", "token": "tq", "requester": "tier1", "banks": []string{"bankB"}, "status": "OPEN",
		"expiry": time.Now().UTC().Add(48 * time.Hour).Format(time.RFC3339), "quotes": []any{}}}})
	f.set("/v1/rfqs/rfq1", map[string]any{
		"id": "rfq1", "token": "tq", "requester": "tier1", "banks": []string{"bankB"}, "status": "OPEN",
		"expiry": time.Now().UTC().Add(48 * time.Hour).Format(time.RFC3339), "quotes": []any{},
		"face": cny(500000), "maturity": maturity.Format(time.RFC3339),
		"invoiceRefs": []any{
			map[string]any{"invoice": inv(5), "number": "INV-2026-0500", "status": "verified"},
			map[string]any{"invoice": inv(6), "number": "OLD-17", "status": "unverifiable"},
		}})
	resale := map[string]any{"id": "tres", "root": "tres", "tier": 1, "issuer": "carmaker", "bank": "bankA", "currency": "CNY",
		"holder": "bankA", "status": "FINANCED", "ledgerStatus": "FINANCED", "maturity": maturity.Format(time.RFC3339),
		"invoices": []string{inv(7), inv(8)}, "amount": sealed("CNY"), "resale": map[string]any{"seller": "bankA", "buyer": "bankB"}}
	f.set("/v1/resale-offers", map[string]any{"bookmark": "", "items": []any{resale}})
	f.set("/v1/tokens/tres/resale", map[string]any{"token": resale, "seller": "bankA", "buyer": "bankB",
		"face": cny(300000), "price": cny(290000),
		"invoiceRefs": []any{
			map[string]any{"invoice": inv(7), "number": "INV-2026-0777", "status": "verified"},
			map[string]any{"invoice": inv(8), "number": "INV-2026-0888", "status": "mismatch"},
		}})
	b := newPage(t, base, 3*time.Minute)
	f.signInAs(b, "bankB", "bank")
	b.tab("inbox")
	status := func(sel string, want ...string) {
		t.Helper()
		for i, s := range want {
			var got string
			b.eval(`document.querySelectorAll('`+sel+` li')[`+string(rune('0'+i))+`]?.querySelector("[data-ref-status]")?.dataset.refStatus ?? ""`, &got)
			if got != s {
				t.Errorf("%s: invoice %d shows %q, want %q", sel, i, got, s)
			}
		}
	}
	inBothLanguages(t, b, "bank-numbers-quote-resale", func(loc string) {
		b.run(chromedp.Click(`#rfq-table tr[data-rfq="rfq1"] button.quote`, chromedp.ByQuery),
			chromedp.WaitVisible(`#quote-refs`, chromedp.ByQuery))
		want := map[string][]string{
			"en":    {"Invoice numbers", "verified against the ledger", "cannot be checked"},
			"zh-CN": {"发票号码", "已与账本核对一致", "无法核对"},
		}[loc]
		b.has("#quote-refs", append([]string{"INV-2026-0500", "OLD-17"}, want...)...)
		status("#quote-refs", "verified", "unverifiable")
		row := `#resale-offers-table tr[data-token-id="tres"]`
		want = map[string][]string{
			"en":    {"verified against the ledger", "does not match the ledger"},
			"zh-CN": {"已与账本核对一致", "与账本不符"},
		}[loc]
		b.has(row, append([]string{"INV-2026-0777", "INV-2026-0888"}, want...)...)
		status(row, "verified", "mismatch")
	})
}
