package e2e

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// buildSplits prepares n different spends of the same token (amount v), in
// parallel: proving takes most of the time.
func buildSplits(t *testing.T, w *world, root protocol.OpenedToken, n int) []*model.SplitRequest {
	t.Helper()
	reqs := make([]*model.SplitRequest, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 2)
	for i := range reqs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			a := uint64(i + 1)
			req, err := protocol.BuildSplit(w.ctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: w.tier1.id,
				Inputs: []protocol.OpenedToken{root},
				Outputs: []protocol.OutputSpec{{Holder: w.tier2.recipient(), Opening: opening(t, a)},
					{Holder: w.tier1.recipient(), Opening: opening(t, root.Opening.Value-a)}}}, w.auditor, nil)
			if err != nil {
				errs <- err
				return
			}
			reqs[i] = req
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return reqs
}

// TestConcurrentDoubleSpend: 64 clients try to spend the same token at
// once, each with a different, valid split. Exactly one commits; the token
// has exactly that one split's children.
func TestConcurrentDoubleSpend(t *testing.T) {
	w := setup(t)
	root, o := w.issue(t, time.Now().UTC().AddDate(0, 1, 0), 50_000_00)
	reqs := buildSplits(t, w, protocol.OpenedToken{ID: root.ID, Currency: root.Currency, Opening: o}, 64)

	var committed atomic.Int64
	var mvcc atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range reqs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			err := w.tier1.submit(t, "Split", reqs[i], nil)
			var ce *client.CommitError
			switch {
			case err == nil:
				committed.Add(1)
			case errors.As(err, &ce):
				mvcc.Add(1)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	t.Logf("%d committed, %d refused at validation (MVCC), %d refused at endorsement", committed.Load(), mvcc.Load(), 64-committed.Load()-mvcc.Load())
	if committed.Load() != 1 {
		t.Fatalf("%d of 64 concurrent spends of one token committed", committed.Load())
	}
	awaitPeers(t, height(t, w.tier1.conn)) // the regulator's peer reads next
	tok := w.regulator.token(t, root.ID)
	if tok.Status != model.TokenSplit || len(tok.Children) != 2 {
		t.Fatalf("root after the race: %s with %d children", tok.Status, len(tok.Children))
	}
}

// TestReplayedProofsRefused: the proofs of a committed split, replayed in a
// new transaction that spends another token of the same value and holder,
// are refused (they are bound to the inputs they spent) and change nothing.
func TestReplayedProofsRefused(t *testing.T) {
	w := setup(t)
	maturity := time.Now().UTC().AddDate(0, 1, 0)
	a, ao := w.issue(t, maturity, 70_000_00)
	b, _ := w.issue(t, maturity, 70_000_00)
	req := buildSplits(t, w, protocol.OpenedToken{ID: a.ID, Currency: a.Currency, Opening: ao}, 1)[0]
	w.tier1.must(t, "Split", req, nil)

	replay := *req
	replay.Inputs = []string{b.ID}
	err := w.tier1.submit(t, "Split", &replay, nil)
	if err == nil {
		t.Fatal("replayed proofs committed")
	}
	var ee *client.EndorseError
	if !errors.As(err, &ee) {
		t.Fatalf("want the endorsers to refuse the replay, got %v", err)
	}
	if tok := w.regulator.token(t, b.ID); tok.Status != model.TokenActive || len(tok.Children) != 0 {
		t.Fatalf("token after the replay: %s with %d children", tok.Status, len(tok.Children))
	}
}
