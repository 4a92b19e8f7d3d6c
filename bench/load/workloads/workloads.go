package workloads

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/bench/load"
	"github.com/tierchain/tierchain/bench/load/chain"
	"github.com/tierchain/tierchain/bench/load/rest"
	"github.com/tierchain/tierchain/internal/fabnet"
)

// env is what workloads share in one run: the network, the baseline's
// connection and, once a confidential workload asks for it, the consortium.
type env struct {
	net   *fabnet.Network
	conn  *fabnet.Connection
	org   string
	runID string
	pool  int // pre-built requests per confidential run

	once     sync.Once
	world    *chain.World
	worldErr error
	queryIDs []string // tokens the Spender holds, for token-query

	restOnce sync.Once
	rest     *rest.Gateway
	restErr  error
	afterRun func() // set by a prepare that lends the run something back
}

// Gateway starts the REST gateway (the whole platform) on first use.
func (e *env) Gateway(ctx context.Context) (*rest.Gateway, error) {
	e.restOnce.Do(func() {
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		c, err := e.net.OrgConfigs()
		if err != nil {
			e.restErr = err
			return
		}
		e.rest, e.restErr = rest.Start(ctx, c, log)
	})
	return e.rest, e.restErr
}

// World sets up the consortium on first use.
func (e *env) World(ctx context.Context) (*chain.World, error) {
	e.once.Do(func() { e.world, e.worldErr = chain.Setup(ctx, e.net, chain.Options{Gateway: e.org}) })
	return e.world, e.worldErr
}

func (e *env) Close() {
	if e.world != nil {
		e.world.Close()
	}
	if e.rest != nil {
		e.rest.Close()
	}
}

// workload prepares an operation for a run with the given number of
// clients; anything built here is off the clock.
type workload struct {
	name    string
	prepare func(ctx context.Context, e *env, clients int) (load.Op, error)
}

var workloadByName = map[string]workload{}

func init() {
	for _, w := range []workload{
		// baseline-mint: a plaintext write to a fresh key each time.
		{"baseline-mint", func(_ context.Context, e *env, clients int) (load.Op, error) {
			contract := e.conn.Contract("baseline")
			return func(ctx context.Context, _ int, seq int64) error {
				_, err := contract.SubmitWithContext(ctx, "Mint", client.WithArguments(fmt.Sprintf("mint-%s-%d-%d", e.runID, clients, seq), "1"))
				return err
			}, nil
		}},
		// baseline-transfer: the plaintext baseline of a split, moving a
		// public number between two accounts per client (one at a time, so
		// no client conflicts with itself).
		{"baseline-transfer", func(ctx context.Context, e *env, clients int) (load.Op, error) {
			contract := e.conn.Contract("baseline")
			for w := 0; w < clients; w++ {
				if _, err := contract.SubmitWithContext(ctx, "Mint", client.WithArguments(account(e.runID, clients, w, "src"), "1000000000")); err != nil {
					return nil, err
				}
			}
			// The gateway's peer has the mints; let the other endorsers
			// commit them too before the first transfer reads them.
			time.Sleep(time.Second)
			return func(ctx context.Context, w int, _ int64) error {
				_, err := contract.SubmitWithContext(ctx, "Transfer", client.WithArguments(account(e.runID, clients, w, "src"), account(e.runID, clients, w, "dst"), "1"))
				return err
			}, nil
		}},
		// query: a plaintext evaluation on the gateway's peer.
		{"query", func(_ context.Context, e *env, clients int) (load.Op, error) {
			contract := e.conn.Contract("baseline")
			return func(ctx context.Context, w int, _ int64) error {
				_, err := contract.EvaluateWithContext(ctx, "Balance", client.WithArguments(account(e.runID, clients, w, "src")))
				return err
			}, nil
		}},
		splitWorkload(2, chain.SplitCompact), splitWorkload(4, chain.SplitCompact), splitWorkload(8, chain.SplitCompact),
		// split-json: the 1-in/2-out split in the JSON encoding, whose
		// result is the new tokens (what "split" sent before the compact
		// encoding): the two side by side in one run.
		splitWorkload(2, chain.SplitJSON),
		// merge: a pre-built compact merge of two of the Spender's tokens
		// of one receivable into one (two inputs, one output).
		{"merge", func(ctx context.Context, e *env, _ int) (load.Op, error) {
			w, err := e.World(ctx)
			if err != nil {
				return nil, err
			}
			calls, err := w.MergeCalls(ctx, e.pool)
			if err != nil {
				return nil, err
			}
			return submitEach(calls), nil
		}},
		// rest-split: a supplier's split of 1.00 over the REST gateway, end
		// to end (the gateway's wallet proves, then endorse, order,
		// commit); each client goes on with its change.
		{"rest-split", func(ctx context.Context, e *env, clients int) (load.Op, error) {
			g, err := e.Gateway(ctx)
			if err != nil {
				return nil, err
			}
			op, giveBack, err := g.SplitOp(ctx, clients)
			e.afterRun = giveBack
			return op, err
		}},
		// issue: a core's issue against its own credit line, with three
		// range proofs; one core and line per client, since issues on one
		// line commit one after another.
		{"issue", func(ctx context.Context, e *env, clients int) (load.Op, error) {
			w, err := e.World(ctx)
			if err != nil {
				return nil, err
			}
			queues, err := w.IssueQueues(ctx, clients, (e.pool+clients-1)/clients)
			if err != nil {
				return nil, err
			}
			q := load.NewQueues(queues)
			return func(ctx context.Context, w int, _ int64) error {
				c, err := q.Take(w)
				if err != nil {
					return err
				}
				return c.Submit(ctx)
			}, nil
		}},
		// finance: the holder's financing request, then the bank's
		// approval, as one operation (two transactions; the approval tried
		// again if an endorser has not yet committed the request).
		{"finance", func(ctx context.Context, e *env, _ int) (load.Op, error) {
			w, err := e.World(ctx)
			if err != nil {
				return nil, err
			}
			calls, err := w.FinanceCalls(ctx, e.pool)
			if err != nil {
				return nil, err
			}
			p := load.NewPool(calls)
			return func(ctx context.Context, _ int, _ int64) error {
				pair, err := p.Take()
				if err != nil {
					return err
				}
				if err := pair[0].Submit(ctx); err != nil {
					return err
				}
				return pair[1].SubmitFresh(ctx)
			}, nil
		}},
		// token-query: GetToken of a token the Spender holds.
		{"token-query", func(ctx context.Context, e *env, _ int) (load.Op, error) {
			w, err := e.World(ctx)
			if err != nil {
				return nil, err
			}
			if len(e.queryIDs) == 0 {
				leaves, err := w.Leaves(ctx, min(max(e.pool, 8), 64))
				if err != nil {
					return nil, err
				}
				e.queryIDs = chain.TokenIDs(leaves)
			}
			ids := e.queryIDs
			return func(ctx context.Context, _ int, seq int64) error {
				return w.GetToken(ctx, ids[int(seq)%len(ids)])
			}, nil
		}},
		// holder-query: the first page (50) of TokensByHolder for the
		// Spender, who holds every token the other workloads made.
		{"holder-query", func(ctx context.Context, e *env, _ int) (load.Op, error) {
			w, err := e.World(ctx)
			if err != nil {
				return nil, err
			}
			return func(ctx context.Context, _ int, _ int64) error {
				_, _, err := w.HolderPage(ctx, 50, "")
				return err
			}, nil
		}},
	} {
		workloadByName[w.name] = w
	}
}

// splitWorkload is a confidential 1-in/outputs-out split with pre-built
// proofs, one token per request, in the compact encoding (split, split-4,
// split-8) or in JSON (split-json).
func splitWorkload(outputs int, enc chain.SplitEncoding) workload {
	name := "split"
	if outputs != 2 {
		name = fmt.Sprintf("split-%d", outputs)
	}
	if enc == chain.SplitJSON {
		name += "-json"
	}
	return workload{name, func(ctx context.Context, e *env, _ int) (load.Op, error) {
		w, err := e.World(ctx)
		if err != nil {
			return nil, err
		}
		calls, err := w.SplitCalls(ctx, e.pool, outputs, enc)
		if err != nil {
			return nil, err
		}
		return submitEach(calls), nil
	}}
}

// submitEach is an operation that submits the next pre-built call of
// calls until none is left.
func submitEach(calls []chain.Call) load.Op {
	p := load.NewPool(calls)
	return func(ctx context.Context, _ int, _ int64) error {
		c, err := p.Take()
		if err != nil {
			return err
		}
		return c.Submit(ctx)
	}
}

func account(runID string, clients, w int, side string) string {
	return fmt.Sprintf("xfer-%s-%d-%d-%s", runID, clients, w, side)
}

// Names lists the workloads Run knows, sorted.
func Names() []string {
	var names []string
	for n := range workloadByName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
