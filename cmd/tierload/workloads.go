package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/loadgen"
)

// workload prepares an operation for a run with the given number of clients.
type workload struct {
	name    string
	prepare func(ctx context.Context, c *fabnet.Connection, clients int, runID string) (loadgen.Op, error)
}

var workloadByName = map[string]workload{
	// baseline-mint: a plaintext write to a fresh key each time.
	"baseline-mint": {"baseline-mint", func(_ context.Context, c *fabnet.Connection, clients int, runID string) (loadgen.Op, error) {
		contract := c.Contract("baseline")
		return func(ctx context.Context, _ int, seq int64) error {
			_, err := contract.SubmitWithContext(ctx, "Mint", client.WithArguments(fmt.Sprintf("mint-%s-%d-%d", runID, clients, seq), "1"))
			return err
		}, nil
	}},
	// baseline-transfer: the plaintext baseline of a split, moving a public
	// number between two accounts per client (one at a time, so no client
	// conflicts with itself).
	"baseline-transfer": {"baseline-transfer", func(ctx context.Context, c *fabnet.Connection, clients int, runID string) (loadgen.Op, error) {
		contract := c.Contract("baseline")
		for w := 0; w < clients; w++ {
			if _, err := contract.SubmitWithContext(ctx, "Mint", client.WithArguments(account(runID, clients, w, "src"), "1000000000")); err != nil {
				return nil, err
			}
		}
		return func(ctx context.Context, w int, _ int64) error {
			_, err := contract.SubmitWithContext(ctx, "Transfer", client.WithArguments(account(runID, clients, w, "src"), account(runID, clients, w, "dst"), "1"))
			return err
		}, nil
	}},
	// query: an evaluation on the org's own peer.
	"query": {"query", func(_ context.Context, c *fabnet.Connection, clients int, runID string) (loadgen.Op, error) {
		contract := c.Contract("baseline")
		return func(ctx context.Context, w int, _ int64) error {
			_, err := contract.EvaluateWithContext(ctx, "Balance", client.WithArguments(account(runID, clients, w, "src")))
			return err
		}, nil
	}},
}

func account(runID string, clients, w int, side string) string {
	return fmt.Sprintf("xfer-%s-%d-%d-%s", runID, clients, w, side)
}

func workloadNames() []string {
	var names []string
	for n := range workloadByName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
