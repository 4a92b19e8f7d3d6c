package balance

import (
	"encoding/hex"
	"flag"
	"testing"

	"github.com/tierchain/tierchain/zk/internal/testrand"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// go test ./zk/balance -run Vectors -update rewrites testdata/vectors-v1.json.
var update = flag.Bool("update", false, "rewrite the known-answer vectors")

type vector struct {
	Seed    string   `json:"seed"`
	Inputs  []string `json:"inputs"`
	Outputs []string `json:"outputs"`
	Proof   string   `json:"proof"`
}

// makeVector is the generator: a 1000 → 400 + 600 split from seeded randomness.
func makeVector(t *testing.T, seed string) vector {
	rnd := testrand.New(seed)
	open := func(v uint64) pedersen.Opening {
		o, err := pedersen.NewOpening(v, rnd)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	ins := []pedersen.Opening{open(1000)}
	outs := []pedersen.Opening{open(400), open(600)}
	p, err := Prove(tr(), ExcessBlinding(ins, outs), rnd)
	if err != nil {
		t.Fatal(err)
	}
	v := vector{Seed: seed, Proof: hex.EncodeToString(p.Bytes())}
	for _, o := range ins {
		v.Inputs = append(v.Inputs, hex.EncodeToString(o.Commitment().Bytes()))
	}
	for _, o := range outs {
		v.Outputs = append(v.Outputs, hex.EncodeToString(o.Commitment().Bytes()))
	}
	return v
}

func decodeAll(t *testing.T, hs []string) []*pedersen.Commitment {
	var cs []*pedersen.Commitment
	for _, h := range hs {
		b, _ := hex.DecodeString(h)
		c, err := pedersen.DecodeCommitment(b)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	return cs
}

// TestVectors: frozen v1 proofs still verify, and the prover reproduces
// them byte for byte from the same randomness.
func TestVectors(t *testing.T) {
	seeds := []string{"v1/a", "v1/b"}
	vs := testrand.VectorsOf(t, "testdata/vectors-v1.json", *update, seeds, func(s string) vector { return makeVector(t, s) })
	for _, v := range vs {
		pb, _ := hex.DecodeString(v.Proof)
		p, err := DecodeProof(pb)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Verify(tr(), Excess(decodeAll(t, v.Inputs), decodeAll(t, v.Outputs))); err != nil {
			t.Errorf("%s: frozen proof no longer verifies: %v", v.Seed, err)
		}
		if again := makeVector(t, v.Seed); again.Proof != v.Proof {
			t.Errorf("%s: prover output changed for the same randomness", v.Seed)
		}
	}
}
