package protocol_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

var issueOnce = sync.OnceValue(func() *model.IssueRequest { return rulestest.NewScenario().IssueReq })

// compactIssue is the fixture's issue (in rulestest.Currency), encoded:
// version 2.
func compactIssue(t testing.TB) (*model.IssueRequest, []byte) {
	req := issueOnce()
	raw, err := protocol.EncodeIssueRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	return req, raw
}

// TestCompactIssueRequest: the compact issue request round-trips, is
// smaller than JSON, and is told from JSON by its first byte.
func TestCompactIssueRequest(t *testing.T) {
	req, raw := compactIssue(t)
	js, _ := json.Marshal(req)
	if !protocol.IsCompactIssueRequest(string(raw)) || protocol.IsCompactIssueRequest(string(js)) {
		t.Fatal("version byte does not tell the encodings apart")
	}
	got, err := protocol.DecodeIssueRequest(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, req) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, req)
	}
	t.Logf("issue request: JSON %d bytes, compact v1 %d bytes", len(js), len(raw))
	if len(raw)*4 > len(js)*3 {
		t.Fatalf("compact %d bytes is not a quarter below JSON's %d", len(raw), len(js))
	}
}

// legacyIssue is the fixture's issue without its currency, as a client
// from before currencies sent it: version 1.
func legacyIssue(t testing.TB) (*model.IssueRequest, []byte) {
	req := *issueOnce()
	req.Currency = ""
	raw, err := protocol.EncodeIssueRequest(&req)
	if err != nil {
		t.Fatal(err)
	}
	return &req, raw
}

// TestCompactIssueRequestVersions: an issue in a currency is version 2,
// the currency right after the version byte; a legacy issue is version 1,
// byte for byte what version 1 was (v2 without the currency), and decodes
// with currency "".
func TestCompactIssueRequestVersions(t *testing.T) {
	req, v2 := compactIssue(t)
	if v2[0] != protocol.IssueWireV2 || string(v2[1:4]) != rulestest.Currency || req.Currency != rulestest.Currency {
		t.Fatalf("issue in %s encodes as version %d, currency %q", req.Currency, v2[0], v2[1:4])
	}
	legacy, v1 := legacyIssue(t)
	if v1[0] != protocol.IssueWireV1 || !bytes.Equal(v1[1:], v2[4:]) {
		t.Fatal("version 1 is not version 2 without its currency")
	}
	got, err := protocol.DecodeIssueRequest(v1)
	if err != nil || got.Currency != "" || !reflect.DeepEqual(got, legacy) {
		t.Fatalf("version 1: %+v %v", got, err)
	}
	for _, c := range []string{"cny", "XXX", "C\x00Y", "\x00\x00\x00"} {
		b := append(append([]byte{protocol.IssueWireV2}, c...), v2[4:]...)
		if _, err := protocol.DecodeIssueRequest(b); !errors.Is(err, model.ErrInvalidArgument) {
			t.Errorf("currency %q: %v", c, err)
		}
	}
}

// TestCompactIssueRequestRejects: every truncation, a trailing byte, an
// unknown version, invoice counts out of range and a maturity at 0, in
// version 1 (version 2 adds three bytes before the same layout).
func TestCompactIssueRequestRejects(t *testing.T) {
	_, raw := legacyIssue(t)
	_, v2 := compactIssue(t)
	bad := map[string][]byte{
		"empty":       {},
		"version 5":   append([]byte{5}, raw[1:]...),
		"v2 as v1":    append([]byte{1}, v2[1:]...),
		"v1 as v2":    append([]byte{2}, raw[1:]...),
		"trailing":    append(bytes.Clone(raw), 0),
		"no invoices": append([]byte{1, 0}, raw[2:]...),
		"17 invoices": append([]byte{1, 17}, raw[2:]...),
		"maturity 0":  append(append([]byte{1, raw[1]}, make([]byte, 8)...), raw[10:]...),
		"maturity 2^63": func() []byte {
			b := bytes.Clone(raw)
			b[2] = 0x80
			return b
		}(),
	}
	for i := 0; i < len(raw); i++ {
		bad[fmt.Sprintf("truncated to %d", i)] = raw[:i]
	}
	for i := 0; i < len(v2); i++ {
		bad[fmt.Sprintf("v2 truncated to %d", i)] = v2[:i]
	}
	for name, b := range bad {
		if _, err := protocol.DecodeIssueRequest(b); !errors.Is(err, model.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzDecodeCompactIssueRequest: no panic, and whatever decodes is valid
// and encodes back to the same bytes.
func FuzzDecodeCompactIssueRequest(f *testing.F) {
	_, raw := compactIssue(f)
	_, v1 := legacyIssue(f)
	f.Add(raw)
	f.Add(raw[:80])
	f.Add(v1)
	f.Add(append([]byte{protocol.IssueWireV3}, raw[1:]...))
	f.Add(append(append([]byte{protocol.IssueWireV4}, raw[1:]...), 0, 1, 0xff)) // version 4: bank flag, refs
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := protocol.DecodeIssueRequest(b)
		if err != nil {
			if !errors.Is(err, model.ErrInvalidArgument) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		again, err := protocol.EncodeIssueRequest(req)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("not canonical: %v", err)
		}
	})
}
