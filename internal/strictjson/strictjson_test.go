package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

type target struct {
	Number string `json:"number"`
	Lines  []struct {
		Amount string `json:"amount"`
	} `json:"lines"`
	Extra map[string]any `json:"extra"`
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     error  // nil: accepted
		path     string // for a *KeyError
	}{
		{"ok", `{"number":"A-1","lines":[{"amount":"1.00"},{"amount":"2.00"}]}`, nil, ""},
		{"white space around", " \n{\"number\":\"é\"}\t\n", nil, ""},
		{"same key in sibling objects", `{"lines":[{"amount":"1"},{"amount":"2"}]}`, nil, ""},
		{"duplicated key", `{"number":"A-1","number":"A-2"}`, ErrDuplicateKey, "number"},
		{"duplicated key differing in case", `{"number":"A-1","Number":"A-2"}`, ErrDuplicateKey, "Number"},
		{"duplicated key by Kelvin sign", "{\"extra\":{\"k\":1,\"\u212a\":2}}", ErrDuplicateKey, "extra.\u212a"},
		{"duplicated key deep in an array", `{"lines":[{"amount":"1"},{"amount":"1","amount":"9"}]}`, ErrDuplicateKey, "lines[1].amount"},
		{"duplicated key in a free-form map", `{"extra":{"a":1,"a":2}}`, ErrDuplicateKey, "extra.a"},
		{"invalid UTF-8 in a value", "{\"number\":\"A\xff1\"}", ErrInvalidUTF8, ""},
		{"invalid UTF-8 outside strings", "{\"number\":\"A\"}\xc3", ErrInvalidUTF8, ""},
		{"escaped lone surrogate", `{"number":"\ud800"}`, nil, ""}, // valid JSON; the text becomes U+FFFD and validators see it
		{"unknown field", `{"number":"1","numbr":"2"}`, ErrUnknownField, "numbr"},
		{"two values", `{"number":"1"} {"number":"2"}`, ErrTrailingData, ""},
		{"two scalars", `1 2`, ErrTrailingData, ""},
		{"duplicated key after a nested value", `{"extra":{"a":{"b":[1,{"c":2}]},"z":1,"a":3}}`, ErrDuplicateKey, "extra.a"},
		{"duplicated key in an array of arrays", `{"extra":{"x":[[{}],[{"q":1,"q":2}]]}}`, ErrDuplicateKey, "extra.x[1][0].q"},
		{"nested too deeply", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), ErrTooDeep, ""},
		{"empty", ``, io.EOF, ""},
		{"truncated", `{"number":"1"`, io.ErrUnexpectedEOF, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v target
			err := Decode([]byte(tc.in), &v)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			var ke *KeyError
			if tc.path != "" && (!errors.As(err, &ke) || ke.Path != tc.path) {
				t.Fatalf("error %v, want key %q", err, tc.path)
			}
		})
	}
	var se *json.SyntaxError
	if err := Decode([]byte(`{"number":}`), new(target)); !errors.As(err, &se) {
		t.Fatalf("syntax error: %T %v", err, err)
	}
	var ute *json.UnmarshalTypeError
	if err := Decode([]byte(`{"number":1}`), new(target)); !errors.As(err, &ute) {
		t.Fatalf("type error: %T %v", err, err)
	}
}

// TestDeepNestingIsLinear: 100,000 nested arrays (what the gateway's
// robustness test sends) are refused at once, not after a scan whose cost
// grows with the square of the depth.
func TestDeepNestingIsLinear(t *testing.T) {
	deep := []byte(strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000))
	start := time.Now()
	if err := Decode(deep, new(any)); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("error %v, want ErrTooDeep", err)
	}
	allowed := []byte(strings.Repeat(`{"a":[`, MaxDepth/2) + strings.Repeat(`]}`, MaxDepth/2))
	if err := Decode(allowed, new(any)); err != nil && !errors.Is(err, ErrTooDeep) {
		t.Fatalf("nesting at the bound: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v", d)
	}
}

// TestFold: fold agrees with strings.EqualFold, the rule encoding/json
// uses to match keys to fields.
func TestFold(t *testing.T) {
	for _, p := range [][2]string{{"k", "K"}, {"k", "\u212a"}, {"s", "\u017f"}, {"Straße", "STRASSE"}, {"ǅ", "ǆ"}} {
		if (fold(p[0]) == fold(p[1])) != bytes.EqualFold([]byte(p[0]), []byte(p[1])) {
			t.Errorf("fold(%q) vs fold(%q) disagrees with EqualFold", p[0], p[1])
		}
	}
}

// FuzzDecode: nothing panics; what is accepted is valid UTF-8 and exactly
// one JSON value; every refusal is one of the documented errors.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"number":"1"}`, `{"a":1,"a":2}`, `{"extra":{"k":1,"K":2}}`, `[1,[2,{"x":[]}]]`,
		"{\"number\":\"\xff\"}", `{"number":"1"}{}`, ``, `{`, `"x"`, `null`, `{"lines":[{"amount":"1"}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var into any
		err := Decode(data, &into)
		if err == nil {
			if !utf8.Valid(data) || !json.Valid(data) {
				t.Fatalf("accepted %q", data)
			}
			return
		}
		var (
			ke  *KeyError
			se  *json.SyntaxError
			ute *json.UnmarshalTypeError
		)
		switch {
		case errors.As(err, &ke), errors.As(err, &se), errors.As(err, &ute),
			errors.Is(err, ErrInvalidUTF8), errors.Is(err, ErrTrailingData),
			errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		default:
			t.Fatalf("undocumented error %T: %v", err, err)
		}
		if errors.As(err, &ke) && json.Valid(data) && errors.Is(err, ErrUnknownField) {
			t.Fatalf("unknown field into any: %v", err)
		}
	})
}
