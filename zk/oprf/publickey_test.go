package oprf

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// TestServerPublicKey: a server publishes its key's public half, and a
// client of that key verifies and finalizes the server's evaluation.
func TestServerPublicKey(t *testing.T) {
	k, err := GenerateServerKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(k)
	if !bytes.Equal(s.PublicKey().Bytes(), k.Public().Bytes()) {
		t.Fatal("the server publishes another key")
	}
	c := NewClient(s.PublicKey())
	st, blinded, err := c.Blind([]byte("input"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := s.Evaluate(blinded)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Finalize(st, ev); err != nil {
		t.Fatalf("the published key does not verify the evaluation: %v", err)
	}
}
