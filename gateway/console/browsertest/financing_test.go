package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/internal/demo"
)

// shownCNY renders minor units of the story's currency as the pages do:
// "CNY 266,475.00".
func shownCNY(minor uint64) string {
	whole := fmt.Sprint(minor / 100)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("CNY %s.%02d", b.String(), minor%100)
}

// TestFinancingThroughPages: tier 1 asks both banks for quotes on its
// 600,000.00 from its Tokens tab; each bank, at its own gateway, opens the
// request in its inbox and sees the advance its terms imply before sending
// (the figure terms.Compute gives, and the one its wallet then commits
// to); tier 1 sees the two quotes side by side, Bank B's marked better, and
// accepts it; Bank A's inbox shows its quote LAPSED; Bank B approves and
// its portfolio shows the advance, the yield and whom it financed; it
// sells the piece to Bank A, which accepts from its inbox and shows it
// bought from Bank B; tier 2 finances 100,000.00 of its 250,000.00 at
// Bank A under terms, seeing the advance first; tier 3 asks for quotes on
// a piece; the regulator's financing tab shows both banks' books. The
// story up to the financing goes over REST (demo.Run up to "finance").
// Bank B ends with nothing held and nothing pending (the story test, on
// the same network, reads its inbox and exposure).
func TestFinancingThroughPages(t *testing.T) {
	start := time.Now()
	p, base, res := playOverREST(t, demo.Config{Suffix: "-f", Maturity: 90 * 24 * time.Hour, StopBefore: "finance"})
	tier1 := res.Suppliers[0]
	// The supplier's and the regulator's pages name the parties.
	name := enterpriseNames(t, p)
	change, t2 := res.Held[0], res.Held[1] // 600,000.00 and 250,000.00, ACTIVE

	// The token's maturity, for the figures the ledger's arithmetic gives.
	var tok struct {
		Maturity time.Time `json:"maturity"`
	}
	cl := &demo.Client{Base: base, Token: res.SupplierTokens[0]}
	if err := cl.Do(context.Background(), "GET", "/v1/tokens/"+change.ID, nil, &tok); err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	want := func(rate, discount int64, dc terms.DayCount, fee uint64) uint64 {
		tm := terms.Terms{AdvanceRateBP: rate, DiscountRateBP: discount, DayCount: dc, ValueDate: today, Expiry: today.Add(48 * time.Hour)}
		a, err := terms.Compute(&tm, 600_000_00, fee, tok.Maturity)
		if err != nil {
			t.Fatal(err)
		}
		return a.Advance
	}
	advB, advA := want(9000, 500, terms.ACT360, 150_00), want(8800, 420, terms.ACT365, 100_00)
	if advB <= advA {
		t.Fatalf("the test expects Bank B's terms to pay more: %d ≤ %d", advB, advA)
	}

	b := newPage(t, base, 5*time.Minute)
	step := func(name string, f func()) {
		t.Helper()
		s := time.Now()
		f()
		t.Logf("%-52s %5.1fs", name, time.Since(s).Seconds())
	}
	var rfq string

	step("tier 1 asks both banks for quotes", func() {
		b.signIn(res.SupplierTokens[0], "supplier")
		b.tab("tokens")
		row := fmt.Sprintf(`#tokens-table tr[data-token-id=%q]`, change.ID)
		b.waitText(row, true, "CNY 600,000.00", "ACTIVE")
		b.run(chromedp.Click(row+" button.open", chromedp.ByQuery), chromedp.WaitVisible("#rfq-form", chromedp.ByID))
		waitCount(b, "#rfq-banks input.rfq-bank", 2)
		b.eval(`document.querySelectorAll("#rfq-banks input.rfq-bank").forEach((c) => { if (c.value === "bankA" || c.value === "bankB") c.click(); }); true`, nil)
		b.run(chromedp.Click("#rfq-submit", chromedp.ByID))
		b.waitText("#rfq-form .form-ok", false, "Asked "+name["bankA"]+", "+name["bankB"]+" for quotes")
		rfq = strings.TrimSpace(b.text("#rfq-id"))
		if rfq == "" {
			t.Fatal("no request ID shown")
		}
		b.shot("tier1-rfq")
	})

	quote := func(bank string, rate, discount, dayCount, fee string, recourse bool, adv uint64) {
		t.Helper()
		b.signIn(p.Token(bank), "bank")
		row := fmt.Sprintf(`#rfq-table tr[data-rfq=%q]`, rfq)
		b.waitText(row, true, tier1, "OPEN", "none yet")
		b.run(chromedp.Click(row+" button.quote", chromedp.ByQuery), chromedp.WaitVisible("#quote-form", chromedp.ByID))
		b.waitText("#quote-form h3", false, "Quote to "+tier1+" on CNY 600,000.00")
		// Out of bounds: refused in the page, beside the rate, before anything is sent.
		b.typeInto("#quote-advance-rate", "101")
		b.waitText("#quote-preview", false, "No advance: the advance rate must be 0.01% to 100%")
		b.run(chromedp.Click("#quote-submit", chromedp.ByID))
		if e := waitFieldError(b, "advanceRateBp"); !strings.Contains(e, "0.01% to 100%") {
			t.Errorf("the rate's error reads %q", e)
		}
		b.typeInto("#quote-advance-rate", rate)
		b.typeInto("#quote-discount-rate", discount)
		b.run(chromedp.SetValue("#quote-day-count", dayCount, chromedp.ByID))
		b.typeInto("#quote-fee", fee)
		if !recourse {
			b.run(chromedp.Click("#quote-recourse", chromedp.ByID))
		}
		b.waitText("#quote-preview", false, "Advance "+shownCNY(adv)+":")
		b.shot(bank + "-quote-preview")
		b.run(chromedp.Click("#quote-submit", chromedp.ByID))
		b.waitText("#quote-form .form-ok", false, "Quoted "+shownCNY(adv)+" to "+tier1, "the committed advance is the one shown above")
		b.shot(bank + "-quoted")
	}
	step("Bank A quotes at its gateway", func() { quote("bankA", "88", "4.2", "ACT/365", "100", false, advA) })
	step("Bank B quotes at its gateway", func() { quote("bankB", "90", "5", "ACT/360", "150", true, advB) })

	step("tier 1 compares the quotes and accepts the better", func() {
		b.signIn(res.SupplierTokens[0], "supplier")
		b.tab("tokens")
		cmp := fmt.Sprintf(`#rfqs-table button.compare[data-rfq=%q]`, rfq)
		waitCount(b, cmp, 1)
		b.run(chromedp.Click(cmp, chromedp.ByQuery), chromedp.WaitVisible("#quotes-card", chromedp.ByID))
		b.waitText("#quotes-table", true, name["bankA"], name["bankB"], shownCNY(advA), shownCNY(advB), "with recourse", "without recourse")
		b.waitText("#quotes-table tr.best", false, name["bankB"], shownCNY(advB), shownCNY(600_000_00-advB))
		b.shot("tier1-quotes-side-by-side")
		b.run(chromedp.Click(`#quotes-table tr[data-bank="bankB"] button.accept-quote`, chromedp.ByQuery))
		b.waitText("#quotes-card .form-ok", false, "Accepted: "+name["bankB"]+" will advance you "+shownCNY(advB), "FINANCING")
		b.shot("tier1-accepted")
	})

	step("Bank A's quote lapsed", func() {
		b.signIn(p.Token("bankA"), "bank")
		b.waitText(fmt.Sprintf(`#rfq-table tr[data-rfq=%q]`, rfq), true, "ACCEPTED", "LAPSED")
		b.shot("bankA-lapsed")
	})

	step("Bank B approves; its portfolio shows advance and yield", func() {
		b.signIn(p.Token("bankB"), "bank")
		row := fmt.Sprintf(`#inbox-table tr[data-token-id=%q]`, change.ID)
		b.waitText(row, true, "CNY 600,000.00")
		b.run(chromedp.Click(row+" button.approve", chromedp.ByQuery), chromedp.WaitVisible("#approve-form", chromedp.ByID))
		b.typeInto("#approve-ref", "NB-RFQ-1")
		b.typeInto("#approve-hash", strings.Repeat("ab", 32))
		// A confirmation step stands between the form and the disbursement.
		b.run(chromedp.Click("#approve-submit", chromedp.ByID), chromedp.WaitVisible("#approve-confirm", chromedp.ByID))
		b.run(chromedp.Click("#approve-confirm", chromedp.ByID))
		b.waitText("#approve-form .form-ok", false, "Financed: you now hold CNY 600,000.00")
		b.tab("portfolio")
		prow := fmt.Sprintf(`#portfolio-table tr[data-token-id=%q]`, change.ID)
		b.waitText(prow, true, "FINANCED", shownCNY(advB), "% a year", "financed for", tier1, "with recourse")
		b.shot("bankB-portfolio")
	})

	step("Bank B sells the piece to Bank A", func() {
		prow := fmt.Sprintf(`#portfolio-table tr[data-token-id=%q]`, change.ID)
		b.run(chromedp.Click(prow+" button.offer-resale", chromedp.ByQuery), chromedp.WaitVisible("#resale-form", chromedp.ByID))
		waitCount(b, `#resale-buyer option[value="bankA"]`, 1)
		b.run(chromedp.SetValue("#resale-buyer", "bankA", chromedp.ByID))
		b.typeInto("#resale-price", "590000.00")
		b.run(chromedp.Click("#resale-submit", chromedp.ByID))
		b.waitText("#resale-form .form-ok", false, "Offered to bankA for CNY 590,000.00 (face CNY 600,000.00)")
		b.shot("bankB-resale-offered")

		b.signIn(p.Token("bankA"), "bank")
		orow := fmt.Sprintf(`#resale-offers-table tr[data-token-id=%q]`, change.ID)
		b.waitText(orow, true, "bankB", "CNY 600,000.00", "CNY 590,000.00")
		b.typeInto(fmt.Sprintf("#resale-ref-%s", change.ID), "SWIFT-FORFAIT-1")
		b.run(chromedp.Click(fmt.Sprintf(`#resale-accept-%s button[type=submit]`, change.ID), chromedp.ByQuery))
		b.waitText(fmt.Sprintf(`#resale-accept-%s .form-ok`, change.ID), false, "Bought: you now hold CNY 600,000.00")
		b.tab("portfolio")
		b.waitText(fmt.Sprintf(`#portfolio-table tr[data-token-id=%q]`, change.ID), true, "FINANCED", "bankB")
		b.shot("bankA-bought")
	})

	step("tier 2 finances 100 000 of its 250 000 at Bank A under terms", func() {
		b.signIn(res.SupplierTokens[1], "supplier")
		b.tab("tokens")
		row := fmt.Sprintf(`#tokens-table tr[data-token-id=%q]`, t2.ID)
		b.waitText(row, true, "CNY 250,000.00", "ACTIVE")
		b.run(chromedp.Click(row+" button.open", chromedp.ByQuery), chromedp.WaitVisible("#terms-form", chromedp.ByID))
		waitCount(b, `#terms-bank option[value="bankA"]`, 1)
		b.run(chromedp.SetValue("#terms-bank", "bankA", chromedp.ByID))
		b.typeInto("#terms-piece", "100000")
		b.typeInto("#terms-advance-rate", "80")
		b.typeInto("#terms-discount-rate", "6")
		b.run(chromedp.Click("#terms-preview-submit", chromedp.ByID))
		tm := terms.Terms{AdvanceRateBP: 8000, DiscountRateBP: 600, DayCount: terms.ACT360, ValueDate: today, Expiry: today.Add(48 * time.Hour)}
		a, err := terms.Compute(&tm, 100_000_00, 0, tok.Maturity)
		if err != nil {
			t.Fatal(err)
		}
		b.waitText("#terms-advance", false, "CNY 100,000.00", shownCNY(a.Advance))
		b.shot("tier2-terms-preview")
		b.run(chromedp.Click("#terms-submit", chromedp.ByID))
		b.waitText("#terms-form .form-ok", false, "Asked "+name["bankA"]+" to finance CNY 100,000.00", "it will advance "+shownCNY(a.Advance), "change CNY 150,000.00 stays with you")
		b.shot("tier2-partial")
	})

	step("tier 3 asks Bank A for quotes on 50 000 of its 150 000", func() {
		b.signIn(res.SupplierTokens[2], "supplier")
		b.tab("tokens")
		row := fmt.Sprintf(`#tokens-table tr[data-token-id=%q]`, res.Held[2].ID)
		b.waitText(row, true, "CNY 150,000.00", "ACTIVE")
		b.run(chromedp.Click(row+" button.open", chromedp.ByQuery), chromedp.WaitVisible("#rfq-form", chromedp.ByID))
		waitCount(b, `#rfq-banks input.rfq-bank[value="bankA"]`, 1)
		b.eval(`document.querySelector('#rfq-banks input.rfq-bank[value="bankA"]').click(); true`, nil)
		b.typeInto("#rfq-piece", "50000")
		b.run(chromedp.Click("#rfq-submit", chromedp.ByID))
		b.waitText("#rfq-form .form-ok", false, "Asked "+name["bankA"]+" for quotes")
		piece := strings.TrimSpace(b.text("#rfq-id"))
		b.signIn(p.Token("bankA"), "bank")
		prow := fmt.Sprintf(`#rfq-table tr[data-rfq=%q]`, piece)
		b.waitText(prow, true, res.Suppliers[2], "OPEN")
		b.run(chromedp.Click(prow+" button.quote", chromedp.ByQuery), chromedp.WaitVisible("#quote-form", chromedp.ByID))
		// The bank is asked about the piece, and sees only the piece.
		b.waitText("#quote-form h3", false, "Quote to "+res.Suppliers[2]+" on CNY 50,000.00")
		b.shot("bankA-quote-on-piece")
	})

	step("the regulator sees both banks' financing books", func() {
		b.signIn(p.Token("regulator"), "regulator")
		b.tab("financing")
		b.waitText("#financing-table", true, name["bankA"], name["bankB"])
		b.waitText(`#financing-table tr[data-bank="bankB"]`, false, "CNY")
		b.waitText("#financed-chart", false, name["bankA"], name["bankB"])
		b.waitText("#financing-verdict", false, "every advance is what its terms pay and within its cap")
		b.shot("regulator-financing")
	})
	t.Logf("financing through the pages: %.1fs", time.Since(start).Seconds())
}
