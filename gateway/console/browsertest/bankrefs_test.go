package browsertest

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBankInboxInvoiceNumbers: the bank inbox shows each invoice under the
// receivable with the number its holder disclosed and the API's check of
// it against the ledger — verified, does not match (a lying holder),
// cannot be checked (the ledger lacks the key), not disclosed (a legacy
// piece) — and names the core enterprise, in English
// and in Chinese.
func TestBankInboxInvoiceNumbers(t *testing.T) {
	requireBrowser(t)
	f, base := newFakeAPI(t)
	f.enterprises = theParties()
	maturity := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 45).Add(15*time.Hour + 59*time.Minute + 59*time.Second)
	ids := []string{refInvoice(1), refInvoice(2), refInvoice(3), refInvoice(4)}
	for _, id := range ids {
		f.set("/v1/invoices/"+id, map[string]any{"id": id, "supplier": "tier1", "buyer": "carmaker", "status": "USED",
			"currency": "CNY", "registeredAt": time.Now().UTC().AddDate(0, 0, -20).Format(time.RFC3339),
			"dueDate": maturity.Format(time.RFC3339)})
	}
	f.set("/v1/tokens/troot", map[string]any{"id": "troot", "root": "troot", "tier": 1, "issuer": "carmaker", "bank": "bankA",
		"currency": "CNY", "holder": "tier1", "status": "SPLIT", "ledgerStatus": "SPLIT", "maturity": maturity.Format(time.RFC3339),
		"invoices": ids, "amount": sealed("CNY")})
	f.set("/v1/financing-requests", map[string]any{"bookmark": "", "items": []any{map[string]any{
		"id": "tpiece", "root": "troot", "parents": []string{"tmid"}, "tier": 3, "issuer": "carmaker", "bank": "bankA",
		"currency": "CNY", "holder": "tier3", "status": "FINANCING", "ledgerStatus": "FINANCING",
		"maturity": maturity.Format(time.RFC3339), "amount": cny(300000),
		"financing": map[string]any{"bank": "bankB", "requester": "tier3", "requestedAt": time.Now().UTC().Format(time.RFC3339)},
		"invoiceRefs": []any{
			map[string]any{"invoice": ids[0], "number": "INV-2026-417", "status": "verified"},
			map[string]any{"invoice": ids[1], "number": "INV-2026-999", "status": "mismatch"},
			map[string]any{"invoice": ids[2], "status": "not-disclosed"},
			map[string]any{"invoice": ids[3], "number": "OLD-17", "status": "unverifiable"},
		},
	}}})
	b := newPage(t, base, 3*time.Minute)
	f.signInAs(b, "bankB", "bank")
	b.tab("inbox")
	row := `#inbox-table tr[data-token-id="tpiece"]`
	inBothLanguages(t, b, "bank-inbox-refs", func(loc string) {
		want := map[string][]string{
			"en":    {"verified against the ledger", "does not match the ledger", "number not disclosed", "cannot be checked"},
			"zh-CN": {"已与账本核对一致", "与账本不符", "号码未披露", "无法核对"},
		}[loc]
		b.has(row, append([]string{"INV-2026-417", "INV-2026-999", "OLD-17", "华东汽车集团"}, want...)...)
		refStatuses(t, b, row, "verified", "mismatch", "not-disclosed", "unverifiable")
	})
}

// refInvoice is a fixture invoice ID (128 hex digits of one value).
func refInvoice(b byte) string { return strings.Repeat(string("0123456789abcdef"[b]), 128) }

// refStatuses checks the ledger check shown for each invoice listed in
// sel's ul.invoices, in order.
func refStatuses(t *testing.T, b *page, sel string, want ...string) {
	t.Helper()
	for i, s := range want {
		var got string
		b.eval(`document.querySelectorAll('`+sel+` ul.invoices li')[`+string(rune('0'+i))+`]?.querySelector("[data-ref-status]")?.dataset.refStatus ?? ""`, &got)
		if got != s {
			t.Errorf("%s: invoice %d shows %q, want %q", sel, i, got, s)
		}
	}
}

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
	f.set("/v1/rfqs", map[string]any{"bookmark": "", "items": []any{map[string]any{
		"id": "rfq1", "token": "tq", "requester": "tier1", "banks": []string{"bankB"}, "status": "OPEN",
		"expiry": time.Now().UTC().Add(48 * time.Hour).Format(time.RFC3339), "quotes": []any{}}}})
	f.set("/v1/rfqs/rfq1", map[string]any{
		"id": "rfq1", "token": "tq", "requester": "tier1", "banks": []string{"bankB"}, "status": "OPEN",
		"expiry": time.Now().UTC().Add(48 * time.Hour).Format(time.RFC3339), "quotes": []any{},
		"face": cny(500000), "maturity": maturity.Format(time.RFC3339),
		"invoiceRefs": []any{
			map[string]any{"invoice": refInvoice(5), "number": "INV-2026-0500", "status": "verified"},
			map[string]any{"invoice": refInvoice(6), "number": "OLD-17", "status": "unverifiable"},
		}})
	resale := map[string]any{"id": "tres", "root": "tres", "tier": 1, "issuer": "carmaker", "bank": "bankA", "currency": "CNY",
		"holder": "bankA", "status": "FINANCED", "ledgerStatus": "FINANCED", "maturity": maturity.Format(time.RFC3339),
		"invoices": []string{refInvoice(7), refInvoice(8)}, "amount": sealed("CNY"), "resale": map[string]any{"seller": "bankA", "buyer": "bankB"}}
	f.set("/v1/resale-offers", map[string]any{"bookmark": "", "items": []any{resale}})
	f.set("/v1/tokens/tres/resale", map[string]any{"token": resale, "seller": "bankA", "buyer": "bankB",
		"face": cny(300000), "price": cny(290000),
		"invoiceRefs": []any{
			map[string]any{"invoice": refInvoice(7), "number": "INV-2026-0777", "status": "verified"},
			map[string]any{"invoice": refInvoice(8), "number": "INV-2026-0888", "status": "mismatch"},
		}})
	b := newPage(t, base, 3*time.Minute)
	f.signInAs(b, "bankB", "bank")
	b.tab("inbox")
	inBothLanguages(t, b, "bank-numbers-quote-resale", func(loc string) {
		b.run(chromedp.Click(`#rfq-table tr[data-rfq="rfq1"] button.quote`, chromedp.ByQuery),
			chromedp.WaitVisible(`#quote-refs`, chromedp.ByQuery))
		want := map[string][]string{
			"en":    {"Invoice numbers", "verified against the ledger", "cannot be checked"},
			"zh-CN": {"发票号码", "已与账本核对一致", "无法核对"},
		}[loc]
		b.has("#quote-refs", append([]string{"INV-2026-0500", "OLD-17"}, want...)...)
		refStatuses(t, b, "#quote-refs", "verified", "unverifiable")
		row := `#resale-offers-table tr[data-token-id="tres"]`
		want = map[string][]string{
			"en":    {"verified against the ledger", "does not match the ledger"},
			"zh-CN": {"已与账本核对一致", "与账本不符"},
		}[loc]
		b.has(row, append([]string{"INV-2026-0777", "INV-2026-0888"}, want...)...)
		refStatuses(t, b, row, "verified", "mismatch")
	})
}
