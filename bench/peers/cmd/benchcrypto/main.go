// Command benchcrypto measures, in one run on one machine, TierChain's range
// proofs against kryptology v1.8.0's Bulletproofs and against circl's
// ristretto255 scalar multiplication, and prints a table whose last line is
//
//	verify64 speedup vs kryptology: X.Xx; prove64 speedup: Y.Yx; verify64/scalarmult: Z.Z
package main

import (
	crand "crypto/rand"
	"fmt"
	"os"
	"testing"
	"text/tabwriter"
	"time"

	circlgroup "github.com/cloudflare/circl/group"
	"github.com/coinbase/kryptology/pkg/bulletproof"
	"github.com/coinbase/kryptology/pkg/core/curves"
	"github.com/gtank/merlin"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
	"github.com/tierchain/tierchain/zk/transcript"
)

type result struct {
	name string
	ns   float64
}

func measure(name string, f func(b *testing.B)) result {
	r := testing.Benchmark(f)
	ns := float64(r.T.Nanoseconds()) / float64(r.N)
	fmt.Fprintf(os.Stderr, "  %-40s %12.0f ns/op (%d runs)\n", name, ns, r.N)
	return result{name, ns}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcrypto:", err)
		os.Exit(1)
	}
}

func ourStatement(m int) ([]pedersen.Opening, []*pedersen.Commitment) {
	var ops []pedersen.Opening
	var cs []*pedersen.Commitment
	for j := 0; j < m; j++ {
		o, err := pedersen.NewOpening(uint64(123456789+j), nil)
		must(err)
		ops = append(ops, o)
		cs = append(cs, o.Commitment())
	}
	return ops, cs
}

func ourTranscript() *transcript.Transcript { return transcript.New("tierchain/bench/v1") }

func main() {
	start := time.Now()
	fmt.Fprintln(os.Stderr, "benchcrypto: measuring (about a minute)…")

	// circl's ristretto255 variable-base scalar multiplication (the anchor).
	cg := circlgroup.Ristretto255
	cs := cg.HashToScalar([]byte("anchor"), []byte("tierchain/bench"))
	cp := cg.HashToElement([]byte("anchor"), []byte("tierchain/bench"))
	circlMul := measure("circl ristretto255 scalar mult", func(b *testing.B) {
		q := cg.NewElement()
		for b.Loop() {
			q.Mul(cp, cs)
		}
	})
	s := group.HashToScalar("tierchain/bench", []byte("anchor"))
	p := group.HashToElement("tierchain/bench", []byte("anchor"))
	ourMul := measure("tierchain scalar mult (constant time)", func(b *testing.B) {
		q := group.NewIdentity()
		for b.Loop() {
			q.ScalarMult(s, p)
		}
	})

	// TierChain range proofs.
	ops1, cs1 := ourStatement(1)
	ops2, cs2 := ourStatement(2)
	proof1, err := rangeproof.Prove(ourTranscript(), ops1, 64, nil)
	must(err)
	proof2, err := rangeproof.Prove(ourTranscript(), ops2, 64, nil)
	must(err)
	ourProve := measure("tierchain prove 64-bit", func(b *testing.B) {
		for b.Loop() {
			_, err := rangeproof.Prove(ourTranscript(), ops1, 64, nil)
			must(err)
		}
	})
	ourVerify := measure("tierchain verify 64-bit", func(b *testing.B) {
		for b.Loop() {
			must(proof1.Verify(ourTranscript(), cs1, 64))
		}
	})
	ourVerify2 := measure("tierchain verify 64-bit, m=2", func(b *testing.B) {
		for b.Loop() {
			must(proof2.Verify(ourTranscript(), cs2, 64))
		}
	})
	const batch = 64
	bproofs := make([]*rangeproof.Proof, batch)
	bcs := make([][]*pedersen.Commitment, batch)
	for i := range bproofs {
		ops, c := ourStatement(1)
		bproofs[i], err = rangeproof.Prove(ourTranscript(), ops, 64, nil)
		must(err)
		bcs[i] = c
	}
	ourBatch := measure("tierchain batch of 64 (whole batch)", func(b *testing.B) {
		for b.Loop() {
			bv := rangeproof.NewBatchVerifier(nil)
			for i := range bproofs {
				must(bv.Add(ourTranscript(), bproofs[i], bcs[i], 64))
			}
			must(bv.Verify())
		}
	})

	// kryptology v1.8.0 Bulletproofs on its ed25519 curve, 64 bits.
	curve := curves.ED25519()
	kp, err := bulletproof.NewRangeProver(64, []byte("rangeDomain"), []byte("ippDomain"), *curve)
	must(err)
	kv, err := bulletproof.NewRangeVerifier(64, []byte("rangeDomain"), []byte("ippDomain"), *curve)
	must(err)
	v := curve.Scalar.New(123456789)
	gamma := curve.Scalar.Random(crand.Reader)
	g := curve.Point.Random(crand.Reader)
	h := curve.Point.Random(crand.Reader)
	u := curve.Point.Random(crand.Reader)
	capV := g.Mul(v).Add(h.Mul(gamma))
	kproof, err := kp.Prove(v, gamma, 64, g, h, u, merlin.NewTranscript("bench"))
	must(err)
	ok, err := kv.Verify(kproof, capV, g, h, u, 64, merlin.NewTranscript("bench"))
	must(err)
	if !ok {
		must(fmt.Errorf("kryptology proof does not verify"))
	}
	kProve := measure("kryptology prove 64-bit", func(b *testing.B) {
		for b.Loop() {
			_, err := kp.Prove(v, gamma, 64, g, h, u, merlin.NewTranscript("bench"))
			must(err)
		}
	})
	kVerify := measure("kryptology verify 64-bit", func(b *testing.B) {
		for b.Loop() {
			_, err := kv.Verify(kproof, capV, g, h, u, 64, merlin.NewTranscript("bench"))
			must(err)
		}
	})

	ms := func(ns float64) string { return fmt.Sprintf("%.3f ms", ns/1e6) }
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "measurement\ttime\tratio\ttarget")
	fmt.Fprintf(w, "circl scalar mult\t%.1f µs\t\t(anchor)\n", circlMul.ns/1e3)
	fmt.Fprintf(w, "tierchain scalar mult\t%.1f µs\t%.2f× circl\t\n", ourMul.ns/1e3, ourMul.ns/circlMul.ns)
	fmt.Fprintf(w, "kryptology prove 64\t%s\t\t\n", ms(kProve.ns))
	fmt.Fprintf(w, "kryptology verify 64\t%s\t\t\n", ms(kVerify.ns))
	fmt.Fprintf(w, "tierchain prove 64\t%s\t%.1f× faster\t≥ 2.5×\n", ms(ourProve.ns), kProve.ns/ourProve.ns)
	fmt.Fprintf(w, "tierchain verify 64\t%s\t%.1f× faster; %.1f scalar mults\t≥ 10×; ≤ 30\n", ms(ourVerify.ns), kVerify.ns/ourVerify.ns, ourVerify.ns/circlMul.ns)
	fmt.Fprintf(w, "tierchain verify 64, m=2\t%s\t%.2f× single\t≤ 1.7×\n", ms(ourVerify2.ns), ourVerify2.ns/ourVerify.ns)
	fmt.Fprintf(w, "tierchain batch 64, per proof\t%s\t%.2f× single\t≤ 0.5×\n", ms(ourBatch.ns/batch), ourBatch.ns/batch/ourVerify.ns)
	w.Flush()
	fmt.Fprintf(os.Stderr, "benchcrypto: done in %s\n", time.Since(start).Round(time.Second))
	fmt.Printf("verify64 speedup vs kryptology: %.1fx; prove64 speedup: %.1fx; verify64/scalarmult: %.1f\n",
		kVerify.ns/ourVerify.ns, kProve.ns/ourProve.ns, ourVerify.ns/circlMul.ns)
}
