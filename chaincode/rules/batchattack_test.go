package rules_test

import (
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/group"
)

// shiftIPA adds da to a range proof's inner-product scalar a and db to b
// (the last two 32-byte scalars of the encoding), as a prover who chooses
// them last would.
func shiftIPA(t *testing.T, raw []byte, da, db *group.Scalar) []byte {
	t.Helper()
	out := append([]byte(nil), raw...)
	for i, d := range []*group.Scalar{da, db} {
		at := len(out) - 64 + 32*i
		s := must(group.NewScalar().SetCanonicalBytes(out[at : at+32]))
		copy(out[at:], s.Add(s, d).Bytes())
	}
	return out
}

// TestSplitWithCancellingRangeProofsRefused: the shape of the batch attacks
// (issue 16) against a split. The outputs inflate the input (ℓ−1 and 1001
// from 1000, balanced modulo ℓ), and the range proofs' a and b are moved
// in opposite directions (a₀ + d, a₁ − d, b₀ + e, b₁ − e), the way a
// cheating prover pairs proofs so that their errors cancel in the batch.
// The same is tried on an honest split. The chaincode refuses both with
// INVALID_PROOF and leaves the state and events as they were. (Each range
// proof has its own proof transcript and 64 bits, so even the old
// per-proof weights did not let two of them cancel; the version 2
// transcript and the one batch transcript make every weight depend on
// every byte, including a and b: zk/rangeproof TestBatchAttack….)
func TestSplitWithCancellingRangeProofsRefused(t *testing.T) {
	s := newScenario(t)
	in := opened(s.Root, s.RootOpening) // 1000
	d, e := scalar(1), scalar(7)
	minusD, minusE := group.NewScalar().Negate(d), group.NewScalar().Negate(e)
	for _, tc := range []struct {
		name string
		outs []forgedOutput
	}{
		{"inflating split (ℓ−1 and 1001)", []forgedOutput{{s.S2, scalar(1001), 1001}, {s.S1, minus(1), 1<<64 - 1}}},
		{"honest split", []forgedOutput{{s.S2, scalar(600), 600}, {s.S1, scalar(400), 400}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := forgeSplit(t, s, protocol.KindSplit, s.S1, in, tc.outs...)
			req.Outputs[0].RangeProof = shiftIPA(t, req.Outputs[0].RangeProof, d, e)
			req.Outputs[1].RangeProof = shiftIPA(t, req.Outputs[1].RangeProof, minusD, minusE)
			expectRefused(t, s.State, model.ErrInvalidProof, func() (any, error) {
				return s.Rules.Split(s.As(s.S1), req)
			})
		})
	}
}
