package workloads

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/tierchain/tierchain/bench/load"
	"github.com/tierchain/tierchain/bench/load/chain"
)

// Prove needs no network: it builds 1-in/2-out split requests on each
// count of goroutines for d and reports proofs per second and per
// CPU-second (rep's title is replaced by what was measured).
func Prove(ctx context.Context, clients []int, d time.Duration, rep Report) error {
	results, err := proveSplits(ctx, clients, d)
	if err != nil {
		return err
	}
	rep.Title = "TierChain client side: 1-in/2-out split requests built"
	return rep.write(results)
}

// proveSplits builds 1-in/2-out split requests on each count of
// goroutines for d and reports them as runs ("prove-split"), with the
// process's CPU time per request: the cost per core.
func proveSplits(ctx context.Context, counts []int, d time.Duration) ([]load.Result, error) {
	var results []load.Result
	for _, c := range counts {
		provers := make([]*chain.SplitProver, c)
		for i := range provers {
			var err error
			if provers[i], err = chain.NewSplitProver(2); err != nil {
				return nil, err
			}
		}
		r, err := load.Run(ctx, load.Config{Name: "prove-split", Clients: c, Duration: d, Progress: os.Stderr},
			func(_ context.Context, w int, _ int64) error {
				_, err := provers[w].Build()
				return err
			})
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(os.Stderr, r)
		fmt.Printf("prove-split clients=%d: %.1f splits/s wall, CPU %.1f ms a split = %.1f splits per CPU-second (per core), load %.1f\n",
			c, r.Throughput, load.PerOp(r.CPU, r.OK), float64(r.OK)/r.CPU.Seconds(), r.Load)
		results = append(results, r)
	}
	return results, nil
}

// growLedger makes the supplier hold at least size tokens, walking its
// TokensByHolder pages before and after.
func growLedger(ctx context.Context, e *env, size int) error {
	w, err := e.World(ctx)
	if err != nil {
		return err
	}
	held, _, _, err := walkHolder(ctx, w)
	if err != nil {
		return err
	}
	if held < size {
		t0 := time.Now()
		fmt.Fprintf(os.Stderr, "ledger: growing tier1's holdings from %d to %d tokens…\n", held, size)
		if _, err := w.Leaves(ctx, size-held); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "ledger: grown in %s\n", time.Since(t0).Round(time.Millisecond))
	}
	held, pages, took, err := walkHolder(ctx, w)
	if err != nil {
		return err
	}
	fmt.Printf("ledger: tier1 holds %d tokens; all %d pages of 200 walked in %s (%.1f ms a page), load %.1f\n",
		held, pages, took.Round(time.Millisecond), load.PerOp(took, int64(pages)), load.LoadAverage())
	return nil
}

// walkHolder reads every page (200 items) of the supplier's tokens.
func walkHolder(ctx context.Context, w *chain.World) (items, pages int, took time.Duration, err error) {
	t0 := time.Now()
	bookmark := ""
	for {
		n, next, err := w.HolderPage(ctx, 200, bookmark)
		if err != nil {
			return 0, 0, 0, err
		}
		items, pages = items+n, pages+1
		if next == "" || n == 0 {
			return items, pages, time.Since(t0), nil
		}
		bookmark = next
	}
}
