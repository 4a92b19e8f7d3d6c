package oprf

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/tierchain/tierchain/zk/internal/testrand"
)

// go test ./zk/oprf -run Vectors -update rewrites testdata/vectors-v1.json.
var update = flag.Bool("update", false, "rewrite the known-answer vectors")

// hexBytes is a hex string in JSON.
type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	*h = d
	return err
}

func (h hexBytes) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }

// scalarReader yields the 32-byte little-endian scalar s followed by 32 zero
// bytes: the 64 bytes RandomScalar reduces to s itself.
func scalarReader(s []byte) *bytes.Reader {
	return bytes.NewReader(append(bytes.Clone(s), make([]byte, 32)...))
}

// TestRFC9497Vectors: key derivation, blinding, evaluation with its DLEQ
// proof, finalization and full evaluation reproduce RFC 9497's VOPRF
// ristretto255-SHA512 vectors byte for byte.
func TestRFC9497Vectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/rfc9497-voprf-ristretto255-sha512.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Seed, KeyInfo, SkSm, PkSm hexBytes
		Vectors                   []struct {
			Input, Blind, BlindedElement, EvaluationElement, Proof, ProofRandomScalar, Output hexBytes
		}
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	k, err := DeriveServerKey(f.Seed, f.KeyInfo)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.Bytes(), f.SkSm) || !bytes.Equal(k.Public().Bytes(), f.PkSm) {
		t.Fatalf("DeriveKeyPair: %x", k.Bytes())
	}
	pub, err := DecodeServerPublicKey(f.PkSm)
	if err != nil {
		t.Fatal(err)
	}
	s, c := NewServer(k), NewClient(pub)
	for _, v := range f.Vectors {
		st, blinded, err := c.Blind(v.Input, scalarReader(v.Blind))
		if err != nil || !bytes.Equal(blinded, v.BlindedElement) {
			t.Fatalf("input %x: Blind = %x, %v", v.Input, blinded, err)
		}
		ev, err := s.Evaluate(blinded, scalarReader(v.ProofRandomScalar))
		if err != nil || !bytes.Equal(ev, append(bytes.Clone(v.EvaluationElement), v.Proof...)) {
			t.Fatalf("input %x: Evaluate = %x, %v", v.Input, ev, err)
		}
		out, err := c.Finalize(st, ev)
		if err != nil || !bytes.Equal(out, v.Output) {
			t.Fatalf("input %x: Finalize = %x, %v", v.Input, out, err)
		}
		if full, err := s.FullEvaluate(v.Input); err != nil || !bytes.Equal(full, v.Output) {
			t.Fatalf("input %x: FullEvaluate = %x, %v", v.Input, full, err)
		}
	}
}

type vector struct {
	Seed        string   `json:"seed"`
	ServerKey   hexBytes `json:"serverKey"`
	PublicKey   hexBytes `json:"publicKey"`
	Input       string   `json:"input"`
	Blinded     hexBytes `json:"blinded"`
	Evaluation  hexBytes `json:"evaluation"`
	Fingerprint hexBytes `json:"fingerprint"`
}

// makeVector is the generator: an operator key (GenerateServerKey, so
// KeyInfo is pinned too) and one fingerprint round, from one seeded reader.
func makeVector(t *testing.T, seed, input string) vector {
	rnd := testrand.New(seed)
	k, err := GenerateServerKey(rnd)
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(k.Public())
	st, blinded, err := c.Blind([]byte(input), rnd)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := NewServer(k).Evaluate(blinded, rnd)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := c.Finalize(st, ev)
	if err != nil {
		t.Fatal(err)
	}
	return vector{Seed: seed, ServerKey: k.Bytes(), PublicKey: k.Public().Bytes(), Input: input,
		Blinded: blinded, Evaluation: ev, Fingerprint: fp}
}

type vectorCase struct{ seed, input string }

// TestVectors: fingerprints are ledger keys (one record per invoice), so a
// v1 fingerprint must never change: the frozen key still gives it, frozen
// evaluations still finalize to it, and the generator reproduces every byte.
func TestVectors(t *testing.T) {
	cases := []vectorCase{
		{"v1/a", "tierchain/invoice-fingerprint/v1|seller|buyer|INV-2026-0001"},
		{"v1/b", ""},
	}
	vs := testrand.VectorsOf(t, "testdata/vectors-v1.json", *update, cases, func(c vectorCase) vector {
		return makeVector(t, c.seed, c.input)
	})
	for _, v := range vs {
		k, err := DecodeServerKey(v.ServerKey)
		if err != nil {
			t.Fatal(err)
		}
		if full, err := NewServer(k).FullEvaluate([]byte(v.Input)); err != nil || !bytes.Equal(full, v.Fingerprint) {
			t.Errorf("%s: the fingerprint of a v1 invoice changed", v.Seed)
		}
		again := makeVector(t, v.Seed, v.Input)
		for name, p := range map[string][2][]byte{
			"public key": {again.PublicKey, v.PublicKey}, "blinded": {again.Blinded, v.Blinded},
			"evaluation": {again.Evaluation, v.Evaluation}, "fingerprint": {again.Fingerprint, v.Fingerprint},
		} {
			if !bytes.Equal(p[0], p[1]) {
				t.Errorf("%s: %s changed for the same randomness", v.Seed, name)
			}
		}
	}
}
