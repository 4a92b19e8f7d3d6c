package elgamal

import (
	"encoding/hex"
	"flag"
	"testing"

	"github.com/tierchain/tierchain/zk/internal/testrand"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// go test ./zk/elgamal -run Vectors -update rewrites testdata/vectors-v1.json.
var update = flag.Bool("update", false, "rewrite the known-answer vectors")

type vector struct {
	Seed       string `json:"seed"`
	Value      uint64 `json:"value"`
	PrivateKey string `json:"privateKey"`
	PublicKey  string `json:"publicKey"`
	Commitment string `json:"commitment"`
	Handle     string `json:"handle"`
	Proof      string `json:"proof"`
}

// makeVector is the generator: key, opening and proof from seeded randomness.
func makeVector(t *testing.T, seed string, value uint64) vector {
	rnd := testrand.New(seed)
	k, err := GenerateKey(rnd)
	if err != nil {
		t.Fatal(err)
	}
	o, err := pedersen.NewOpening(value, rnd)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ProveHandle(tr(), k.Public(), o, rnd)
	if err != nil {
		t.Fatal(err)
	}
	h := NewHandle(k.Public(), o.Blinding)
	return vector{Seed: seed, Value: value, PrivateKey: hex.EncodeToString(k.Bytes()), PublicKey: hex.EncodeToString(k.Public().Bytes()),
		Commitment: hex.EncodeToString(o.Commitment().Bytes()), Handle: hex.EncodeToString(h.Bytes()), Proof: hex.EncodeToString(p.Bytes())}
}

// TestVectors: frozen v1 handle proofs still verify, the regulator still
// opens them, and the prover reproduces them from the same randomness.
func TestVectors(t *testing.T) {
	type vectorCase struct {
		seed  string
		value uint64
	}
	cases := []vectorCase{{"v1/a", 0}, {"v1/b", 100_000_000}, {"v1/c", 1<<24 - 1}}
	vs := testrand.VectorsOf(t, "testdata/vectors-v1.json", *update, cases, func(c vectorCase) vector {
		return makeVector(t, c.seed, c.value)
	})
	hx := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	for _, v := range vs {
		k, err := DecodePrivateKey(hx(v.PrivateKey))
		if err != nil {
			t.Fatal(err)
		}
		pub, err := DecodePublicKey(hx(v.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		c, err := pedersen.DecodeCommitment(hx(v.Commitment))
		if err != nil {
			t.Fatal(err)
		}
		h, err := DecodeHandle(hx(v.Handle))
		if err != nil {
			t.Fatal(err)
		}
		p, err := DecodeHandleProof(hx(v.Proof))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Verify(tr(), pub, c, h); err != nil {
			t.Errorf("%s: frozen proof no longer verifies: %v", v.Seed, err)
		}
		if !k.CheckValue(c, h, v.Value) {
			t.Errorf("%s: the regulator no longer opens %d", v.Seed, v.Value)
		}
		if again := makeVector(t, v.Seed, v.Value); again != v {
			t.Errorf("%s: output changed for the same randomness", v.Seed)
		}
	}
}
