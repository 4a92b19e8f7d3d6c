// Package fabnettest starts one real TierChain network per test binary and
// hands tests fabric-gateway connections per organisation.
//
//	func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{})) }
//
//	func TestX(t *testing.T) {
//		c := fabnettest.Connect(t, "Core", "User1")
//		c.Contract("baseline").SubmitTransaction("Mint", "alice", "1")
//	}
package fabnettest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// Options configure Main.
type Options struct {
	Orderers int // 1 (default) or 3
}

var (
	mainOpts Options
	inMain   bool
	once     sync.Once
	current  *fabnet.Network
	startErr error
)

// Main runs the tests and stops the network if one was started: the
// network starts on the first call to Network (or Connect), in a temporary
// directory on free ports, so a run whose tests need none (-run selecting
// only unit tests) starts nothing. It returns the exit code for os.Exit.
func Main(m *testing.M, opts Options) int {
	flag.Parse() // testing.Verbose needs parsed flags
	mainOpts, inMain = opts, true
	code := m.Run()
	if current != nil {
		current.Stop()
		os.RemoveAll(current.Dir)
	}
	return code
}

// StartNetwork starts a network on free ports in a new temporary directory.
// The caller stops it (and removes n.Dir).
func StartNetwork(ctx context.Context, orderers int) (*fabnet.Network, error) {
	return StartNetworkWith(ctx, fabnet.Options{Orderers: orderers})
}

// StartNetworkWith is StartNetwork with options: its own directory and
// free port range replace opts' Dir, RepoRoot, Base and Out.
func StartNetworkWith(ctx context.Context, opts fabnet.Options) (*fabnet.Network, error) {
	if opts.Orderers == 0 {
		opts.Orderers = 1
	}
	orderers := opts.Orderers
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "tierchain-net-")
	if err != nil {
		return nil, err
	}
	out := os.Stderr
	if !testing.Verbose() {
		out = nil
	}
	start := time.Now()
	// Parallel test binaries may pick the same free range at once: the
	// loser gets ErrPortsInUse and tries another.
	var n *fabnet.Network
	var base int
	for try := 0; ; try++ {
		if base, err = FreeBase(orderers); err != nil {
			return nil, err
		}
		opts.Dir, opts.RepoRoot, opts.Base, opts.Out = dir, repo, base, writerOrDiscard(out)
		n, err = fabnet.Start(ctx, opts)
		if err == nil {
			break
		}
		if !errors.Is(err, fabnet.ErrPortsInUse) || try == 10 {
			return nil, fmt.Errorf("%w (data and logs kept in %s)", err, dir)
		}
	}
	fmt.Fprintf(os.Stderr, "fabnettest: network with %d orderer(s) up on ports %d… in %s\n", orderers, base, time.Since(start).Round(time.Millisecond))
	return n, nil
}

// Network returns the test binary's network, starting it on the first
// call. A network that cannot start fails the run loudly (panic, with the
// reason and where its logs are kept).
func Network() *fabnet.Network {
	if !inMain {
		panic("fabnettest: call fabnettest.Main from TestMain")
	}
	once.Do(func() { current, startErr = StartNetwork(context.Background(), mainOpts.Orderers) })
	if startErr != nil {
		panic(fmt.Sprintf("fabnettest: the network did not start: %v", startErr))
	}
	return current
}

// Connect opens a gateway for user of org on the network and closes it when
// the test ends.
func Connect(t testing.TB, org, user string) *fabnet.Connection {
	t.Helper()
	c, err := Network().Connect(org, user)
	if err != nil {
		t.Fatalf("connect %s/%s: %v", user, org, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// FreeBase finds a port base whose whole range is free on loopback.
func FreeBase(orderers int) (int, error) { return freeBase(orderers, 0) }

// FreeRestartBase is FreeBase for a test that stops a network and starts
// it again on the same ports: its ranges sit between FreeBase's (base+500),
// so another test binary's FreeBase cannot take them while the network is
// stopped.
func FreeRestartBase(orderers int) (int, error) { return freeBase(orderers, 500) }

func freeBase(orderers, offset int) (int, error) {
	for try := 0; try < 50; try++ {
		// Below the kernel's ephemeral range (32768–60999 by default):
		// there the source port of any outgoing connection on the machine
		// could take a node's port between this check and its bind.
		base := 10000 + 1000*rand.IntN(22) + offset
		l := fabnet.NewLayout(base, orderers)
		// Each node on its organisation's own address, and the gateways.
		if fabnet.AddressesFree(append(l.ListenAddresses(), l.GatewayListenAddresses()...)) == nil {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no free port range found")
}
