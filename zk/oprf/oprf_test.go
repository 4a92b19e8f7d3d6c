package oprf

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
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
	ev, err := s.Evaluate(blinded)
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
	ev, err := rogue.Evaluate(blinded)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Finalize(st, ev); !errors.Is(err, ErrInvalidEvaluation) {
		t.Fatalf("rogue evaluation accepted: %v", err)
	}
	_, s, _ := setup(t)
	good, _ := s.Evaluate(blinded)
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
		if _, err := s.Evaluate(b); !errors.Is(err, ErrMalformed) {
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
		s.Evaluate(b)
		DecodeServerPublicKey(b)
		DecodeServerKey(b)
	})
}

func FuzzFinalize(f *testing.F) {
	_, s, c := setup(f)
	st, blinded, _ := c.Blind([]byte("seed"), nil)
	ev, _ := s.Evaluate(blinded)
	f.Add(ev)
	f.Fuzz(func(t *testing.T, b []byte) {
		c.Finalize(st, b)
	})
}

func Example() {
	operator, _ := GenerateServerKey(nil)
	server := NewServer(operator)
	supplier := NewClient(operator.Public())

	st, blinded, _ := supplier.Blind([]byte("seller|buyer|INV-1|2026-11-24|EUR|100000"), nil)
	evaluation, _ := server.Evaluate(blinded) // the operator sees only a random-looking element
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
