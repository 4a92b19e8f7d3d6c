package balance

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/tierchain/tierchain/zk/pedersen"
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
		p.Verify(tr(), d)
	}
}
