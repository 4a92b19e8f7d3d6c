package chain

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// MaxFan is the most outputs a split may have (the chaincode's bound).
const MaxFan = 8

// RootAmount is the value of each receivable Leaves issues; fanned out
// over six levels of eight it still leaves every token millions of units.
const RootAmount = 1 << 40

// fanOut returns, for each of have tokens, how many outputs to split it
// into (1: keep it as it is) so that there are at least want tokens, with
// at most maxFan outputs a split and as few splits as possible.
func fanOut(have, want, maxFan int) []int {
	plan := make([]int, have)
	need := want - have
	for i := range plan {
		k := 1
		if need > 0 {
			k = min(maxFan, need+1)
			need -= k - 1
		}
		plan[i] = k
	}
	return plan
}

// splitValue divides v into k parts that sum to v: v/k each, the last
// taking the remainder.
func splitValue(v uint64, k int) []uint64 {
	parts := make([]uint64, k)
	each := v / uint64(k)
	for i := range parts {
		parts[i] = each
	}
	parts[k-1] = v - each*uint64(k-1)
	return parts
}

// parallel runs f(0..n-1) on at most workers goroutines and returns the
// first error.
func parallel(ctx context.Context, n, workers int, f func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// provers is how many requests are built at once: one per core.
func provers() int { return runtime.GOMAXPROCS(0) }

// inFlight bounds the transactions Leaves has waiting for a commit.
const inFlight = 32

// issueInFlight bounds the invoices IssueQueues has in flight at once (each
// a registration and a confirmation), well below the peer gateway's
// concurrency limit of 500.
const issueInFlight = 128

// Leaves issues a receivable to the Spender and splits it, eight outputs
// at a time, into n tokens the Spender holds, with their openings.
func (w *World) Leaves(ctx context.Context, n int) ([]protocol.OpenedToken, error) {
	root, err := w.issueRoot(ctx, RootAmount)
	if err != nil {
		return nil, err
	}
	tokens := []protocol.OpenedToken{root}
	for len(tokens) < n {
		plan := fanOut(len(tokens), n, MaxFan)
		children := make([][]protocol.OpenedToken, len(tokens))
		err := parallel(ctx, len(tokens), inFlight, func(i int) error {
			if plan[i] == 1 {
				children[i] = []protocol.OpenedToken{tokens[i]}
				return nil
			}
			to := make([]*Member, plan[i])
			for j := range to {
				to[j] = w.Spender
			}
			req, outs, err := w.buildSplit(tokens[i], to)
			if err != nil {
				return err
			}
			res, err := w.submitResult(ctx, w.Spender, "Split", req, nil)
			if err != nil {
				return err
			}
			for j, o := range outs {
				children[i] = append(children[i], protocol.OpenedToken{ID: protocol.TokenID(res.TxID, j), Currency: Currency, Opening: o})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		tokens = tokens[:0:0]
		for _, c := range children {
			tokens = append(tokens, c...)
		}
	}
	if len(tokens) < n {
		return nil, fmt.Errorf("%w: %d of %d", errShort, len(tokens), n)
	}
	return tokens, nil
}

// buildSplit builds the Spender's split of in into one output per member
// of to, the value divided evenly.
func (w *World) buildSplit(in protocol.OpenedToken, to []*Member) (*model.SplitRequest, []pedersen.Opening, error) {
	holders := make([]protocol.Recipient, len(to))
	for i, m := range to {
		holders[i] = m.Recipient()
	}
	return evenSplit(w.Ctx, w.Auditor, w.Spender.ID, in, holders)
}

// evenSplit builds spender's split of in into one output per holder, the
// value divided by splitValue, each output with a fresh opening; it
// returns the request and the outputs' openings, in the holders' order.
func evenSplit(ctx protocol.Context, aud protocol.Auditor, spender string, in protocol.OpenedToken,
	holders []protocol.Recipient) (*model.SplitRequest, []pedersen.Opening, error) {
	values := splitValue(in.Opening.Value, len(holders))
	outs := make([]protocol.OutputSpec, len(holders))
	openings := make([]pedersen.Opening, len(holders))
	for i, h := range holders {
		o, err := pedersen.NewOpening(values[i], nil)
		if err != nil {
			return nil, nil, err
		}
		outs[i], openings[i] = protocol.OutputSpec{Holder: h, Opening: o}, o
	}
	req, err := protocol.BuildSplit(ctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: spender,
		Inputs: []protocol.OpenedToken{in}, Outputs: outs}, aud, nil)
	return req, openings, err
}
