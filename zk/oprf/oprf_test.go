package oprf

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/zk/internal/testrand"
)

func setup(t testing.TB) (*ServerKey, *Server, *Client) {
	k, err := GenerateServerKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k, NewServer(k), NewClient(k.Public())
}

func fingerprint(t testing.TB, s *Server, c *Client, input []byte) []byte {
	st, blinded, err := c.Blind(input, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := s.Evaluate(blinded, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Finalize(st, ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFingerprintStableAndKeyed(t *testing.T) {
	_, s, c := setup(t)
	a := fingerprint(t, s, c, []byte("INV-2026-0001"))
	b := fingerprint(t, s, c, []byte("INV-2026-0001")) // fresh blind, same output
	if !bytes.Equal(a, b) || len(a) != FingerprintSize {
		t.Fatal("fingerprint not deterministic")
	}
	full, err := s.FullEvaluate([]byte("INV-2026-0001"))
	if err != nil || !bytes.Equal(full, a) {
		t.Fatalf("FullEvaluate differs: %v", err)
	}
	if bytes.Equal(a, fingerprint(t, s, c, []byte("INV-2026-0002"))) {
		t.Fatal("different inputs, same fingerprint")
	}
	_, s2, c2 := setup(t)
	if bytes.Equal(a, fingerprint(t, s2, c2, []byte("INV-2026-0001"))) {
		t.Fatal("different keys, same fingerprint")
	}
}

// TestWrongServerKeyDetected: an operator that evaluates with another key
// than the published one is caught by the DLEQ proof.
func TestWrongServerKeyDetected(t *testing.T) {
	_, _, c := setup(t)
	_, rogue, _ := setup(t)
	st, blinded, _ := c.Blind([]byte("x"), nil)
	ev, err := rogue.Evaluate(blinded, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Finalize(st, ev); !errors.Is(err, ErrInvalidEvaluation) {
		t.Fatalf("rogue evaluation accepted: %v", err)
	}
	_, s, _ := setup(t)
	good, _ := s.Evaluate(blinded, nil)
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 1
		if _, err := c.Finalize(st, bad); err == nil {
			t.Fatalf("flipped byte %d accepted", i)
		}
	}
}

func TestDecoders(t *testing.T) {
	k, s, _ := setup(t)
	if k2, err := DecodeServerKey(k.Bytes()); err != nil || !bytes.Equal(k2.Public().Bytes(), k.Public().Bytes()) {
		t.Fatal("server key round trip")
	}
	if p, err := DecodeServerPublicKey(k.Public().Bytes()); err != nil || !bytes.Equal(p.Bytes(), k.Public().Bytes()) {
		t.Fatal("public key round trip")
	}
	for _, b := range [][]byte{nil, make([]byte, 32), bytes.Repeat([]byte{0xff}, 32), make([]byte, 31)} {
		if _, err := s.Evaluate(b, nil); !errors.Is(err, ErrMalformed) {
			t.Errorf("Evaluate(%x): %v", b, err)
		}
		if _, err := DecodeServerPublicKey(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeServerPublicKey(%x): %v", b, err)
		}
	}
	if _, err := DecodeServerKey(bytes.Repeat([]byte{0xff}, 32)); !errors.Is(err, ErrMalformed) {
		t.Errorf("non-canonical key: %v", err)
	}
}

func FuzzEvaluate(f *testing.F) {
	_, s, c := setup(f)
	_, blinded, _ := c.Blind([]byte("seed"), nil)
	f.Add(blinded)
	f.Fuzz(func(t *testing.T, b []byte) {
		if ev, err := s.Evaluate(b, nil); err == nil && len(ev) != EvaluationSize {
			t.Fatalf("evaluation of %d bytes", len(ev))
		}
	})
}

func FuzzFinalize(f *testing.F) {
	_, s, c := setup(f)
	st, blinded, _ := c.Blind([]byte("seed"), nil)
	ev, _ := s.Evaluate(blinded, nil)
	f.Add(ev)
	want, _ := c.Finalize(st, ev)
	f.Fuzz(func(t *testing.T, b []byte) {
		// Whatever passes the DLEQ check carries k·B, so it finalizes to
		// the one honest fingerprint.
		if out, err := c.Finalize(st, b); err == nil && !bytes.Equal(out, want) {
			t.Fatalf("%x finalizes to another fingerprint", b)
		}
	})
}

// fuzzCanonical fuzzes a decoder: no panic, and whatever decodes encodes
// back to the same bytes.
func fuzzCanonical[T interface{ Bytes() []byte }](f *testing.F, decode func([]byte) (T, error), seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := decode(b); err == nil && !bytes.Equal(v.Bytes(), b) {
			t.Fatalf("%x decodes but encodes as %x", b, v.Bytes())
		}
	})
}

func FuzzDecodeServerKey(f *testing.F) {
	k, _, _ := setup(f)
	fuzzCanonical(f, DecodeServerKey, k.Bytes(), make([]byte, 32))
}

func FuzzDecodeServerPublicKey(f *testing.F) {
	k, _, _ := setup(f)
	fuzzCanonical(f, DecodeServerPublicKey, k.Public().Bytes(), make([]byte, 32))
}

// TestEvaluateRandomness: the proof nonce comes from the caller's reader
// (same reader, same evaluation; crypto/rand differs each time), and both
// finalize to the same fingerprint.
func TestEvaluateRandomness(t *testing.T) {
	_, s, c := setup(t)
	st, blinded, _ := c.Blind([]byte("INV-7"), nil)
	a, _ := s.Evaluate(blinded, testrand.New("nonce"))
	b, _ := s.Evaluate(blinded, testrand.New("nonce"))
	x, _ := s.Evaluate(blinded)
	y, _ := s.Evaluate(blinded, nil)
	if !bytes.Equal(a, b) || bytes.Equal(a, x) || bytes.Equal(x, y) {
		t.Fatal("nonce does not follow the reader")
	}
	for _, ev := range [][]byte{a, x, y} {
		if _, err := c.Finalize(st, ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Evaluate(blinded, nil, nil); err == nil {
		t.Fatal("two readers accepted")
	}
	// Same blind from the same reader: same blinded element.
	_, b1, _ := c.Blind([]byte("INV-7"), testrand.New("blind"))
	_, b2, _ := c.Blind([]byte("INV-7"), testrand.New("blind"))
	if !bytes.Equal(b1, b2) || bytes.Equal(b1, blinded) {
		t.Fatal("blind does not follow the reader")
	}
}

func TestSecretsRedacted(t *testing.T) {
	k, _, c := setup(t)
	st, _, _ := c.Blind([]byte("INV-7"), nil)
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "k", k, "st", st)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %v %#v", k, k, k, st, st), buf.String()} {
		if strings.Contains(s, fmt.Sprintf("%x", k.Bytes()[:4])) || !strings.Contains(s, "REDACTED") {
			t.Fatalf("leaked: %s", s)
		}
	}
}

func Example() {
	operator, _ := GenerateServerKey(nil)
	server := NewServer(operator)
	supplier := NewClient(operator.Public())

	st, blinded, _ := supplier.Blind([]byte("seller|buyer|INV-1|2026-11-24|EUR|100000"), nil)
	evaluation, _ := server.Evaluate(blinded, nil) // the operator sees only a random-looking element
	fp, err := supplier.Finalize(st, evaluation)
	fmt.Println(len(fp), err)
	// Output: 64 <nil>
}

func BenchmarkRoundTrip(b *testing.B) {
	_, s, c := setup(b)
	for b.Loop() {
		fingerprint(b, s, c, []byte("INV-2026-0001"))
	}
}

// BenchmarkBlind, BenchmarkEvaluate and BenchmarkFinalize are the three
// steps of one fingerprint: supplier, operator, supplier.
func BenchmarkBlind(b *testing.B) {
	_, _, c := setup(b)
	for b.Loop() {
		if _, _, err := c.Blind([]byte("INV-2026-0001"), nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	_, s, c := setup(b)
	_, blinded, _ := c.Blind([]byte("INV-2026-0001"), nil)
	for b.Loop() {
		if _, err := s.Evaluate(blinded, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFinalize(b *testing.B) {
	_, s, c := setup(b)
	st, blinded, _ := c.Blind([]byte("INV-2026-0001"), nil)
	ev, _ := s.Evaluate(blinded, nil)
	for b.Loop() {
		if _, err := c.Finalize(st, ev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFullEvaluate(b *testing.B) {
	_, s, _ := setup(b)
	for b.Loop() {
		if _, err := s.FullEvaluate([]byte("INV-2026-0001")); err != nil {
			b.Fatal(err)
		}
	}
}
