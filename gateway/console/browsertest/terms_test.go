package browsertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/gateway/console"
)

// TestTermsInBrowser checks the advance the pages show before anything is
// sent (js/terms.js) against the ledger's own arithmetic (terms.Compute):
// the same gross, discount and advance to the minor unit for every case,
// including faces near 2^64, both day counts, and the refusals (rates out
// of bounds, interest of 100 % or more, a fee above the net advance).
func TestTermsInBrowser(t *testing.T) {
	requireBrowser(t)
	srv := httptest.NewServer(http.StripPrefix("/console", console.Handler()))
	defer srv.Close()
	b := newPage(t, srv.URL, time.Minute)
	b.run(chromedp.Navigate(srv.URL+"/console/"), chromedp.WaitVisible("#token", chromedp.ByID))

	value := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	type tc struct {
		rate, discount int64
		dayCount       terms.DayCount
		face, fee      uint64
		maturity       time.Time
	}
	cases := []tc{
		{9000, 500, terms.ACT360, 1_000_000_00, 250_00, value.AddDate(0, 0, 90).Add(17 * time.Hour)}, // the documented example
		{9000, 500, terms.ACT360, 600_000_00, 150_00, value.AddDate(0, 3, 0)},
		{8800, 420, terms.ACT365, 600_000_00, 100_00, value.AddDate(0, 3, 0)},
		{10_000, 0, terms.ACT365, 1, 0, value},
		{1, 99_999, terms.ACT360, 18446744073709551615, 0, value.AddDate(0, 0, 3)},
		{9999, 1234, terms.ACT365, 18446744073709551615, 18446744073709, value.AddDate(10, 0, 0)},
		{7777, 333, terms.ACT360, 123_456_789, 1, value.AddDate(0, 0, 1)},
		{9000, 100_000, terms.ACT360, 1_000_00, 0, value.AddDate(0, 0, 360)},  // 100 % interest: no advance
		{9000, 500, terms.ACT360, 1_000_00, 90_000, value.AddDate(0, 0, 30)},  // fee above net
		{10_001, 500, terms.ACT360, 1_000_00, 0, value.AddDate(0, 0, 30)},     // rate above 100 %
		{-1, 500, terms.ACT360, 1_000_00, 0, value.AddDate(0, 0, 30)},         // negative rate
		{9000, -5, terms.ACT365, 1_000_00, 0, value.AddDate(0, 0, 30)},        // negative discount
		{9000, 500, terms.ACT360, 1_000_00, 0, value.AddDate(0, 0, -1)},       // value date after maturity
		{9000, 500, terms.ACT365, 5_000_000_00, 0, value.AddDate(0, 0, 3661)}, // tenor too long
	}
	for i, c := range cases {
		tm := terms.Terms{AdvanceRateBP: c.rate, DiscountRateBP: c.discount, DayCount: c.dayCount, ValueDate: value,
			Expiry: value.Add(time.Hour)}
		want, werr := terms.Compute(&tm, c.face, c.fee, c.maturity)
		js := fmt.Sprintf(`(async () => {
			const m = await import("./js/terms.js");
			try {
				const a = m.computeAdvance({advanceRateBp: %d, discountRateBp: %d, dayCount: %q, valueDate: %q},
					%dn, %dn, %q);
				return JSON.stringify({gross: String(a.gross), discount: String(a.discount), advance: String(a.advance), days: String(a.days)});
			} catch (e) {
				if (!(e instanceof m.TermsError)) throw e;
				return JSON.stringify({error: e.field + ": " + e.message});
			}
		})()`, c.rate, c.discount, c.dayCount, value.Format(time.RFC3339), c.face, c.fee, c.maturity.Format(time.RFC3339))
		var raw string
		b.eval(js, &raw)
		var got struct{ Gross, Discount, Advance, Days, Error string }
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("case %d: %s: %v", i, raw, err)
		}
		if werr != nil {
			if got.Error == "" {
				t.Errorf("case %d: the ledger refuses (%v), the page shows an advance of %s", i, werr, got.Advance)
			}
			continue
		}
		if got.Error != "" {
			t.Errorf("case %d: the ledger pays %d, the page refuses: %s", i, want.Advance, got.Error)
			continue
		}
		for name, pair := range map[string][2]string{
			"gross": {got.Gross, strconv.FormatUint(want.Gross, 10)}, "discount": {got.Discount, strconv.FormatUint(want.Discount, 10)},
			"advance": {got.Advance, strconv.FormatUint(want.Advance, 10)}, "days": {got.Days, strconv.FormatUint(want.Days, 10)},
		} {
			if pair[0] != pair[1] {
				t.Errorf("case %d: %s %s in the page, %s on the ledger", i, name, pair[0], pair[1])
			}
		}
	}
	// The documented example (docs/crypto/financing.md): 888,500.00.
	var yield string
	b.eval(`(async () => { const m = await import("./js/terms.js"); return m.formatBp(m.yieldBp(88850000n, 100000000n, 90n, 360n)); })()`, &yield)
	if yield != "50.19%" {
		t.Errorf("yield of 888,500.00 for 1,000,000.00 over 90 days ACT/360: %q, want 50.19%%", yield)
	}
}
