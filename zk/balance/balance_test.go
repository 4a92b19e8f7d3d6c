package balance

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
	"github.com/tierchain/tierchain/zk/transcript"
)

func tr() *transcript.Transcript {
	t := transcript.New("tierchain/test/v1")
	t.BindContext(transcript.Context{Channel: "scf", Chaincode: "tierchain", Kind: "split"})
	return t
}

func split(t *testing.T, in uint64, outs ...uint64) ([]pedersen.Opening, []pedersen.Opening) {
	i, err := pedersen.NewOpening(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	var os []pedersen.Opening
	for _, v := range outs {
		o, _ := pedersen.NewOpening(v, nil)
		os = append(os, o)
	}
	return []pedersen.Opening{i}, os
}

func commits(os []pedersen.Opening) []*pedersen.Commitment {
	var cs []*pedersen.Commitment
	for _, o := range os {
		cs = append(cs, o.Commitment())
	}
	return cs
}

func TestBalanced(t *testing.T) {
	ins, outs := split(t, 1000, 400, 600)
	p, err := Prove(tr(), ExcessBlinding(ins, outs), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := Excess(commits(ins), commits(outs))
	if err := p.Verify(tr(), d); err != nil {
		t.Fatalf("honest proof: %v", err)
	}
	q, err := DecodeProof(p.Bytes())
	if err != nil || q.Verify(tr(), d) != nil {
		t.Fatalf("round trip: %v", err)
	}
}

// TestUnbalanced: outputs worth more than the input. The prover knows the
// blinding difference but the excess has a G component, so the proof fails.
func TestUnbalanced(t *testing.T) {
	ins, outs := split(t, 1000, 400, 601)
	p, _ := Prove(tr(), ExcessBlinding(ins, outs), nil)
	if err := p.Verify(tr(), Excess(commits(ins), commits(outs))); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("unbalanced split verified: %v", err)
	}
}

func TestWrongStatementAndTamper(t *testing.T) {
	ins, outs := split(t, 10, 3, 7)
	p, _ := Prove(tr(), ExcessBlinding(ins, outs), nil)
	d := Excess(commits(ins), commits(outs))
	other := transcript.New("tierchain/test/v1")
	other.BindContext(transcript.Context{Channel: "scf", Chaincode: "tierchain", Kind: "merge"})
	if err := p.Verify(other, d); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("other context: %v", err)
	}
	enc := p.Bytes()
	for i := range enc {
		bad := bytes.Clone(enc)
		bad[i] ^= 0x80
		q, err := DecodeProof(bad)
		if err != nil {
			continue
		}
		if q.Verify(tr(), d) == nil {
			t.Fatalf("flipped byte %d verifies", i)
		}
	}
	for _, b := range [][]byte{nil, enc[:63], append(bytes.Clone(enc), 0), make([]byte, 64)} {
		if _, err := DecodeProof(b); !errors.Is(err, ErrMalformedProof) {
			t.Errorf("decoded %x", b)
		}
	}
}

func FuzzDecodeProof(f *testing.F) {
	ins, outs := split(&testing.T{}, 2, 1, 1)
	p, _ := Prove(tr(), ExcessBlinding(ins, outs), nil)
	f.Add(p.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := DecodeProof(b)
		if err == nil && !bytes.Equal(q.Bytes(), b) {
			t.Fatal("not canonical")
		}
	})
}

func ExampleProve() {
	in, _ := pedersen.NewOpening(100, nil)
	a, _ := pedersen.NewOpening(60, nil)
	b, _ := pedersen.NewOpening(40, nil)
	ins, outs := []pedersen.Opening{in}, []pedersen.Opening{a, b}
	proof, _ := Prove(transcript.New("tierchain/example/v1"), ExcessBlinding(ins, outs), nil)
	d := Excess([]*pedersen.Commitment{in.Commitment()}, []*pedersen.Commitment{a.Commitment(), b.Commitment()})
	fmt.Println(proof.Verify(transcript.New("tierchain/example/v1"), d))
	// Output: <nil>
}

func BenchmarkVerify(b *testing.B) {
	in, _ := pedersen.NewOpening(100, nil)
	o, _ := pedersen.NewOpening(100, nil)
	p, _ := Prove(tr(), ExcessBlinding([]pedersen.Opening{in}, []pedersen.Opening{o}), nil)
	d := Excess([]*pedersen.Commitment{in.Commitment()}, []*pedersen.Commitment{o.Commitment()})
	for b.Loop() {
		if err := p.Verify(tr(), d); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEdgeValues: conservation holds at the ends of the amount range.
func TestEdgeValues(t *testing.T) {
	for _, c := range []struct {
		in   uint64
		outs []uint64
	}{
		{0, []uint64{0}},
		{0, []uint64{0, 0}},
		{1, []uint64{0, 1}},
		{math.MaxUint64, []uint64{math.MaxUint64 - 1, 1}},
		{math.MaxUint64, []uint64{math.MaxUint64}},
	} {
		ins, outs := split(t, c.in, c.outs...)
		p, err := Prove(tr(), ExcessBlinding(ins, outs), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Verify(tr(), Excess(commits(ins), commits(outs))); err != nil {
			t.Errorf("%d → %v: %v", c.in, c.outs, err)
		}
	}
}

// TestWrongStatement: the proof is for one excess; any other commitment in
// the transaction changes the excess and the proof fails.
func TestWrongStatement(t *testing.T) {
	ins, outs := split(t, 10, 3, 7)
	p, _ := Prove(tr(), ExcessBlinding(ins, outs), nil)
	other, _ := pedersen.NewOpening(7, nil) // same amount, another blinding
	swapped := []*pedersen.Commitment{outs[0].Commitment(), other.Commitment()}
	for name, d := range map[string]*group.Element{
		"other output":    Excess(commits(ins), swapped),
		"output dropped":  Excess(commits(ins), commits(outs[:1])),
		"inputs, outputs": Excess(commits(outs), commits(ins)),
		"identity":        group.NewIdentity(),
		"H":               pedersen.H(),
	} {
		if err := p.Verify(tr(), d); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Prove(tr(), nil, nil); err == nil {
		t.Error("proved a nil excess blinding")
	}
	var zero Proof
	if err := zero.Verify(tr(), Excess(commits(ins), commits(outs))); !errors.Is(err, ErrMalformedProof) {
		t.Errorf("zero Proof: %v", err)
	}
}

// TestExcessMatchesBlinding: for balanced openings the excess is exactly
// ExcessBlinding·H.
func TestExcessMatchesBlinding(t *testing.T) {
	ins, outs := split(t, 500, 1, 2, 497)
	want := group.NewIdentity().ScalarMult(ExcessBlinding(ins, outs), pedersen.H())
	if Excess(commits(ins), commits(outs)).Equal(want) != 1 {
		t.Fatal("Σ C_in − Σ C_out ≠ (Σ r_in − Σ r_out)·H")
	}
}

// TestDecodeRejects: identity R, non-canonical R or s, wrong lengths.
func TestDecodeRejects(t *testing.T) {
	ins, outs := split(t, 2, 1, 1)
	p, _ := Prove(tr(), ExcessBlinding(ins, outs), nil)
	enc := p.Bytes()
	ff := bytes.Repeat([]byte{0xff}, 32)
	// ℓ itself, little-endian: the smallest non-canonical scalar.
	ell, _ := hex.DecodeString("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
	for name, b := range map[string][]byte{
		"identity R":      append(make([]byte, 32), enc[32:]...),
		"non-canonical R": append(bytes.Clone(ff), enc[32:]...),
		"s = ℓ":           append(bytes.Clone(enc[:32]), ell...),
		"s = 2^256−1":     append(bytes.Clone(enc[:32]), ff...),
		"empty":           nil,
		"63 bytes":        enc[:63],
		"65 bytes":        append(bytes.Clone(enc), 0),
	} {
		if _, err := DecodeProof(b); !errors.Is(err, ErrMalformedProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func ExampleProof_Verify() {
	// Bob holds a token of 1000.00 and splits it: 400.00 to Carol, 600.00 change.
	in, _ := pedersen.NewOpening(1000_00, nil)
	toCarol, _ := pedersen.NewOpening(400_00, nil)
	change, _ := pedersen.NewOpening(600_00, nil)
	proof, _ := Prove(tr(), ExcessBlinding([]pedersen.Opening{in}, []pedersen.Opening{toCarol, change}), nil)
	wire := proof.Bytes()

	// The chaincode sees only commitments and the proof.
	decoded, err := DecodeProof(wire)
	if err != nil {
		panic(err)
	}
	d := Excess([]*pedersen.Commitment{in.Commitment()}, []*pedersen.Commitment{toCarol.Commitment(), change.Commitment()})
	fmt.Println(len(wire), decoded.Verify(tr(), d))
	// Output: 64 <nil>
}

func BenchmarkProve(b *testing.B) {
	in, _ := pedersen.NewOpening(100, nil)
	o, _ := pedersen.NewOpening(100, nil)
	k := ExcessBlinding([]pedersen.Opening{in}, []pedersen.Opening{o})
	for b.Loop() {
		if _, err := Prove(tr(), k, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEquationInBatch: a split's range proofs and its balance proof checked
// in one rangeproof.BatchVerifier, as the chaincode can; a wrong excess, a
// flipped proof byte or another context makes the batch fail.
func TestEquationInBatch(t *testing.T) {
	ins, outs := split(t, 200, 56, 144)
	ranges := make([]*rangeproof.Proof, len(outs))
	for i, o := range outs {
		p, err := rangeproof.Prove(tr(), []pedersen.Opening{o}, 8, nil)
		if err != nil {
			t.Fatal(err)
		}
		ranges[i] = p
	}
	bal, _ := Prove(tr(), ExcessBlinding(ins, outs), nil)
	d := Excess(commits(ins), commits(outs))
	batch := func(bt *transcript.Transcript, p *Proof, d *group.Element) error {
		bv := rangeproof.NewBatchVerifier(nil)
		for i, rp := range ranges {
			if err := bv.Add(tr(), rp, commits(outs[i:i+1]), 8); err != nil {
				return err
			}
		}
		eq, err := p.Equation(bt, d)
		if err != nil {
			return err
		}
		if err := bv.AddEquation(bt, eq); err != nil {
			return err
		}
		return bv.Verify()
	}
	if err := batch(tr(), bal, d); err != nil {
		t.Fatalf("honest split: %v", err)
	}
	other := transcript.New("tierchain/test/v1")
	if err := batch(other, bal, d); err == nil {
		t.Error("other context verified")
	}
	if err := batch(tr(), bal, Excess(commits(ins), commits(outs[:1]))); err == nil {
		t.Error("wrong excess verified")
	}
	enc := bal.Bytes()
	for i := range enc {
		b := bytes.Clone(enc)
		b[i] ^= 0x10
		if q, err := DecodeProof(b); err == nil && batch(tr(), q, d) == nil {
			t.Fatalf("flipped byte %d verified in the batch", i)
		}
	}
	var zero Proof
	if _, err := zero.Equation(tr(), d); !errors.Is(err, ErrMalformedProof) {
		t.Errorf("zero Proof: %v", err)
	}
}
