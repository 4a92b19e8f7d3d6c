package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/gateway/console"
	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/demo"
)

// walkedPage is one signed-in page the language walk opens: every tab of
// it, in both languages, checked for untranslated text and missing
// messages, with axe-core, at 390 px, screenshots kept. Another file adds
// its pages in an init: walkedPages = append(walkedPages, walkedPage{...}).
type walkedPage struct {
	Name  string // names the screenshots and the failures
	Role  string // the role the sign-in lands on
	Token func(c *platformtest.Consortium, res *demo.Result) string
	Tabs  []string // the tabs to open, by ID
}

var walkedPages = []walkedPage{
	{Name: "bank", Role: "bank", Token: func(c *platformtest.Consortium, _ *demo.Result) string { return c.Token("bankB") },
		Tabs: []string{"inbox", "portfolio", "lines"}},
	{Name: "operator", Role: "operator", Token: func(c *platformtest.Consortium, _ *demo.Result) string { return c.Token("operator") },
		Tabs: []string{"enterprises"}},
}

// TestI18nInBrowser checks the language machinery without a network: the
// browser's language chooses (zh* → zh-CN), the switch in the header
// sticks across a reload, a missing key shows as ⟦key⟧ and is recorded,
// and amounts and dates are formatted per language and read back as shown.
func TestI18nInBrowser(t *testing.T) {
	requireBrowser(t)
	srv := httptest.NewServer(http.StripPrefix("/console", console.Handler()))
	defer srv.Close()
	b := newPage(t, srv.URL, time.Minute)
	// A Chinese browser with no stored choice: the console speaks zh-CN.
	b.run(emulation.SetUserAgentOverride("Mozilla/5.0 TierChainTest").WithAcceptLanguage("zh-TW,zh;q=0.9"),
		chromedp.Navigate(srv.URL+"/console/"), chromedp.Evaluate(`localStorage.clear()`, nil), chromedp.Reload(),
		chromedp.WaitVisible("#token", chromedp.ByID))
	var lang, title string
	b.eval(`document.documentElement.lang`, &lang)
	if lang != "zh-CN" {
		t.Fatalf("a zh-TW browser gets lang %q, want zh-CN", lang)
	}
	if title = b.text("#signin-form h1"); title != "登录" {
		t.Errorf("the sign-in title in zh-CN is %q", title)
	}
	untranslated(t, b.ctx, "sign-in zh-CN")
	axeCheck(t, b.ctx)
	screenshot(t, b.ctx, "signin-zh-CN")
	// The switch: English, kept across a reload.
	b.run(chromedp.SetValue("#lang", "en", chromedp.ByID),
		chromedp.Evaluate(`document.querySelector("#lang").dispatchEvent(new Event("change"))`, nil),
		chromedp.WaitVisible(`html[lang="en"]`, chromedp.ByQuery))
	if got := b.text("#signin-form h1"); got != "Sign in" {
		t.Errorf("after the switch to English the title is %q", got)
	}
	b.run(chromedp.Reload(), chromedp.WaitVisible("#token", chromedp.ByID))
	b.eval(`document.documentElement.lang + " " + localStorage.getItem("tierchain.locale")`, &lang)
	if lang != "en en" {
		t.Errorf("after a reload: %q, want the English the switch chose", lang)
	}
	untranslated(t, b.ctx, "sign-in en")
	axeCheck(t, b.ctx)
	at390(t, b.ctx, "sign-in", "signin-en-390")

	// The self-custody page (no wallet module here: its status says so) in
	// both languages, through its own switch.
	b.run(chromedp.Navigate(srv.URL+"/console/custody.html"), chromedp.WaitVisible("#create", chromedp.ByID))
	for _, loc := range []string{"zh-CN", "en"} {
		b.run(chromedp.SetValue("#lang", loc, chromedp.ByID),
			chromedp.Evaluate(`document.querySelector("#lang").dispatchEvent(new Event("change"))`, nil),
			chromedp.WaitVisible(fmt.Sprintf(`html[lang=%q]`, loc), chromedp.ByQuery))
		want := map[string]string{"zh-CN": "新建钱包", "en": "New wallet"}[loc]
		if got := b.text("#create-title"); got != want {
			t.Errorf("custody %s: the title reads %q, want %q", loc, got, want)
		}
		untranslated(t, b.ctx, "custody "+loc)
		axeCheck(t, b.ctx)
		screenshot(t, b.ctx, "custody-"+loc)
		at390(t, b.ctx, "custody "+loc, "custody-"+loc+"-390")
	}
	b.run(chromedp.Navigate(srv.URL+"/console/"), chromedp.WaitVisible("#token", chromedp.ByID))

	var got map[string]string
	b.eval(`(async () => {
		const i18n = await import("./js/i18n.js");
		const f = await import("./js/format.js");
		const str = (v) => (v === null ? "null" : String(v));
		const out = {};
		const both = (name, fn) => { for (const l of ["en", "zh-CN"]) { localStorage.setItem("tierchain.locale", l); out[name + " " + l] = fn(); } };
		both("money CNY", () => f.money({minor: 125000000, decimal: "1250000.00", currency: "CNY"}));
		both("money USD", () => f.money({minor: 125000000, decimal: "1250000.00", currency: "USD"}));
		both("money JPY", () => f.money({minor: 1250000, decimal: "1250000", currency: "JPY"}));
		both("money sealed", () => f.money({currency: "CNY", sealed: true}));
		both("money legacy", () => f.money({minor: 100, decimal: "1.00"}));
		both("percent", () => f.percent(0.125));
		f.setTimeZone("Asia/Shanghai");
		// 2027-03-31T16:30Z is 00:30 on 1 April in Shanghai.
		both("date", () => f.formatDate("2027-03-31T16:30:00Z"));
		both("dateTime", () => f.formatDateTime("2027-03-31T16:30:00Z").replace(/\u202f/g, " "));
		out["endOfDay"] = f.endOfDay("2027-04-01");
		out["endOfDay bad"] = str(f.endOfDay("2027-02-30"));
		out["daysUntil"] = str(f.daysUntil("2027-04-10T15:59:59Z", Date.parse("2027-03-31T16:30:00Z")));
		// Typed as shown, in either language.
		for (const [s, c] of [["1,250,000.00", "CNY"], ["¥1,250,000.00", "CNY"], ["CNY 1,250,000.00", "CNY"], ["CNY\u00a01,250,000.00", "CNY"],
			["1250000", "CNY"], ["US$1,250,000.00", "USD"], ["USD 1,250,000.00", "USD"], ["1,250,000", "JPY"], ["1,250,000.5", "JPY"],
			["12,50,000.00", "CNY"], ["1,250,000.001", "CNY"], ["-5", "CNY"], ["¥", "CNY"], ["US$5", "CNY"]]) {
			out["parse " + c + " " + s] = str(f.parseAmount(s, c));
		}
		for (const l of ["en", "zh-CN"]) {
			localStorage.setItem("tierchain.locale", l);
			for (const c of ["CNY", "USD", "JPY", "EUR"]) {
				const shown = f.formatMinor(123456789n, c);
				out["round trip " + l + " " + c] = str(f.parseAmount(shown, c));
			}
		}
		localStorage.setItem("tierchain.locale", "en");
		window.__i18nMissing = [];
		out["missing"] = i18n.t("nowhere.key");
		out["missing recorded"] = window.__i18nMissing.join(",");
		i18n.register({en: {"x.greet": "Hello {name}"}, "zh-CN": {"x.greet": "你好，{name}"}});
		out["placeholder"] = i18n.t("x.greet", {name: "ux2"});
		window.__i18nMissing = [];
		return out;
	})()`, &got)
	want := map[string]string{
		"money CNY en": "CNY\u00a01,250,000.00", "money CNY zh-CN": "¥1,250,000.00",
		"money USD en": "USD\u00a01,250,000.00", "money USD zh-CN": "US$1,250,000.00",
		"money JPY en": "JPY\u00a01,250,000", "money JPY zh-CN": "JP¥1,250,000",
		"money sealed en": "sealed", "money sealed zh-CN": "已加密",
		"money legacy en": "NOK\u00a01.00", "money legacy zh-CN": "NOK\u00a01.00",
		"percent en": "12.5%", "percent zh-CN": "12.5%",
		"date en": "Apr 1, 2027", "date zh-CN": "2027年4月1日",
		"endOfDay": "2027-04-01T23:59:59+08:00", "endOfDay bad": "null",
		"daysUntil":              "9",
		"parse CNY 1,250,000.00": "125000000", "parse CNY ¥1,250,000.00": "125000000", "parse CNY CNY 1,250,000.00": "125000000",
		"parse CNY CNY\u00a01,250,000.00": "125000000", "parse CNY 1250000": "125000000", "parse USD US$1,250,000.00": "125000000",
		"parse USD USD 1,250,000.00": "125000000", "parse JPY 1,250,000": "1250000", "parse JPY 1,250,000.5": "null",
		"parse CNY 12,50,000.00": "null", "parse CNY 1,250,000.001": "null", "parse CNY -5": "null", "parse CNY ¥": "null",
		"parse CNY US$5": "null",
		"missing":        "⟦nowhere.key⟧", "missing recorded": "en:nowhere.key", "placeholder": "Hello ux2",
	}
	for _, l := range []string{"en", "zh-CN"} {
		for _, c := range []string{"CNY", "USD", "EUR"} {
			want["round trip "+l+" "+c] = "123456789"
		}
		want["round trip "+l+" JPY"] = "123456789"
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	for _, k := range []string{"dateTime en", "dateTime zh-CN"} {
		t.Logf("%s = %q", k, got[k])
	}
}

// TestEveryPageInBothLanguages plays the demo story over REST, then opens
// every tab of every page in walkedPages in English and in Chinese: no
// missing message, no untranslated text in Chinese, no serious axe-core
// violation, nothing past the right edge at 390 px, no figure broken
// across lines; a screenshot of each kept.
func TestEveryPageInBothLanguages(t *testing.T) {
	p, base, res := playOverREST(t, demo.Config{Suffix: runSuffix("-w")})
	b := newPage(t, base, 8*time.Minute)
	for _, wp := range walkedPages {
		b.signIn(wp.Token(p, res), wp.Role)
		for _, loc := range []string{"en", "zh-CN"} {
			if err := withLocale(b.ctx, loc); err != nil {
				t.Fatal(err)
			}
			for _, tab := range wp.Tabs {
				where := fmt.Sprintf("%s/%s %s", wp.Name, tab, loc)
				b.tab(tab)
				untranslated(t, b.ctx, where)
				axeCheck(t, b.ctx)
				figuresWhole(t, b.ctx, where)
				screenshot(t, b.ctx, fmt.Sprintf("%s-%s-%s", wp.Name, tab, loc))
				at390(t, b.ctx, where, fmt.Sprintf("%s-%s-%s-390", wp.Name, tab, loc))
			}
		}
		if err := withLocale(b.ctx, "en"); err != nil {
			t.Fatal(err)
		}
	}
}
