package gateway

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/internal/problem"
)

type decodeTarget struct {
	Amount uint64   `json:"amount"`
	Note   string   `json:"note"`
	Tags   []string `json:"tags"`
}

func (d *decodeTarget) Validate() []problem.FieldError {
	if d.Amount == 0 {
		return []problem.FieldError{{Field: "amount", Reason: "must be at least 1"}}
	}
	return nil
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		limit       int64
		status      int    // 0: success
		field       string // the first field error's field
	}{
		{"ok", "application/json", `{"amount":5,"note":"n"}`, 0, 0, ""},
		{"ok with charset and trailing space", "application/json; charset=utf-8", "{\"amount\":5}\n  ", 0, 0, ""},
		{"empty", "application/json", ``, 0, 400, ""},
		{"only whitespace", "application/json", "  \n", 0, 400, ""},
		{"malformed", "application/json", `{"amount":`, 0, 400, ""},
		{"syntax error", "application/json", `{amount:5}`, 0, 400, ""},
		{"unknown field", "application/json", `{"amount":5,"extra":1}`, 0, 400, "extra"},
		{"wrong type", "application/json", `{"amount":"5"}`, 0, 400, "amount"},
		{"negative amount", "application/json", `{"amount":-5}`, 0, 400, "amount"},
		{"two values", "application/json", `{"amount":5}{"amount":6}`, 0, 400, ""},
		{"trailing garbage", "application/json", `{"amount":5} x`, 0, 400, ""},
		{"not an object", "application/json", `[1,2]`, 0, 400, ""},
		{"validation", "application/json", `{"amount":0}`, 0, 400, "amount"},
		{"duplicated key", "application/json", `{"amount":5,"amount":0}`, 0, 400, "amount"},
		{"duplicated key differing in case", "application/json", `{"amount":5,"Amount":7}`, 0, 400, "Amount"},
		{"duplicated key in a list element", "application/json", `{"amount":5,"tags":["a"],"note":"x","note":"y"}`, 0, 400, "note"},
		{"nested 100,000 deep", "application/json", strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000), 0, 400, ""},
		{"invalid UTF-8", "application/json", "{\"amount\":5,\"note\":\"\xff\"}", 0, 400, ""},
		{"no content type", "", `{"amount":5}`, 0, 415, ""},
		{"text/plain", "text/plain", `{"amount":5}`, 0, 415, ""},
		{"json-ish media type", "application/jsonx", `{"amount":5}`, 0, 415, ""},
		{"over the limit", "application/json", `{"amount":5,"note":"` + strings.Repeat("a", 100) + `"}`, 64, 413, ""},
		{"trailing data over the limit", "application/json", `{"amount":5}` + strings.Repeat(" ", 100) + "x", 64, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(rec)
			c.Request = httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tt.body))
			if tt.contentType != "" {
				c.Request.Header.Set("Content-Type", tt.contentType)
			}
			if tt.limit > 0 {
				c.Request.Body = http.MaxBytesReader(rec, c.Request.Body, tt.limit)
			}
			var v decodeTarget
			err := DecodeJSON(c, &v)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if v.Amount != 5 {
					t.Fatalf("decoded %+v", v)
				}
				return
			}
			p := toProblem(err)
			if p.Status != tt.status {
				t.Fatalf("status %d (%v), want %d", p.Status, err, tt.status)
			}
			if tt.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tt.field) {
				t.Fatalf("errors %+v, want field %q", p.Errors, tt.field)
			}
		})
	}
}

// FuzzDecodeStrict: any input either decodes (and then was exactly one
// JSON value) or fails with a 400 problem; nothing panics.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{`{"amount":1}`, `{"amount":1}{}`, `{"amount":1,"x":2}`, `null`, ` {"tags":["a"]} `,
		`{"note":"\u00e9"}`, `{"amount":1e400}`, `[`, "", `{"amount":1} //`, `{"Amount":1}`, "\ufeff{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var v decodeTarget
		err := decodeStrict(bytes.NewReader(b), &v)
		if err == nil {
			if !validJSONValue(b) {
				t.Fatalf("accepted %q, which is not exactly one JSON value", b)
			}
			return
		}
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != http.StatusBadRequest || p.Code != problem.CodeInvalidArgument {
			t.Fatalf("error %T %v is not a 400 problem", err, err)
		}
	})
}

func TestDecodeStrictRefusesInvalidUTF8(t *testing.T) {
	var v struct {
		Reason string `json:"reason"`
	}
	if err := decodeStrict(strings.NewReader("{\"reason\": \"\xff\xfe\"}"), &v); err == nil {
		t.Fatalf("invalid UTF-8 accepted as %q", v.Reason)
	}
	if err := decodeStrict(strings.NewReader(`{"reason": "Betaling for faktura æøå"}`), &v); err != nil || v.Reason != "Betaling for faktura æøå" {
		t.Fatalf("valid UTF-8: %q, %v", v.Reason, err)
	}
}
