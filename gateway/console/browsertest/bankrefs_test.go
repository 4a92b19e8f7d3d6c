package browsertest

import (
	"strings"
	"testing"
	"time"
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
	inv := func(b byte) string { return strings.Repeat(string("0123456789abcdef"[b]), 128) }
	ids := []string{inv(1), inv(2), inv(3), inv(4)}
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
		for i, status := range []string{"verified", "mismatch", "not-disclosed", "unverifiable"} {
			var got string
			b.eval(`document.querySelectorAll('`+row+` ul.invoices li')[`+string(rune('0'+i))+`]?.querySelector("[data-ref-status]")?.dataset.refStatus ?? ""`, &got)
			if got != status {
				t.Errorf("%s: invoice %d shows %q, want %q", loc, i, got, status)
			}
		}
	})
}
