package protocol_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

func compactSplit(t testing.TB) (*model.SplitRequest, []byte) {
	k := newKeys(t)
	_, req := splitOf100(t, k, protocol.Context{Channel: "tierchain", Chaincode: "tierchain"})
	raw, err := protocol.EncodeSplitRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	return req, raw
}

// TestCompactSplitRequest: the compact encoding round-trips, is smaller
// than the JSON one, and its first byte tells it from JSON.
func TestCompactSplitRequest(t *testing.T) {
	req, raw := compactSplit(t)
	js, _ := json.Marshal(req)
	if !protocol.IsCompactSplitRequest(string(raw)) || protocol.IsCompactSplitRequest(string(js)) {
		t.Fatal("version byte does not tell the encodings apart")
	}
	got, err := protocol.DecodeSplitRequest(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, req) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, req)
	}
	// The decoded request does not alias the argument.
	raw[len(raw)-1] ^= 1
	if !reflect.DeepEqual(got, req) {
		t.Fatal("decoded request aliases its input")
	}
	raw[len(raw)-1] ^= 1
	t.Logf("1-in/2-out split request: JSON %d bytes, compact v1 %d bytes", len(js), len(raw))
	if len(raw)*4 > len(js)*3 {
		t.Fatalf("compact %d bytes is not a quarter below JSON's %d", len(raw), len(js))
	}
}

// TestCompactSplitRequestRejects: every truncation, a trailing byte, an
// unknown version, counts and ID lengths out of range, and fields that
// fail model validation are refused with CodeInvalidArgument.
func TestCompactSplitRequestRejects(t *testing.T) {
	_, raw := compactSplit(t)
	bad := map[string][]byte{
		"empty":          {},
		"version 0":      append([]byte{0}, raw[1:]...),
		"version 3":      append([]byte{3}, raw[1:]...),
		"v1 as v2":       append([]byte{2}, raw[1:]...),
		"JSON":           []byte(`{"inputs":["t1"]}`),
		"trailing":       append(bytes.Clone(raw), 0),
		"no inputs":      append([]byte{1, 0}, raw[2:]...),
		"9 outputs":      append([]byte{1, 1, 9}, raw[3:]...),
		"empty input ID": func() []byte { b := bytes.Clone(raw); b[3+64] = 0; return b }(),
		"input ID 65":    func() []byte { b := bytes.Clone(raw); b[3+64] = 65; return b }(),
		"bad ID char":    func() []byte { b := bytes.Clone(raw); b[3+64+1] = '/'; return b }(),
	}
	for i := 0; i < len(raw); i++ {
		bad[fmt.Sprintf("truncated to %d", i)] = raw[:i]
	}
	for name, b := range bad {
		if _, err := protocol.DecodeSplitRequest(b); !errors.Is(err, model.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzDecodeCompactSplitRequest: no panic on any input, and whatever
// decodes is valid and encodes back to the same bytes (one encoding per
// request).
func FuzzDecodeCompactSplitRequest(f *testing.F) {
	_, raw := compactSplit(f)
	f.Add(raw)
	f.Add(raw[:100])
	f.Add([]byte{1, 1, 1})
	f.Add(append([]byte{protocol.SplitWireV2}, raw[1:]...)) // version 2: each output followed by its refs
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := protocol.DecodeSplitRequest(b)
		if err != nil {
			if !errors.Is(err, model.ErrInvalidArgument) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if err := req.Validate(); err != nil {
			t.Fatalf("decoded an invalid request: %v", err)
		}
		again, err := protocol.EncodeSplitRequest(req)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("not canonical: %v", err)
		}
	})
}

// BenchmarkDecodeSplitRequest: what the chaincode spends decoding a
// 1-in/2-out split request, JSON (strict, base64) against compact v1.
func BenchmarkDecodeSplitRequest(b *testing.B) {
	req, raw := compactSplit(b)
	js, _ := json.Marshal(req)
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := model.Decode[model.SplitRequest](string(js)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compact", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := protocol.DecodeSplitRequest(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
