package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/problem"
)

// TestSignedRequestServedOnce: a request is served once within its
// window, however its signature is re-encoded (ECDSA's (r, n−s)); a fresh
// signature of the same request (a retry) is new; a key leaves the memory
// when its window ends; a full memory refuses with 503 rather than
// forgetting a request still in its window.
func TestSignedRequestServedOnce(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := SignedDigest(http.MethodGet, "/v1"+SignedReusePath, "regulator", "1800000000", nil)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest)
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(sig, &rs); err != nil {
		t.Fatal(err)
	}
	malleated, err := asn1.Marshal(struct{ R, S *big.Int }{rs.R, new(big.Int).Sub(elliptic.P256().Params().N, rs.S)})
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(&key.PublicKey, digest, malleated) {
		t.Fatal("the malleated signature does not verify: the test proves nothing")
	}
	retry, err := ecdsa.SignASN1(rand.Reader, key, digest)
	if err != nil {
		t.Fatal(err)
	}

	now := time.Unix(1_800_000_000, 0)
	expiry := now.Add(SignedSkew)
	var g seenSigned
	if err := g.first(replayKey(digest, sig), expiry, now); err != nil {
		t.Fatalf("first: %v", err)
	}
	for name, s := range map[string][]byte{"replay": sig, "malleated": malleated} {
		err := g.first(replayKey(digest, s), expiry, now.Add(time.Minute))
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != http.StatusUnauthorized {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if err := g.first(replayKey(digest, retry), expiry, now.Add(time.Minute)); err != nil {
		t.Fatalf("a fresh signature of the same request: %v", err)
	}
	// Past the window the timestamp check refuses it anyway; the memory
	// may take the key again.
	if err := g.first(replayKey(digest, sig), expiry.Add(time.Minute), expiry); err != nil {
		t.Fatalf("after the window: %v", err)
	}

	var full seenSigned
	for i := range maxSeenSigned {
		var k [32]byte
		big.NewInt(int64(i)).FillBytes(k[:])
		if err := full.first(k, expiry, now); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	var p *problem.Problem
	if err := full.first(replayKey(digest, retry), expiry, now); !errors.As(err, &p) || p.Status != http.StatusServiceUnavailable {
		t.Fatalf("full memory: %v", err)
	}
	if err := full.first(replayKey(digest, retry), expiry.Add(time.Minute), expiry); err != nil {
		t.Fatalf("after the window the memory is pruned: %v", err)
	}
	if len(full.m) != 1 {
		t.Fatalf("%d entries after pruning, want 1", len(full.m))
	}
}
