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

// TestCompactIssueRequestRejects: every truncation, a trailing byte, an
// unknown version, invoice counts out of range and a maturity at 0.
func TestCompactIssueRequestRejects(t *testing.T) {
	_, raw := compactIssue(t)
	bad := map[string][]byte{
		"empty":       {},
		"version 2":   append([]byte{2}, raw[1:]...),
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
	f.Add(raw)
	f.Add(raw[:80])
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
