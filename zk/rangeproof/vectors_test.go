package rangeproof

import (
	"encoding/hex"
	"errors"
	"flag"
	"testing"

	"github.com/tierchain/tierchain/zk/internal/testrand"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// update rewrites the current version's vectors (testdata/vectors-v2.json):
// go test ./zk/rangeproof -run Vectors -update. The files of earlier
// versions are frozen: nothing rewrites them.
var update = flag.Bool("update", false, "rewrite the known-answer vectors")

type vector struct {
	Seed        string   `json:"seed"`
	Bits        int      `json:"bits"`
	Values      []uint64 `json:"values"`
	Commitments []string `json:"commitments"`
	Proof       string   `json:"proof"`
}

// vectorCases are the current version's vectors: the seed names the
// version, so a new version gets new proofs from new randomness.
var vectorCases = []struct {
	seed   string
	bits   int
	values []uint64
}{
	{"v2/a", 64, []uint64{0}},
	{"v2/b", 64, []uint64{1<<64 - 1}},
	{"v2/c", 32, []uint64{7, 1<<32 - 1}},
	{"v2/d", 8, []uint64{1, 2, 3}},
}

// makeVector is the generator: deterministic openings and proof from a seed.
func makeVector(t *testing.T, seed string, bits int, values []uint64) vector {
	rnd := testrand.New(seed)
	p, cs := prove(t, rnd, bits, values...)
	v := vector{Seed: seed, Bits: bits, Values: values, Proof: hex.EncodeToString(p.Bytes())}
	for _, c := range cs {
		v.Commitments = append(v.Commitments, hex.EncodeToString(c.Bytes()))
	}
	return v
}

// decodeVector parses a vector's commitments and proof.
func decodeVector(t *testing.T, v vector) (*Proof, []*pedersen.Commitment) {
	t.Helper()
	var cs []*pedersen.Commitment
	for _, h := range v.Commitments {
		b, _ := hex.DecodeString(h)
		c, err := pedersen.DecodeCommitment(b)
		if err != nil {
			t.Fatalf("%s: %v", v.Seed, err)
		}
		cs = append(cs, c)
	}
	pb, _ := hex.DecodeString(v.Proof)
	p, err := DecodeProof(pb)
	if err != nil {
		t.Fatalf("%s: %v", v.Seed, err)
	}
	return p, cs
}

// TestVectors checks that the version 2 proofs still verify and that the
// prover still produces them byte for byte from the same randomness.
func TestVectors(t *testing.T) {
	vs := testrand.Vectors(t, "testdata/vectors-v2.json", *update, func() []vector {
		var vs []vector
		for _, c := range vectorCases {
			vs = append(vs, makeVector(t, c.seed, c.bits, c.values))
		}
		return vs
	})
	if len(vs) != len(vectorCases) {
		t.Fatalf("%d vectors, want %d", len(vs), len(vectorCases))
	}
	for _, v := range vs {
		p, cs := decodeVector(t, v)
		if err := p.Verify(ctxTranscript(), cs, v.Bits); err != nil {
			t.Errorf("%s: frozen proof no longer verifies: %v", v.Seed, err)
		}
		if err := p.VerifyV1(ctxTranscript(), cs, v.Bits); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: a version 2 proof under the version 1 transcript: %v", v.Seed, err)
		}
		again := makeVector(t, v.Seed, v.Bits, v.Values)
		if again.Proof != v.Proof {
			t.Errorf("%s: prover output changed for the same randomness", v.Seed)
		}
	}
}

// TestVectorsV1 checks the frozen version 1 proofs (testdata/vectors-v1.json,
// made by this file's generator before version 2): each still verifies on
// its own with VerifyV1, and is refused by Verify and by a batch, which
// speak only version 2.
func TestVectorsV1(t *testing.T) {
	vs := testrand.Vectors[vector](t, "testdata/vectors-v1.json", false, nil)
	if len(vs) != 4 {
		t.Fatalf("%d version 1 vectors, want 4", len(vs))
	}
	for _, v := range vs {
		p, cs := decodeVector(t, v)
		if err := p.VerifyV1(ctxTranscript(), cs, v.Bits); err != nil {
			t.Errorf("%s: frozen version 1 proof no longer verifies on its own: %v", v.Seed, err)
		}
		if err := p.Verify(ctxTranscript(), cs, v.Bits); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: version 1 proof under Verify: %v", v.Seed, err)
		}
		bv := NewBatchVerifier(nil)
		if err := bv.Add(ctxTranscript(), p, cs, v.Bits); err != nil {
			t.Fatal(err)
		}
		if err := bv.Verify(); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: version 1 proof in a batch: %v", v.Seed, err)
		}
	}
}

// TestGeneratorsPinned recomputes vector generators from their labels and
// pins a few encodings: changing them invalidates every stored proof.
func TestGeneratorsPinned(t *testing.T) {
	gs := generators()
	for _, i := range []int{0, 1, 511} {
		if gs.g[i].Equal(vectorGenerator('G', i)) != 1 || gs.h[i].Equal(vectorGenerator('H', i)) != 1 {
			t.Fatalf("generator %d differs from its label", i)
		}
	}
	pins := map[string]string{
		"G0":   gs.g[0].String(),
		"H0":   gs.h[0].String(),
		"G511": gs.g[511].String(),
	}
	want := map[string]string{
		"G0":   "9e4f558485691db01ae67baf306b449ddfb0d287275937a854230e2bca796454",
		"H0":   "b0f9585c2e057e8c3a3bd7395f1fef749099a54955bd690cf55376dc2d00d71c",
		"G511": "f2b6cd09451849214fb3732b261a45d0d4ce30e2333e5ef589c4ddc51bcc8336",
	}
	for k, v := range pins {
		if want[k] != v {
			t.Errorf("%s = %s, pinned %s", k, v, want[k])
		}
	}
}
