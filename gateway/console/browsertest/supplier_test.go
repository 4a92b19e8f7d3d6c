package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// supplierToken is a token tier2 holds, as GET /v1/tokens/{id} gives it.
func supplierToken(id, status string, maturity time.Time) map[string]any {
	return map[string]any{"id": id, "root": "root-1", "tier": 2, "issuer": "carmaker", "bank": "bankA", "holder": "tier2",
		"status": status, "maturity": maturity.Format(time.RFC3339), "amount": cny(1000000)}
}

// TestSupplierPagesInBrowser: a supplier's pages name the parties, say
// what financing costs before asking, and follow the token's state
// without a reload, in English and in Chinese: Withdraw as soon as a
// request is made, and no Accept once the ledger says the bank financed
// it (an event on GET /v1/events, nothing pressed).
func TestSupplierPagesInBrowser(t *testing.T) {
	requireBrowser(t)
	f, base := newFakeAPI(t)
	f.enterprises = theParties()
	// 90 days from today's UTC date, at 23:59:59 in Shanghai.
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 90)
	maturity := day.Add(15*time.Hour + 59*time.Minute + 59*time.Second)
	active := supplierToken("tok-active", "ACTIVE", maturity)
	spent := supplierToken("tok-split", "SPLIT", maturity)
	list := func(toks ...map[string]any) { f.set("/v1/tokens", map[string]any{"items": toks}) }
	list(active, spent)
	f.set("/v1/tokens/tok-active", active)
	f.set("/v1/tokens/tok-split", spent)
	f.set("/v1/portfolio", map[string]any{"total": cny(1000000)})
	f.set("/v1/financing/policy", map[string]any{"maxAdvanceBp": 9000, "graceDays": 30, "set": true})
	f.set("/v1/invoices", map[string]any{"items": []any{map[string]any{"id": "f00d", "number": "SF-2026-3", "buyer": "carmaker",
		"supplier": "tier2", "status": "CONFIRMED", "dueDate": maturity.Format(time.RFC3339), "amount": cny(400000)}}})
	b := newPage(t, base, 3*time.Minute)
	f.signInAs(b, "tier2", "supplier")

	b.tab("invoices")
	inBothLanguages(t, b, "supplier-invoices", func(loc string) {
		b.has("#invoices-table", "SF-2026-3", "华东汽车集团")
		b.lacks("#invoices-table", "carmaker")
	})

	b.tab("tokens")
	open := func(id string) {
		b.run(chromedp.Click(fmt.Sprintf(`#tokens-table tr[data-token-id=%q] button.open`, id), chromedp.ByQuery),
			chromedp.WaitVisible(fmt.Sprintf(`#token-card[data-token-id=%q]`, id), chromedp.ByQuery))
	}
	// A spent token offers no Accept.
	open("tok-split")
	if b.count("#accept") != 0 {
		t.Error("a split token offers Accept")
	}
	b.has("#token-spent", "split")
	open("tok-active")
	inBothLanguages(t, b, "supplier-token", func(loc string) {
		b.waitFor("#token-card #accept")
		b.has("#tokens-table", "华东汽车集团", "宁波银行")
		b.lacks("#tokens-table", "carmaker", "bankA")
		b.has("#token-card dl", "华东汽车集团", "宁波银行")
		// Before asking: the platform's cap on a plain request, and what
		// the terms pay as they are typed. The defaults are 90 % advance,
		// 5 % a year ACT/360, value date today, 90 days: gross 900,000.00,
		// discount 11,250.00, paid now 888,750.00, cost 111,250.00.
		b.waitFor("#financing-cost .amount")
		b.has("#financing-cost", "900,000.00")
		b.waitFor("#terms-cost")
		b.has("#terms-cost", "1,000,000.00", "11,250.00", "888,750.00", "111,250.00")
		if loc == "en" {
			b.has("#financing-cost", "CNY 900,000.00")
			b.has("#terms-cost", "Paid to you now", "CNY 888,750.00")
		} else {
			b.has("#terms-cost", "现在付给您", "¥888,750.00")
		}
	})
	// Typing a piece changes the cost at once.
	b.typeInto("#terms-piece", "¥500,000.00")
	b.has("#terms-cost", "500,000.00", "444,375.00")

	// Request financing: the request is on the ledger, the detail redraws
	// with Withdraw at once.
	financing := supplierToken("tok-active", "FINANCING", maturity)
	financing["financing"] = map[string]any{"bank": "bankB", "requester": "tier2", "requestedAt": time.Now().UTC().Format(time.RFC3339)}
	f.onPost("/v1/tokens/tok-active/financing", func(body map[string]any) (int, any) {
		f.set("/v1/tokens/tok-active", financing)
		list(financing, spent)
		// As the gateways do, the ledger's event of this write reaches the
		// page before the write's answer: the page must not redraw the card
		// under the form that is waiting for it.
		f.event("6", "RequestFinancing", map[string]any{"kind": "RequestFinancing", "tokens": []any{map[string]any{"id": "tok-active", "status": "FINANCING"}}})
		time.Sleep(700 * time.Millisecond)
		return 200, financing
	})
	b.run(chromedp.SetValue("#financing-bank", "bankB", chromedp.ByID), chromedp.Click("#financing-submit", chromedp.ByID))
	b.waitFor(`#token-card[data-status="FINANCING"] #cancel-financing`)
	if b.count("#split-form") != 0 || b.count("#rfq-form") != 0 || b.count("#terms-form") != 0 {
		t.Error("the split, quotes or terms form stays on a token whose financing was requested")
	}
	b.has("#financing-form .form-ok", "Financing of CNY 1,000,000.00 requested from Bank of Shanghai")
	b.has("#cancel-financing-form", "Bank of Shanghai")
	inBothLanguages(t, b, "supplier-financing-requested", func(loc string) {
		b.waitFor(`#token-card[data-status="FINANCING"] #cancel-financing`)
	})
	if got := f.bodies("/v1/tokens/tok-active/financing"); len(got) != 1 || got[0]["bank"] != "bankB" {
		t.Errorf("financing requests sent: %v", got)
	}

	// The bank approves: the ledger's event reaches the page, which redraws
	// the token as financed - no Accept, no Withdraw - with nothing pressed.
	deadline := time.Now().Add(10 * time.Second)
	for f.openStreams() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the tokens page never opened GET /v1/events")
		}
		time.Sleep(100 * time.Millisecond)
	}
	financed := supplierToken("tok-active", "FINANCED", maturity)
	financed["holder"] = "bankB"
	financed["financing"] = financing["financing"]
	f.set("/v1/tokens/tok-active", financed)
	list(spent)
	f.event("7", "ApproveFinancing", map[string]any{"kind": "ApproveFinancing", "tokens": []any{map[string]any{"id": "tok-active", "holder": "bankB", "status": "FINANCED"}}})
	b.waitFor(`#token-card[data-status="FINANCED"] #token-spent`)
	if b.count("#accept") != 0 || b.count("#cancel-financing") != 0 {
		t.Error("a financed token still offers Accept or Withdraw")
	}
	b.has("#token-spent", "financed")
	b.has("#token-note", "The ledger moved this token on")
	screenshot(t, b.ctx, "supplier-token-financed-live")
}

// TestLiveEventParsing checks the console's reading of text/event-stream
// (js/live.js) where it runs: events split across chunks, CRLF line ends,
// comments and retry lines skipped, multi-line data joined, an event
// without its blank line kept for the next chunk.
func TestLiveEventParsing(t *testing.T) {
	requireBrowser(t)
	_, base := newFakeAPI(t)
	b := newPage(t, base, time.Minute)
	b.run(chromedp.Navigate(base+"/console/"), chromedp.WaitVisible("#token", chromedp.ByID))
	var got []string
	b.eval(`(async () => {
		const { parseEvents, tokensIn } = await import("./js/live.js");
		const out = [];
		let buf = "";
		for (const chunk of ["retry: 3000\n\n: heartbeat\n\nid: 4\nevent: ledger.Split\nda", "ta: {\"tokens\": [{\"id\": \"a\"}, {\"id\": \"b\"}]}\n\nid: 5\r\nevent: x\r\ndata: one\r\ndata: two\r\n\r\nid: 6\nevent: y\ndata: half"]) {
			const r = parseEvents(buf + chunk);
			buf = r.rest;
			for (const ev of r.events) out.push(ev.id + "|" + ev.type + "|" + ev.data);
		}
		out.push("rest=" + buf);
		out.push("tokens=" + tokensIn({ data: { tokens: [{ id: "a" }, { id: "b" }] } }).join(","));
		out.push("none=" + tokensIn({ data: "text" }).length);
		return out;
	})()`, &got)
	want := []string{`4|ledger.Split|{"tokens": [{"id": "a"}, {"id": "b"}]}`, "5|x|one\ntwo", "rest=id: 6\nevent: y\ndata: half", "tokens=a,b", "none=0"}
	if strings.Join(got, "\n---\n") != strings.Join(want, "\n---\n") {
		t.Errorf("parsed:\n%q\nwant:\n%q", got, want)
	}
}
