package rangeproof

import (
	"errors"
	"testing"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/internal/testrand"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// TestVerifyChecks: checks prepared from separate batches verify together
// when each holds, and fail together when any one does not; an empty
// check holds.
func TestVerifyChecks(t *testing.T) {
	rnd := testrand.New("checks")
	prepare := func(value uint64, tamper bool) *Check {
		o, err := pedersen.NewOpening(value, rnd)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Prove(transcript.New("checks"), []pedersen.Opening{o}, 64, rnd)
		if err != nil {
			t.Fatal(err)
		}
		c := o.Commitment()
		if tamper { // the proof for another value
			c = pedersen.Opening{Value: value + 1, Blinding: o.Blinding}.Commitment()
		}
		bv := NewTranscriptBatchVerifier(transcript.New("batch"))
		if err := bv.Add(transcript.New("checks"), p, []*pedersen.Commitment{c}, 64); err != nil {
			t.Fatal(err)
		}
		eq, tr := schnorrEquation(t, rnd)
		if err := bv.AddEquation(tr, eq); err != nil {
			t.Fatal(err)
		}
		check, err := bv.Prepare()
		if err != nil {
			t.Fatal(err)
		}
		return check
	}
	weights := func(n int) []*group.Scalar {
		w := make([]*group.Scalar, n)
		for i := range w {
			w[i], _ = group.RandomScalar(rnd)
		}
		return w
	}
	good1, good2, bad := prepare(7, false), prepare(1<<40, false), prepare(9, true)
	if err := good1.Verify(); err != nil {
		t.Fatalf("good check alone: %v", err)
	}
	if err := bad.Verify(); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("bad check alone: %v", err)
	}
	if err := VerifyChecks([]*Check{good1, good2}, weights(2)); err != nil {
		t.Fatalf("two good checks: %v", err)
	}
	for _, set := range [][]*Check{{good1, bad}, {bad, good2}, {good1, good2, bad}} {
		if err := VerifyChecks(set, weights(len(set))); !errors.Is(err, ErrInvalidProof) {
			t.Errorf("a set with a bad check verified: %v", err)
		}
	}
	empty, err := NewTranscriptBatchVerifier(transcript.New("empty")).Prepare()
	if err != nil || empty.Verify() != nil || VerifyChecks([]*Check{empty, good1}, weights(2)) != nil {
		t.Errorf("an empty check does not hold: %v", err)
	}
	if VerifyChecks([]*Check{good1}, nil) == nil {
		t.Error("weights of another length accepted")
	}
}
