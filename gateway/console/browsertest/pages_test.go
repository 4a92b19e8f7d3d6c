package browsertest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/gateway/console"
	"github.com/tierchain/tierchain/internal/demo"
)

// TestFormatsInBrowser checks the pages' arithmetic where it runs, in the
// browser's JavaScript: amounts parsed and printed exactly (BigInt minor
// units up to 2^64−1), never rounded, and idempotency keys the API takes.
func TestFormatsInBrowser(t *testing.T) {
	requireBrowser(t)
	srv := httptest.NewServer(http.StripPrefix("/console", console.Handler()))
	defer srv.Close()
	b := newPage(t, srv.URL, time.Minute)
	b.run(chromedp.Navigate(srv.URL+"/console/"), chromedp.WaitVisible("#token", chromedp.ByID))
	var got map[string]string
	b.eval(`(async () => {
		const f = await import("./js/format.js");
		const api = await import("./js/api.js");
		const str = (v) => (v === null ? "null" : String(v));
		const out = {};
		for (const s of ["400000", "400000.5", "400000.50", " 12.30 ", "0.01", "1.234", "-1", "1e5", "1,5", "", "18446744073709551615"]) {
			out["parse " + JSON.stringify(s)] = str(f.parseAmount(s));
		}
		out["formatDecimal 1000000.00"] = f.formatDecimal("1000000.00");
		out["formatDecimal 999.5"] = f.formatDecimal("999.5", 2);
		out["formatMinor 2^64-1"] = f.formatMinor(18446744073709551615n, "NOK");
		out["toDecimal -1"] = f.toDecimal(-1n, "NOK");
		out["toDecimal 60000000"] = f.toDecimal(60000000, "NOK");
		out["money"] = f.money({minor: 15000000, decimal: "150000.00", currency: "NOK"});
		out["money sealed"] = f.money(undefined);
		out["auditMoney unopenable"] = f.auditMoney({status: "UNOPENABLE"});
		out["auditMoney 0"] = f.auditMoney({minor: 0, status: "RECONCILED"});
		out["parseJSON 2^64-1"] = str(api.parseJSON('{"minor": 18446744073709551615}').minor);
		out["parseJSON small"] = typeof api.parseJSON('{"minor": 100}').minor;
		out["key"] = String(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(api.newIdempotencyKey("split/../x y")));
		return out;
	})()`, &got)
	want := map[string]string{
		`parse "400000"`: "40000000", `parse "400000.5"`: "40000050", `parse "400000.50"`: "40000050",
		`parse " 12.30 "`: "1230", `parse "0.01"`: "1", `parse "1.234"`: "null", `parse "-1"`: "null",
		`parse "1e5"`: "null", `parse "1,5"`: "null", `parse ""`: "null",
		`parse "18446744073709551615"`: "1844674407370955161500",
		"formatDecimal 1000000.00":     "1,000,000.00", "formatDecimal 999.5": "999.50",
		"formatMinor 2^64-1": "NOK\u00a0184,467,440,737,095,516.15", "toDecimal -1": "-0.01", "toDecimal 60000000": "600000.00",
		"money": "NOK\u00a0150,000.00", "money sealed": "sealed",
		"auditMoney unopenable": "not opened", "auditMoney 0": "NOK\u00a00.00",
		"parseJSON 2^64-1": "18446744073709551615", "parseJSON small": "number", "key": "true",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
}

// TestErrorsBesideFields: a problem's errors[].field stands next to the
// input that caused it; a field the form has no input for is listed with
// the detail in the form's error box. On the way the operator onboards a
// supplier through its page.
func TestErrorsBesideFields(t *testing.T) {
	requireBrowser(t)
	p, base := startStack(t)
	b := newPage(t, base, 2*time.Minute)
	// An unknown token: the 401's detail beside the token field.
	b.run(chromedp.Navigate(base+"/console/"), chromedp.WaitVisible("#token", chromedp.ByID),
		chromedp.SendKeys("#token", "not-a-token", chromedp.ByID), chromedp.Click("#signin-submit", chromedp.ByID))
	reason := waitFieldError(b, "token")
	var invalid string
	b.run(chromedp.AttributeValue("#token", "aria-invalid", &invalid, nil, chromedp.ByID))
	if invalid != "true" {
		t.Errorf("the token field is not marked invalid (%q)", invalid)
	}
	t.Logf("beside the token: %q", reason)
	b.shot("signin-unknown-token")

	// The operator onboards a supplier: an ID with a space is refused
	// beside the ID; corrected, the supplier's token is shown once.
	b.signIn(p.Token("operator"), "operator")
	b.typeInto("#onboard-id", "errs e")
	b.typeInto("#onboard-name", "Feil og Mangler AS")
	b.typeInto("#onboard-legal", demo.SupplierLegalID(0, "-e"))
	b.run(chromedp.Click("#onboard-submit", chromedp.ByID))
	t.Logf("beside the ID: %q", waitFieldError(b, "id"))
	b.shot("operator-onboard-bad-id")
	b.typeInto("#onboard-id", "errs-e")
	b.run(chromedp.Click("#onboard-submit", chromedp.ByID))
	b.waitText("#onboard-form .form-ok", false, "errs-e is on the ledger")
	token := b.text("#onboard-token")
	b.shot("operator-onboarded")

	// An invoice in no ISO 4217 currency (every real one is accepted):
	// the API names the currency, which has no input of its own, so the
	// box lists it with the detail.
	b.signIn(token, "supplier")
	b.run(chromedp.Click("#upload-submit", chromedp.ByID))
	b.waitText("#upload-form .form-error", false, "Choose or drop the invoice")
	doc := strings.ReplaceAll(invoiceDoc("FM-1", "1000.00"), `"CNY"`, `"XYZ"`)
	doc = strings.ReplaceAll(doc, demo.SupplierLegalID(0, suffix), demo.SupplierLegalID(0, "-e"))
	path := filepath.Join(t.TempDir(), "FM-1.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	b.run(chromedp.SetUploadFiles("#upload-document", []string{path}, chromedp.ByID),
		chromedp.Click("#upload-submit", chromedp.ByID))
	var box string
	deadline := time.Now().Add(30 * time.Second)
	for box = b.text("#upload-form .form-error"); !strings.Contains(box, "currency"); box = b.text("#upload-form .form-error") {
		if time.Now().After(deadline) {
			b.shot("failure")
			t.Fatalf("the upload's error box reads %q, want the currency named", box)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the upload's error box: %q", box)
	b.shot("upload-wrong-currency")
	var fields []string
	b.eval(`[...document.querySelectorAll("#upload-form .form-error li code")].map((c) => c.textContent)`, &fields)
	if len(fields) == 0 {
		t.Errorf("no field listed: %q", box)
	}
}
