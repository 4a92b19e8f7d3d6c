package rules

import (
	"bytes"
	"testing"
	"time"
)

// FuzzDecodeSpentMarker: whatever decodes re-encodes to the same bytes (one
// marker has one encoding) and names 1..MaxOutputs children; nothing panics.
func FuzzDecodeSpentMarker(f *testing.F) {
	f.Add(spentMarker{At: time.Unix(1_765_000_000, 123).UTC(), TxID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Children: 2}.encode())
	f.Add([]byte{spentMarkerV1})
	f.Add([]byte{0x02, 0, 0, 0, 0, 0, 0, 0, 0, 2, 'a'})
	f.Add([]byte{spentMarkerV1, 0, 0, 0, 0, 0, 0, 0, 0, 9, 'a'})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeSpentMarker(b)
		if err != nil {
			return
		}
		if got := m.encode(); !bytes.Equal(got, b) {
			t.Fatalf("decoded %x, re-encoded %x", b, got)
		}
		if c := m.children(); len(c) != m.Children || len(c) == 0 {
			t.Fatalf("%d children listed for %d", len(c), m.Children)
		}
	})
}

func TestSpentMarkerRefusals(t *testing.T) {
	good := spentMarker{At: time.Unix(1_765_000_000, 0).UTC(), TxID: "tx1", Children: 2}.encode()
	if _, err := decodeSpentMarker(good); err != nil {
		t.Fatalf("good marker: %v", err)
	}
	for name, b := range map[string][]byte{
		"empty":          nil,
		"version 2":      append([]byte{0x02}, good[1:]...),
		"no tx ID":       good[:10],
		"zero children":  append(append(bytes.Clone(good[:9]), 0), 't'),
		"nine children":  append(append(bytes.Clone(good[:9]), 9), 't'),
		"tx ID with NUL": append(bytes.Clone(good), 0),
		"tx ID too long": append(bytes.Clone(good[:10]), bytes.Repeat([]byte{'a'}, 65)...),
	} {
		if _, err := decodeSpentMarker(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzDecodeUsedMarker: whatever decodes re-encodes to the same bytes;
// nothing panics.
func FuzzDecodeUsedMarker(f *testing.F) {
	f.Add(usedMarker{At: time.Unix(1_765_000_000, 5).UTC(), Root: "t0123456789abcdef0123456789abcdef"}.encode())
	f.Add([]byte{usedMarkerV1, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x02, 0, 0, 0, 0, 0, 0, 0, 0, 't'})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeUsedMarker(b)
		if err != nil {
			return
		}
		if got := m.encode(); !bytes.Equal(got, b) {
			t.Fatalf("decoded %x, re-encoded %x", b, got)
		}
		if m.Root == "" {
			t.Fatal("decoded a marker with no root")
		}
	})
}
