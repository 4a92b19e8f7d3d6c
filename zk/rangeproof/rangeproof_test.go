package rangeproof

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"testing"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/internal/testrand"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

func ctxTranscript() *transcript.Transcript {
	t := transcript.New("tierchain/test/v1")
	t.BindContext(transcript.Context{Channel: "scf", Chaincode: "tierchain", Kind: "split"})
	return t
}

func openings(t testing.TB, rnd *testrand.Reader, values ...uint64) ([]pedersen.Opening, []*pedersen.Commitment) {
	var ops []pedersen.Opening
	var cs []*pedersen.Commitment
	for _, v := range values {
		o, err := pedersen.NewOpening(v, rnd)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, o)
		cs = append(cs, o.Commitment())
	}
	return ops, cs
}

func prove(t testing.TB, rnd *testrand.Reader, n int, values ...uint64) (*Proof, []*pedersen.Commitment) {
	ops, cs := openings(t, rnd, values...)
	p, err := Prove(ctxTranscript(), ops, n, rnd)
	if err != nil {
		t.Fatal(err)
	}
	return p, cs
}

func TestHonestProofsVerify(t *testing.T) {
	for _, n := range []int{8, 16, 32, 64} {
		max := uint64(math.MaxUint64)
		if n < 64 {
			max = 1<<uint(n) - 1
		}
		for _, m := range []int{1, 2, 3, 4, 8} {
			t.Run(fmt.Sprintf("n=%d/m=%d", n, m), func(t *testing.T) {
				t.Parallel()
				rnd := testrand.New(fmt.Sprintf("honest/%d/%d", n, m))
				values := make([]uint64, m)
				for j := range values {
					values[j] = []uint64{0, max, 1, max / 3, 2}[j%5]
				}
				p, cs := prove(t, rnd, n, values...)
				if err := p.Verify(ctxTranscript(), cs, n); err != nil {
					t.Fatal(err)
				}
				enc := p.Bytes()
				if len(enc) != Size(n, m) {
					t.Errorf("%d bytes, Size says %d", len(enc), Size(n, m))
				}
				q, err := DecodeProof(enc)
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				if !bytes.Equal(q.Bytes(), enc) {
					t.Fatal("encoding does not round-trip")
				}
				if err := q.Verify(ctxTranscript(), cs, n); err != nil {
					t.Errorf("decoded proof: %v", err)
				}
			})
		}
	}
}

func TestOutOfRange(t *testing.T) {
	rnd := testrand.New("range")
	for _, n := range []int{8, 16, 32} {
		ops, _ := openings(t, rnd, 1<<uint(n))
		if _, err := Prove(ctxTranscript(), ops, n, rnd); !errors.Is(err, ErrUnsupportedParameters) {
			t.Errorf("n=%d: proving 2^n gave %v", n, err)
		}
	}
	// A proof for v = 2^n−1 does not verify for the commitment to 2^n
	// (or to ℓ−1, a "negative" amount) with the same blinding.
	ops, _ := openings(t, rnd, 255)
	p, err := Prove(ctxTranscript(), ops, 8, rnd)
	if err != nil {
		t.Fatal(err)
	}
	over := pedersen.Commit(256, ops[0].Blinding)
	minusOne := pedersen.CommitScalar(group.NewScalar().Negate(group.NewScalar().One()), ops[0].Blinding)
	for name, c := range map[string]*pedersen.Commitment{"2^n": over, "−1": minusOne} {
		if err := p.Verify(ctxTranscript(), []*pedersen.Commitment{c}, 8); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestBadParameters(t *testing.T) {
	rnd := testrand.New("params")
	ops, cs := openings(t, rnd, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	for _, tc := range []struct {
		n, m int
	}{{7, 1}, {65, 1}, {0, 1}, {128, 1}, {64, 0}, {64, 9}} {
		if _, err := Prove(ctxTranscript(), ops[:tc.m], tc.n, rnd); !errors.Is(err, ErrUnsupportedParameters) {
			t.Errorf("prove n=%d m=%d: %v", tc.n, tc.m, err)
		}
	}
	p, _ := prove(t, rnd, 64, 1)
	if err := p.Verify(ctxTranscript(), cs, 64); !errors.Is(err, ErrUnsupportedParameters) {
		t.Errorf("9 commitments: %v", err)
	}
	if err := p.Verify(ctxTranscript(), cs[:2], 64); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("proof for 1 value checked against 2: %v", err)
	}
	if err := p.Verify(ctxTranscript(), cs[:1], 32); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("64-bit proof checked as 32-bit: %v", err)
	}
}

func TestWrongStatement(t *testing.T) {
	rnd := testrand.New("statement")
	p, cs := prove(t, rnd, 64, 10, 20)
	_, other := openings(t, rnd, 10)
	otherCtx := transcript.New("tierchain/test/v1")
	otherCtx.BindContext(transcript.Context{Channel: "other", Chaincode: "tierchain", Kind: "split"})
	cases := map[string]struct {
		tr *transcript.Transcript
		cs []*pedersen.Commitment
	}{
		"other commitment": {ctxTranscript(), []*pedersen.Commitment{other[0], cs[1]}},
		"swapped order":    {ctxTranscript(), []*pedersen.Commitment{cs[1], cs[0]}},
		"other channel":    {otherCtx, cs},
		"fresh transcript": {transcript.New("tierchain/test/v1"), cs},
	}
	for name, tc := range cases {
		if err := p.Verify(tc.tr, tc.cs, 64); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestTamperEveryByte flips each byte of an encoded proof, and each bit of
// the commitment: the result must fail to decode or fail to verify.
func TestTamperEveryByte(t *testing.T) {
	rnd := testrand.New("tamper")
	p, cs := prove(t, rnd, 8, 200)
	enc := p.Bytes()
	for i := range enc {
		bad := bytes.Clone(enc)
		bad[i] ^= 0x01
		q, err := DecodeProof(bad)
		if err != nil {
			continue
		}
		if err := q.Verify(ctxTranscript(), cs, 8); err == nil {
			t.Fatalf("flipping byte %d still verifies", i)
		}
	}
	// The same for every bit of the commitment, as a verifier decodes it.
	cb := cs[0].Bytes()
	for i := range 8 * len(cb) {
		bad := bytes.Clone(cb)
		bad[i/8] ^= 1 << (i % 8)
		c, err := pedersen.DecodeCommitment(bad)
		if err != nil {
			continue
		}
		if err := p.Verify(ctxTranscript(), []*pedersen.Commitment{c}, 8); err == nil {
			t.Fatalf("flipping bit %d of the commitment still verifies", i)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	rnd := testrand.New("decode")
	p, _ := prove(t, rnd, 8, 1)
	enc := p.Bytes()
	bad := map[string][]byte{
		"empty":        nil,
		"short":        enc[:len(enc)-1],
		"long":         append(bytes.Clone(enc), 0),
		"extra round":  append(bytes.Clone(enc), make([]byte, 64)...),
		"too few":      enc[:(9+2*2)*32],
		"non-canon A":  append(bytes.Repeat([]byte{0xff}, 32), enc[32:]...),
		"non-canon tx": append(append(bytes.Clone(enc[:128]), bytes.Repeat([]byte{0xff}, 32)...), enc[160:]...),
	}
	// The identity in place of each point (A, S, T1, T2, then L_j, R_j),
	// and the non-canonical encodings of RFC 9496 §A.2 in place of A.
	points := []int{0, 1, 2, 3}
	for j := 0; j < 2*minRounds; j++ {
		points = append(points, 7+j)
	}
	for _, i := range points {
		b := bytes.Clone(enc)
		clear(b[32*i : 32*(i+1)])
		bad[fmt.Sprintf("identity at %d", i)] = b
	}
	for _, h := range []string{
		"0100000000000000000000000000000000000000000000000000000000000000",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000080",
	} {
		b := bytes.Clone(enc)
		hex.Decode(b[:32], []byte(h))
		bad["A = "+h[:8]] = b
	}
	for name, b := range bad {
		if _, err := DecodeProof(b); !errors.Is(err, ErrMalformedProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestBatchVerifier(t *testing.T) {
	rnd := testrand.New("batch")
	bv := NewBatchVerifier(nil)
	if err := bv.Verify(); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	type item struct {
		p  *Proof
		cs []*pedersen.Commitment
		n  int
	}
	var items []item
	for i, shape := range []struct{ n, m int }{{64, 1}, {32, 2}, {8, 3}, {64, 1}, {16, 8}} {
		values := make([]uint64, shape.m)
		for j := range values {
			values[j] = uint64(i + j)
		}
		p, cs := prove(t, rnd, shape.n, values...)
		items = append(items, item{p, cs, shape.n})
	}
	for _, r := range []*testrand.Reader{nil, testrand.New("weights")} {
		bv := NewBatchVerifier(nil)
		if r != nil {
			bv = NewBatchVerifier(r)
		}
		for _, it := range items {
			if err := bv.Add(ctxTranscript(), it.p, it.cs, it.n); err != nil {
				t.Fatal(err)
			}
		}
		if bv.Len() != len(items) {
			t.Fatalf("Len = %d", bv.Len())
		}
		if err := bv.Verify(); err != nil {
			t.Fatalf("good batch: %v", err)
		}
	}
	// One bad proof (a commitment swapped) spoils the batch.
	_, other := openings(t, rnd, 5)
	bad := NewBatchVerifier(nil)
	for i, it := range items {
		cs := it.cs
		if i == 2 {
			cs = append([]*pedersen.Commitment{other[0]}, cs[1:]...)
		}
		if err := bad.Add(ctxTranscript(), it.p, cs, it.n); err != nil {
			t.Fatal(err)
		}
	}
	if err := bad.Verify(); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("batch with a bad proof: %v", err)
	}
}

// TestPadding checks that m = 3 is proved as m = 4 with an identity
// commitment both sides know: the proof has the size of m = 4, verifies for
// the three commitments and for the same three followed by the identity
// (the statement is the same), and fails for a fourth non-trivial one.
func TestPadding(t *testing.T) {
	rnd := testrand.New("padding")
	p, cs := prove(t, rnd, 16, 1, 2, 3)
	if got := len(p.Bytes()); got != Size(16, 4) || Size(16, 3) != Size(16, 4) {
		t.Fatalf("m=3 proof has %d bytes, m=4 has %d", got, Size(16, 4))
	}
	if err := p.Verify(ctxTranscript(), cs, 16); err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(ctxTranscript(), append(cs[:3:3], pedersen.Identity()), 16); err != nil {
		t.Fatalf("explicit identity padding: %v", err)
	}
	_, other := openings(t, rnd, 0)
	if err := p.Verify(ctxTranscript(), append(cs[:3:3], other[0]), 16); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("fourth commitment to 0 with a blinding: %v", err)
	}
}

// schnorrEquation returns a proof of knowledge of k with D = k·H, as the
// Equation s·H − e·D − R = 0, and the transcript that absorbed it.
func schnorrEquation(t testing.TB, rnd *testrand.Reader) (Equation, *transcript.Transcript) {
	k, _ := group.RandomScalar(rnd)
	r, _ := group.RandomScalar(rnd)
	D := group.NewIdentity().ScalarMult(k, pedersen.H())
	R := group.NewIdentity().ScalarMult(r, pedersen.H())
	tr := ctxTranscript()
	tr.AppendElement("D", D)
	tr.AppendElement("R", R)
	e := tr.ChallengeScalar("e")
	sc := group.NewScalar().MultiplyAdd(e, k, r)
	tr.AppendScalar("s", sc)
	minusOne := group.NewScalar().Negate(group.NewScalar().One())
	return Equation{H: sc, Scalars: []*group.Scalar{group.NewScalar().Negate(e), minusOne}, Points: []*group.Element{D, R}}, tr
}

// TestBatchEquations checks other proofs' equations in a range-proof batch:
// a Schnorr proof and an opening check alongside two range proofs.
func TestBatchEquations(t *testing.T) {
	rnd := testrand.New("equations")
	p1, cs1 := prove(t, rnd, 64, 7)
	ops, cs2 := openings(t, rnd, 9)
	p2, err := Prove(ctxTranscript(), ops, 64, rnd)
	if err != nil {
		t.Fatal(err)
	}
	minusOne := group.NewScalar().Negate(group.NewScalar().One())
	opening := Equation{ // 9·G + γ·H − C = 0
		G: group.NewScalar().SetUint64(9), H: ops[0].Blinding,
		Scalars: []*group.Scalar{minusOne}, Points: []*group.Element{cs2[0].Element()},
	}
	run := func(r io.Reader, tamper func(*Equation)) error {
		bv := NewBatchVerifier(r)
		if err := bv.Add(ctxTranscript(), p1, cs1, 64); err != nil {
			return err
		}
		if err := bv.Add(ctxTranscript(), p2, cs2, 64); err != nil {
			return err
		}
		eq, tr := schnorrEquation(t, testrand.New("schnorr"))
		if tamper != nil {
			tamper(&eq)
		}
		if err := bv.AddEquation(tr, eq); err != nil {
			return err
		}
		if err := bv.AddEquation(ctxTranscript(), opening); err != nil {
			return err
		}
		if bv.Len() != 2 {
			t.Fatalf("Len = %d, want the 2 proofs", bv.Len())
		}
		return bv.Verify()
	}
	for _, r := range []io.Reader{nil, testrand.New("weights")} {
		if err := run(r, nil); err != nil {
			t.Fatalf("good batch with equations: %v", err)
		}
		if err := run(r, func(eq *Equation) { eq.H = group.NewScalar().Add(eq.H, group.NewScalar().One()) }); !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("wrong Schnorr response: %v", err)
		}
		if err := run(r, func(eq *Equation) { eq.Points[1] = pedersen.G() }); !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("wrong Schnorr commitment: %v", err)
		}
	}
	// An equation alone, and malformed equations.
	bv := NewBatchVerifier(nil)
	bad := opening
	bad.G = group.NewScalar().SetUint64(10)
	if err := bv.AddEquation(ctxTranscript(), bad); err != nil {
		t.Fatal(err)
	}
	if err := bv.Verify(); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("lone false equation: %v", err)
	}
	if err := NewBatchVerifier(nil).AddEquation(ctxTranscript(), Equation{Scalars: []*group.Scalar{minusOne}}); !errors.Is(err, ErrUnsupportedParameters) {
		t.Fatalf("1 scalar, 0 points: %v", err)
	}
	if err := NewBatchVerifier(nil).AddEquation(ctxTranscript(), Equation{Scalars: []*group.Scalar{nil}, Points: []*group.Element{pedersen.G()}}); !errors.Is(err, ErrUnsupportedParameters) {
		t.Fatalf("nil scalar: %v", err)
	}
}

func FuzzDecodeProof(f *testing.F) {
	rnd := testrand.New("fuzz")
	p, _ := prove(f, rnd, 8, 3)
	f.Add(p.Bytes())
	f.Add(make([]byte, 15*32))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := DecodeProof(b)
		if err != nil {
			return
		}
		if !bytes.Equal(q.Bytes(), b) {
			t.Fatal("decode/encode not canonical")
		}
	})
}

func ExampleProve() {
	// A supplier proves that two committed amounts are 64-bit values.
	a, _ := pedersen.NewOpening(400_000_00, nil)
	b, _ := pedersen.NewOpening(600_000_00, nil)
	t := transcript.New("tierchain/example/v1")
	t.BindContext(transcript.Context{Channel: "scf", Chaincode: "tierchain", Kind: "split"})
	proof, err := Prove(t, []pedersen.Opening{a, b}, 64, nil)
	if err != nil {
		panic(err)
	}

	// The verifier rebuilds the same transcript from the public inputs.
	v := transcript.New("tierchain/example/v1")
	v.BindContext(transcript.Context{Channel: "scf", Chaincode: "tierchain", Kind: "split"})
	err = proof.Verify(v, []*pedersen.Commitment{a.Commitment(), b.Commitment()}, 64)
	fmt.Println(len(proof.Bytes()), err)
	// Output: 736 <nil>
}

func ExampleBatchVerifier() {
	// The chaincode checks every range proof of a block of transactions at
	// once; each proof keeps its own transcript (its own context).
	ctx := func(tx string) *transcript.Transcript {
		t := transcript.New("tierchain/example/v1")
		t.BindContext(transcript.Context{Channel: "scf", Chaincode: "tierchain", Kind: "issue"})
		t.AppendString("tx", tx)
		return t
	}
	bv := NewBatchVerifier(nil)
	for i, v := range []uint64{5, 1_000_000, 1 << 40} {
		o, _ := pedersen.NewOpening(v, nil)
		tx := fmt.Sprint("tx-", i)
		proof, err := Prove(ctx(tx), []pedersen.Opening{o}, 64, nil)
		if err != nil {
			panic(err)
		}
		// A verifier decodes what it received and adds it to the batch.
		decoded, err := DecodeProof(proof.Bytes())
		if err != nil {
			panic(err)
		}
		if err := bv.Add(ctx(tx), decoded, []*pedersen.Commitment{o.Commitment()}, 64); err != nil {
			panic(err)
		}
	}
	fmt.Println(bv.Len(), bv.Verify())
	// Output: 3 <nil>
}

func TestSizeFor(t *testing.T) {
	if got := Size(64, 1); got != 672 {
		t.Errorf("Size(64,1) = %d, want 672", got)
	}
	if got := Size(63, 1); got != 0 {
		t.Errorf("Size(63,1) = %d", got)
	}
	_ = fmt.Sprint
}
