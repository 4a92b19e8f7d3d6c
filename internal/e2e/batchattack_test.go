package e2e

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/group"
)

// pairIPA moves the inner-product scalars a and b (the last two 32-byte
// scalars of a range proof) of two proofs in opposite directions, the way
// a cheating prover pairs proofs whose errors should cancel in a batch.
func pairIPA(t *testing.T, first, second []byte) ([]byte, []byte) {
	t.Helper()
	shift := func(raw []byte, d *group.Scalar) []byte {
		out := append([]byte(nil), raw...)
		for _, at := range []int{len(out) - 64, len(out) - 32} {
			s, err := group.NewScalar().SetCanonicalBytes(out[at : at+32])
			if err != nil {
				t.Fatal(err)
			}
			copy(out[at:], s.Add(s, d).Bytes())
		}
		return out
	}
	d := group.NewScalar().SetUint64(7)
	return shift(first, d), shift(second, group.NewScalar().Negate(d))
}

// TestPairedRangeProofsRefused: a split whose two range proofs have their
// a and b paired to cancel (issue 16's batch attacks; no REST route takes
// client-built proofs, so the request goes straight to the endorsing peers
// through the Fabric gateway client) is refused by the endorsers'
// chaincode with INVALID_PROOF; the chain does not grow and the token
// stays unspent. The same split with its proofs as built then commits.
func TestPairedRangeProofsRefused(t *testing.T) {
	w := setup(t)
	root, o := w.issue(t, time.Now().UTC().AddDate(0, 1, 0), 90_000_00)
	req := buildSplits(t, w, protocol.OpenedToken{ID: root.ID, Currency: root.Currency, Opening: o}, 1)[0]

	crafted := *req
	crafted.Outputs = append([]model.Output(nil), req.Outputs...)
	crafted.Outputs[0].RangeProof, crafted.Outputs[1].RangeProof = pairIPA(t, req.Outputs[0].RangeProof, req.Outputs[1].RangeProof)
	before := height(t, w.tier1.conn)
	err := w.tier1.submit(t, "Split", &crafted, nil)
	var ee *client.EndorseError
	if !errors.As(err, &ee) || !strings.Contains(detail(err).Error(), string(model.CodeInvalidProof)) {
		t.Fatalf("crafted split: %v, want the endorsers to refuse it with %s", detail(err), model.CodeInvalidProof)
	}
	if h := height(t, w.tier1.conn); h != before {
		t.Fatalf("chain height %d after the refused split, was %d", h, before)
	}
	if tok := w.regulator.token(t, root.ID); tok.Status != model.TokenActive || len(tok.Children) != 0 {
		t.Fatalf("token after the refused split: %s with %d children", tok.Status, len(tok.Children))
	}
	w.tier1.must(t, "Split", req, nil)
	if tok := w.regulator.token(t, root.ID); tok.Status != model.TokenSplit || len(tok.Children) != 2 {
		t.Fatalf("token after the honest split: %s with %d children", tok.Status, len(tok.Children))
	}
}
