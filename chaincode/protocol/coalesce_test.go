package protocol_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// TestCoalescerAnswersEachTransaction: splits verified at once through one
// coalescer slot meet in batches, and each gets its own answer: the valid
// ones pass, each refused one is refused with its own culprit named, as it
// would be alone, whichever batch it landed in.
func TestCoalescerAnswersEachTransaction(t *testing.T) {
	k := newKeys(t)
	co := protocol.NewVerifyCoalescer(1)
	ctx := protocol.Context{Channel: "tierchain", Chaincode: "tierchain", Coalescer: co}
	type job struct {
		in   []protocol.OpenedToken
		req  *model.SplitRequest
		want string // "" valid, else the refusal's text
	}
	var jobs []job
	for i := range 12 {
		in, req := splitOf100(t, k, ctx)
		switch i % 4 {
		case 1:
			req = cloneSplit(req)
			req.BalanceProof[32]++
			jobs = append(jobs, job{in, req, "balance proof: does not verify"})
		case 3:
			req = cloneSplit(req)
			req.Outputs[0].RangeProof, req.Outputs[1].RangeProof = req.Outputs[1].RangeProof, req.Outputs[0].RangeProof
			jobs = append(jobs, job{in, req, "range proofs: do not verify"})
		default:
			jobs = append(jobs, job{in, req, ""})
		}
	}
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, len(jobs))
		for i, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = statementOf(t, protocol.KindSplit, "s1", j.in, j.req, k.aud).Verify(ctx, j.req)
			}()
		}
		wg.Wait()
		for i, j := range jobs {
			switch {
			case j.want == "" && errs[i] != nil:
				t.Errorf("round %d, split %d: valid, refused: %v", round, i, errs[i])
			case j.want != "" && (!errors.Is(errs[i], model.ErrInvalidProof) || !strings.Contains(errs[i].Error(), j.want)):
				t.Errorf("round %d, split %d: %v, want INVALID_PROOF %q", round, i, errs[i], j.want)
			}
		}
	}
	batches, checks := co.Stats()
	if checks != uint64(3*len(jobs)) {
		t.Errorf("%d checks ran, want %d", checks, 3*len(jobs))
	}
	if batches >= checks {
		t.Errorf("%d batches for %d checks: none coalesced", batches, checks)
	}
	t.Logf("%d checks in %d batches", checks, batches)
}
