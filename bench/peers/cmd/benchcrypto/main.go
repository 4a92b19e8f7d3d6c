// Command benchcrypto measures, in one run on one machine, TierChain's range
// proofs against kryptology v1.8.0's Bulletproofs and against circl's
// ristretto255 scalar multiplication, and prints a table whose last line is
//
//	verify64 speedup vs kryptology: X.Xx; prove64 speedup: Y.Yx; verify64/scalarmult: Z.Z
//
// The machine is shared, so every measurement runs in several interleaved
// rounds (-rounds) and keeps its fastest round; each round records both the
// wall-clock and the process CPU time (user + system, getrusage) per
// operation. The ratios use CPU time (-clock=wall to use wall-clock time):
// CPU time does not count the time the process waited for a core, which is
// most of the noise when other builds run. All the code measured is
// single-threaded. The load average is printed before and after.
package main

import (
	crand "crypto/rand"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	circlgroup "github.com/cloudflare/circl/group"
	"github.com/coinbase/kryptology/pkg/bulletproof"
	"github.com/coinbase/kryptology/pkg/core/curves"
	"github.com/gtank/merlin"

	"github.com/tierchain/tierchain/bench/load"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
	"github.com/tierchain/tierchain/zk/transcript"
)

var (
	rounds    = flag.Int("rounds", 3, "interleaved rounds; each measurement keeps its fastest")
	benchtime = flag.Duration("benchtime", time.Second, "target duration of one measurement in one round")
	clock     = flag.String("clock", "cpu", "time the ratios use: cpu (process CPU time) or wall")
)

// bench is one measurement; per is the number of operations one loop
// iteration stands for (64 for the batch of 64 proofs).
type bench struct {
	name string
	per  int
	f    func(n int) // n iterations of the work measured
	wall float64     // best ns per operation
	cpu  float64
}

// run measures one round (set-up happens outside, in main).
func (m *bench) run() {
	r := load.Measure(*benchtime, m.f)
	ops := float64(r.N * m.per)
	wall := float64(r.Wall.Nanoseconds()) / ops
	cpu := float64(r.CPU.Nanoseconds()) / ops
	fmt.Fprintf(os.Stderr, "  %-36s %12.0f ns/op wall %12.0f ns/op cpu (%d iterations)\n", m.name, wall, cpu, r.N)
	if m.wall == 0 || wall < m.wall {
		m.wall = wall
	}
	if m.cpu == 0 || cpu < m.cpu {
		m.cpu = cpu
	}
}

func (m *bench) ns() float64 {
	if *clock == "wall" {
		return m.wall
	}
	return m.cpu
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcrypto:", err)
		os.Exit(1)
	}
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func ourStatement(m int) ([]pedersen.Opening, []*pedersen.Commitment) {
	var ops []pedersen.Opening
	var cs []*pedersen.Commitment
	for j := 0; j < m; j++ {
		o, err := pedersen.NewOpening(uint64(123456789+j), nil)
		must(err)
		ops = append(ops, o)
		// As a verifier sees it: decoded from the ledger's bytes.
		c, err := pedersen.DecodeCommitment(o.Commitment().Bytes())
		must(err)
		cs = append(cs, c)
	}
	return ops, cs
}

func ourTranscript() *transcript.Transcript { return transcript.New("tierchain/bench/v1") }

// ourProof proves m values and decodes the proof again, as a verifier
// receives it.
func ourProof(m int) (*rangeproof.Proof, []*pedersen.Commitment) {
	ops, cs := ourStatement(m)
	p, err := rangeproof.Prove(ourTranscript(), ops, 64, nil)
	must(err)
	q, err := rangeproof.DecodeProof(p.Bytes())
	must(err)
	return q, cs
}

func batchVerify(proofs []*rangeproof.Proof, cs [][]*pedersen.Commitment) func(n int) {
	return func(n int) {
		for range n {
			bv := rangeproof.NewBatchVerifier(nil)
			for i := range proofs {
				must(bv.Add(ourTranscript(), proofs[i], cs[i], 64))
			}
			must(bv.Verify())
		}
	}
}

func main() {
	flag.Parse()
	if *clock != "cpu" && *clock != "wall" {
		must(fmt.Errorf("-clock must be cpu or wall"))
	}
	start := time.Now()
	loadBefore := loadavg()
	fmt.Fprintf(os.Stderr, "benchcrypto: %d rounds of %s a measurement (load average %s)…\n", *rounds, *benchtime, loadBefore)

	// circl's ristretto255 variable-base scalar multiplication (the anchor).
	cg := circlgroup.Ristretto255
	cs := cg.HashToScalar([]byte("anchor"), []byte("tierchain/bench"))
	cp := cg.HashToElement([]byte("anchor"), []byte("tierchain/bench"))
	s := group.HashToScalar("tierchain/bench", []byte("anchor"))
	p := group.HashToElement("tierchain/bench", []byte("anchor"))

	// TierChain range proofs (64-bit), decoded as a verifier receives them.
	ops1, _ := ourStatement(1)
	proof1, cs1 := ourProof(1)
	proof2, cs2 := ourProof(2)
	const batch = 64
	bproofs := make([]*rangeproof.Proof, batch)
	bcs := make([][]*pedersen.Commitment, batch)
	for i := range bproofs {
		bproofs[i], bcs[i] = ourProof(1)
	}

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

	circlMul := &bench{name: "circl ristretto255 scalar mult", per: 1, f: func(n int) {
		q := cg.NewElement()
		for range n {
			q.Mul(cp, cs)
		}
	}}
	ourMul := &bench{name: "tierchain scalar mult (const. time)", per: 1, f: func(n int) {
		q := group.NewIdentity()
		for range n {
			q.ScalarMult(s, p)
		}
	}}
	ourProve := &bench{name: "tierchain prove 64-bit", per: 1, f: func(n int) {
		for range n {
			_, err := rangeproof.Prove(ourTranscript(), ops1, 64, nil)
			must(err)
		}
	}}
	ourVerify := &bench{name: "tierchain verify 64-bit", per: 1, f: func(n int) {
		for range n {
			must(proof1.Verify(ourTranscript(), cs1, 64))
		}
	}}
	ourVerify2 := &bench{name: "tierchain verify 64-bit, m=2", per: 1, f: func(n int) {
		for range n {
			must(proof2.Verify(ourTranscript(), cs2, 64))
		}
	}}
	ourBatch := &bench{name: "tierchain batch of 64, per proof", per: batch, f: batchVerify(bproofs, bcs)}
	ourPair := &bench{name: "tierchain 2 single proofs batched", per: 1, f: batchVerify(bproofs[:2], bcs[:2])}
	kProve := &bench{name: "kryptology prove 64-bit", per: 1, f: func(n int) {
		for range n {
			_, err := kp.Prove(v, gamma, 64, g, h, u, merlin.NewTranscript("bench"))
			must(err)
		}
	}}
	kVerify := &bench{name: "kryptology verify 64-bit", per: 1, f: func(n int) {
		for range n {
			_, err := kv.Verify(kproof, capV, g, h, u, 64, merlin.NewTranscript("bench"))
			must(err)
		}
	}}
	all := []*bench{circlMul, ourMul, ourProve, ourVerify, ourVerify2, ourBatch, ourPair, kProve, kVerify}
	for r := 1; r <= *rounds; r++ {
		fmt.Fprintf(os.Stderr, "round %d/%d (load average %s)\n", r, *rounds, loadavg())
		for _, m := range all {
			m.run()
		}
	}

	verifySpeedup := kVerify.ns() / ourVerify.ns()
	proveSpeedup := kProve.ns() / ourProve.ns()
	perMul := ourVerify.ns() / circlMul.ns()
	m2 := ourVerify2.ns() / ourVerify.ns()
	perBatch := ourBatch.ns() / ourVerify.ns()
	check := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	ms := func(ns float64) string { return fmt.Sprintf("%.3f ms", ns/1e6) }
	us := func(ns float64) string { return fmt.Sprintf("%.1f µs", ns/1e3) }
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "measurement\tCPU/op\twall/op\tratio (%s)\ttarget\t\n", *clock)
	fmt.Fprintf(w, "circl scalar mult\t%s\t%s\t(anchor)\t\t\n", us(circlMul.cpu), us(circlMul.wall))
	fmt.Fprintf(w, "tierchain scalar mult\t%s\t%s\t%.2f× circl\t\t\n", us(ourMul.cpu), us(ourMul.wall), ourMul.ns()/circlMul.ns())
	fmt.Fprintf(w, "kryptology prove 64\t%s\t%s\t\t\t\n", ms(kProve.cpu), ms(kProve.wall))
	fmt.Fprintf(w, "kryptology verify 64\t%s\t%s\t\t\t\n", ms(kVerify.cpu), ms(kVerify.wall))
	fmt.Fprintf(w, "tierchain prove 64\t%s\t%s\t%.1f× faster\t≥ 2.5×: %s\t\n", ms(ourProve.cpu), ms(ourProve.wall), proveSpeedup, check(proveSpeedup >= 2.5))
	fmt.Fprintf(w, "tierchain verify 64\t%s\t%s\t%.1f× faster\t≥ 10×: %s\t\n", ms(ourVerify.cpu), ms(ourVerify.wall), verifySpeedup, check(verifySpeedup >= 10))
	fmt.Fprintf(w, "\t\t\t%.1f scalar mults\t≤ 30: %s\t\n", perMul, check(perMul <= 30))
	fmt.Fprintf(w, "tierchain verify 64, m=2\t%s\t%s\t%.2f× single\t≤ 1.7×: %s\t\n", ms(ourVerify2.cpu), ms(ourVerify2.wall), m2, check(m2 <= 1.7))
	fmt.Fprintf(w, "tierchain batch 64, per proof\t%s\t%s\t%.2f× single\t≤ 0.5×: %s\t\n", ms(ourBatch.cpu), ms(ourBatch.wall), perBatch, check(perBatch <= 0.5))
	fmt.Fprintf(w, "tierchain 2 singles batched\t%s\t%s\t%.2f× single\t(m=2 alternative)\t\n", ms(ourPair.cpu), ms(ourPair.wall), ourPair.ns()/ourVerify.ns())
	w.Flush()
	fmt.Printf("load average before %s, after %s; %d rounds, fastest kept; %s\n", loadBefore, loadavg(), *rounds, time.Since(start).Round(time.Second))
	fmt.Printf("verify64 speedup vs kryptology: %.1fx; prove64 speedup: %.1fx; verify64/scalarmult: %.1f\n",
		verifySpeedup, proveSpeedup, perMul)
}
