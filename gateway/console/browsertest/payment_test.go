package browsertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/demo"
)

// TestPaymentThroughPages: a receivable past its maturity shows on the
// regulator's overdue chart; the core declares payment of each piece from
// its Receivables tab, and each holder - tier 1, tier 2 and Bank B, who
// financed tier 3 - confirms it from its own page. The story up to
// maturity goes over REST (demo.Run up to "pay").
func TestPaymentThroughPages(t *testing.T) {
	start := time.Now()
	p, base, res := playOverREST(t, demo.Config{Suffix: "-p", Maturity: 15 * time.Second, StopBefore: "pay"})
	leaves := res.Held // tier 1's change, tier 2's change, tier 3's piece (Bank B's)
	// The pages name the parties.
	name := enterpriseNames(t, p)
	want := []string{"CNY 600,000.00", "CNY 250,000.00", "CNY 150,000.00"}

	b := newPage(t, base, 3*time.Minute)
	b.signIn(p.Token("regulator"), "regulator")
	b.tab("risk")
	// Maturity passes while the page is refreshed; the chart's figure is
	// the regulator's report (which other tests' receivables may share),
	// once this story's three pieces are in it.
	total, pieces := overdueOf(t, p, "carmaker", "CNY", leaves[:])
	if total < 1_000_000_00 || pieces < 3 {
		t.Fatalf("overdue for carmaker: %d in %d pieces, want at least this story's 1,000,000.00 in 3", total, pieces)
	}
	b.waitText("#overdue-chart", true, name["carmaker"], fmt.Sprintf("%s · %d pieces", shownCNY(total), pieces))
	b.shot("regulator-overdue")

	b.signIn(p.Token("carmaker"), "core")
	b.tab("receivables")
	for i, l := range leaves {
		row := fmt.Sprintf(`#receivables-table tr[data-token-id=%q]`, l.ID)
		b.waitText(row, true, "OVERDUE")
		b.run(chromedp.Click(row+" button.pay", chromedp.ByQuery),
			chromedp.WaitVisible(fmt.Sprintf(`#pay-%s-reason`, l.ID), chromedp.ByID))
		b.typeInto(fmt.Sprintf(`#pay-%s-reason`, l.ID), fmt.Sprintf("PAY-2027-%03d", i+1))
		b.run(chromedp.Click(fmt.Sprintf(`#pay-%s button[type=submit]`, l.ID), chromedp.ByQuery))
		b.waitText(fmt.Sprintf(`#pay-%s .form-ok`, l.ID), false, "Declared: PAYING; "+name[l.Holder]+" confirms receipt.")
	}
	b.shot("core-payments-declared")

	for i, holder := range res.SupplierTokens[:2] {
		b.signIn(holder, "supplier")
		b.tab("tokens")
		row := fmt.Sprintf(`#tokens-table tr[data-token-id=%q]`, leaves[i].ID)
		b.waitText(row, true, "PAYING")
		b.run(chromedp.Click(row+" button.open", chromedp.ByQuery),
			chromedp.Click(fmt.Sprintf(`#confirm-payment-%s button`, leaves[i].ID), chromedp.ByQuery))
		b.waitText(fmt.Sprintf(`#confirm-payment-%s .form-ok`, leaves[i].ID), false, "Settled: "+want[i])
		b.shot(fmt.Sprintf("tier%d-settled", i+1))
	}

	b.signIn(p.Token("bankB"), "bank")
	b.tab("portfolio")
	row := fmt.Sprintf(`#portfolio-table tr[data-token-id=%q]`, leaves[2].ID)
	b.waitText(row, true, "PAYING", want[2])
	b.run(chromedp.Click(row+" button.open-confirm-payment", chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`#confirm-payment-%s button`, leaves[2].ID), chromedp.ByQuery))
	b.waitText(fmt.Sprintf(`#confirm-payment-%s .form-ok`, leaves[2].ID), false, "Settled: "+want[2])
	b.shot("bankB-settled")

	b.signIn(p.Token("regulator"), "regulator")
	b.tab("provenance")
	b.run(chromedp.Click(fmt.Sprintf(`#roots-table button.show-tree[data-root=%q]`, res.Root), chromedp.ByQuery))
	b.waitText("#tree-verdict", false, "5 of 5 amounts reconciled")
	b.waitText("#provenance-tree", false, "tier 1 · SETTLED", "tier 2 · SETTLED", "tier 3 · SETTLED")
	b.shot("regulator-settled-tree")
	t.Logf("payment through the pages: %.1fs", time.Since(start).Seconds())
}

// overdueOf waits until the regulator's overdue report lists every one of
// leaves, then sums what it lists for core in currency.
func overdueOf(t *testing.T, c *platformtest.Consortium, core, currency string, leaves []demo.Token) (total uint64, pieces int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var r struct {
			Items []struct {
				Token, Issuer, Currency string
				Amount                  struct {
					Minor *uint64 `json:"minor"`
				} `json:"amount"`
			} `json:"items"`
		}
		getJSON(t, c.Router+"/v1/audit/overdue", c.Token("regulator"), &r)
		listed := map[string]bool{}
		total, pieces = 0, 0
		for _, it := range r.Items {
			listed[it.Token] = true
			if it.Issuer == core && it.Currency == currency && it.Amount.Minor != nil {
				total += *it.Amount.Minor
				pieces++
			}
		}
		all := true
		for _, l := range leaves {
			all = all && listed[l.ID]
		}
		if all {
			return total, pieces
		}
		if time.Now().After(deadline) {
			t.Fatalf("the overdue report never listed this story's pieces: %+v", r.Items)
		}
		time.Sleep(time.Second)
	}
}
