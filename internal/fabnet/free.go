package fabnet

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
)

// StartOnFreePorts starts a network of the checkout that holds the working
// directory on free loopback ports, in a new temporary directory, for a
// test or a load run: opts' Dir, RepoRoot and Base are replaced (Orderers
// 0 means 1). The caller stops the network and removes n.Dir.
//
// Two processes may pick the same free range at once: the loser gets
// ErrPortsInUse and tries another range, up to ten times.
func StartOnFreePorts(ctx context.Context, opts Options) (*Network, error) {
	if opts.Orderers == 0 {
		opts.Orderers = 1
	}
	repo, err := RepoRoot(".")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tierchain-net-")
	if err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		base, err := FreeBase(opts.Orderers)
		if err != nil {
			return nil, err
		}
		opts.Dir, opts.RepoRoot, opts.Base = dir, repo, base
		n, err := Start(ctx, opts)
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, ErrPortsInUse) || try == 10 {
			return nil, fmt.Errorf("%w (data and logs kept in %s)", err, dir)
		}
	}
}

// FreeBase finds a port base whose whole range is free on loopback.
func FreeBase(orderers int) (int, error) { return freeBase(orderers, 0) }

// FreeRestartBase is FreeBase for a test that stops a network and starts
// it again on the same ports: its ranges sit between FreeBase's (base+500),
// so another process's FreeBase cannot take them while the network is
// stopped.
func FreeRestartBase(orderers int) (int, error) { return freeBase(orderers, 500) }

func freeBase(orderers, offset int) (int, error) {
	for try := 0; try < 50; try++ {
		// Below the kernel's ephemeral range (32768–60999 by default):
		// there the source port of any outgoing connection on the machine
		// could take a node's port between this check and its bind.
		base := 10000 + 1000*rand.IntN(22) + offset
		l := NewLayout(base, orderers)
		// Each node on its organisation's own address, and the gateways.
		if AddressesFree(append(l.ListenAddresses(), l.GatewayListenAddresses()...)) == nil {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no free port range found")
}
