package problem

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestNegotiate(t *testing.T) {
	for in, want := range map[string]string{
		"":                             LangEnglish,
		"zh-CN":                        LangChinese,
		"zh":                           LangChinese,
		"zh-Hans-CN, en;q=0.5":         LangChinese,
		"zh-TW;q=0.9":                  LangChinese,
		"en-US,en;q=0.9,zh-CN;q=0.8":   LangEnglish,
		"en;q=0.2, zh-CN;q=0.8":        LangChinese,
		"fr-FR, de":                    LangEnglish,
		"*":                            LangEnglish,
		"zh-CN;q=0":                    LangEnglish,
		"zh-CN;q=abc":                  LangEnglish,
		"zh-CN;q=2":                    LangEnglish,
		" ZH-cn ; q=0.7 , en ; q=0.6 ": LangChinese,
		"zhx, eng":                     LangEnglish,
		",,,;;;q=,zh;q=0.1":            LangChinese,
		"en;q=0.5, zh;q=0.5":           LangEnglish, // a tie: the first listed
	} {
		if got := Negotiate(in); got != want {
			t.Errorf("Negotiate(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLocalizedTitle: a Chinese caller reads a Chinese title; code, type,
// status and detail are the same in both languages; the response says its
// language and that it varies with Accept-Language.
func TestLocalizedTitle(t *testing.T) {
	render := func(accept string) (map[string]any, http.Header) {
		p := New(http.StatusNotFound, CodeNotFound, "no token t1").WithHeader("Vary", "Origin")
		p.Localize(accept)
		rec := httptest.NewRecorder()
		if err := Write(rec, p); err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		return body, rec.Header()
	}
	zh, zhh := render("zh-CN,zh;q=0.9,en;q=0.5")
	en, enh := render("en")
	if zh["title"] != "记录不存在" || en["title"] != "Not Found" {
		t.Errorf("titles: zh %q, en %q", zh["title"], en["title"])
	}
	for _, k := range []string{"type", "status", "detail", "code"} {
		if zh[k] != en[k] {
			t.Errorf("%s differs by language: %v / %v", k, zh[k], en[k])
		}
	}
	if zhh.Get("Content-Language") != "zh-CN" || enh.Get("Content-Language") != "en" || zhh.Get("Vary") != "Origin, Accept-Language" {
		t.Errorf("headers: %v / %v", zhh, enh)
	}
	// Every code of this package has a Chinese title of its own; an
	// unknown code takes its status's; an unknown status stays English.
	for _, c := range []string{CodeInvalidArgument, CodeUnauthenticated, CodeUnauthorized, CodeForbidden, CodeNotHosted, CodeReadOnly,
		CodeBadSignature, CodeNotFound, CodeMethodNotAllowed, CodeConflict, CodeInvalidState, CodeInvoiceMismatch, CodeHeldForReview,
		CodeLedgerConflict, CodeSelfCustody, CodeReplayed, CodeIdempotencyInFlight, CodePayloadTooLarge, CodeUnsupportedMedia,
		CodeIdempotencyKeyReused, CodeInvalidProof, CodeRateLimited, CodeInternal, CodeLedgerRejected, CodeNotCommitted,
		CodeUnavailable, CodeTimeout, CodeOutcomeUnknown} {
		if _, ok := zhByCode[c]; !ok {
			t.Errorf("no Chinese title for %s", c)
		}
	}
	if got := Title("SOMETHING_NEW", http.StatusConflict, LangChinese); got != "冲突" {
		t.Errorf("an unknown code's title: %q", got)
	}
	if got := Title("SOMETHING_NEW", 418, LangChinese); got != "I'm a teapot" {
		t.Errorf("an unknown status's title: %q", got)
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "zh-CN", "en;q=0.5, zh;q=0.9", ";;;,,,q=", "zh;q=1e999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := Negotiate(s); got != LangEnglish && got != LangChinese {
			t.Fatalf("Negotiate(%q) = %q", s, got)
		}
	})
}
