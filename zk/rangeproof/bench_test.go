package rangeproof

import (
	"fmt"
	"testing"

	"github.com/tierchain/tierchain/zk/internal/testrand"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

func benchStatement(b *testing.B, n, m int) ([]pedersen.Opening, []*pedersen.Commitment) {
	var ops []pedersen.Opening
	var cs []*pedersen.Commitment
	for j := 0; j < m; j++ {
		o, err := pedersen.NewOpening(uint64(1000+j), nil)
		if err != nil {
			b.Fatal(err)
		}
		ops = append(ops, o)
		cs = append(cs, o.Commitment())
	}
	return ops, cs
}

func BenchmarkProve(b *testing.B) {
	generators()
	for _, m := range []int{1, 2, 8} {
		b.Run(fmt.Sprintf("64x%d", m), func(b *testing.B) {
			ops, _ := benchStatement(b, 64, m)
			for b.Loop() {
				if _, err := Prove(transcript.New("bench"), ops, 64, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	generators()
	for _, m := range []int{1, 2, 8} {
		b.Run(fmt.Sprintf("64x%d", m), func(b *testing.B) {
			ops, cs := benchStatement(b, 64, m)
			p, err := Prove(transcript.New("bench"), ops, 64, nil)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := p.Verify(transcript.New("bench"), cs, 64); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBatchVerify64 verifies 64 single 64-bit proofs in one batch;
// ns/op is for the whole batch (divide by 64 for the amortized figure).
func BenchmarkBatchVerify64(b *testing.B) {
	generators()
	const count = 64
	proofs := make([]*Proof, count)
	commitments := make([][]*pedersen.Commitment, count)
	for i := range proofs {
		ops, cs := benchStatement(b, 64, 1)
		p, err := Prove(transcript.New("bench"), ops, 64, nil)
		if err != nil {
			b.Fatal(err)
		}
		proofs[i], commitments[i] = p, cs
	}
	for b.Loop() {
		bv := NewBatchVerifier(nil)
		for i := range proofs {
			if err := bv.Add(transcript.New("bench"), proofs[i], commitments[i], 64); err != nil {
				b.Fatal(err)
			}
		}
		if err := bv.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTwoSinglesBatched verifies two single 64-bit proofs in one batch:
// they share the generators G_0…G_63, H_0…H_63, so this costs less than one
// aggregated m=2 proof (which spans 128 generator pairs), at 1344 bytes
// instead of 736. The chaincode's split can choose either.
func BenchmarkTwoSinglesBatched(b *testing.B) { benchTwoSingles(b, nil) }

// BenchmarkTwoSinglesAndSchnorr is BenchmarkTwoSinglesBatched with a
// Schnorr equation (3 terms, as zk/balance's) in the same batch: the
// difference between the two is what the equation adds to the MSM, against
// a separate 3-point MSM of its own.
func BenchmarkTwoSinglesAndSchnorr(b *testing.B) {
	eq, _ := schnorrEquation(b, testrand.New("bench"))
	benchTwoSingles(b, &eq)
}

func benchTwoSingles(b *testing.B, eq *Equation) {
	generators()
	var proofs [2]*Proof
	var cs [2][]*pedersen.Commitment
	for i := range proofs {
		ops, c := benchStatement(b, 64, 1)
		p, err := Prove(transcript.New("bench"), ops, 64, nil)
		if err != nil {
			b.Fatal(err)
		}
		proofs[i], cs[i] = p, c
	}
	for b.Loop() {
		bv := NewBatchVerifier(nil)
		for i := range proofs {
			if err := bv.Add(transcript.New("bench"), proofs[i], cs[i], 64); err != nil {
				b.Fatal(err)
			}
		}
		if eq != nil {
			if err := bv.AddEquation(transcript.New("bench"), *eq); err != nil {
				b.Fatal(err)
			}
		}
		if err := bv.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}
