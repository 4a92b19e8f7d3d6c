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
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// Options configure Main.
type Options struct {
	Orderers int // 1 (default) or 3
	// PeerProfile turns on the peers' profiling listeners
	// (fabnet.Options.PeerProfile).
	PeerProfile bool
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

// StartNetworkWith is StartNetwork with options (fabnet.StartOnFreePorts),
// the network's progress shown with -test.v.
func StartNetworkWith(ctx context.Context, opts fabnet.Options) (*fabnet.Network, error) {
	if testing.Verbose() {
		opts.Out = os.Stderr
	}
	start := time.Now()
	n, err := fabnet.StartOnFreePorts(ctx, opts)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "fabnettest: network with %d orderer(s) up on ports %d… in %s\n", len(n.Layout.Orderers), n.Layout.Orderers[0].Ports.Listen, time.Since(start).Round(time.Millisecond))
	return n, nil
}

// Network returns the test binary's network, starting it on the first
// call. A network that cannot start fails the run loudly (panic, with the
// reason and where its logs are kept).
func Network() *fabnet.Network {
	if !inMain {
		panic("fabnettest: call fabnettest.Main from TestMain")
	}
	once.Do(func() {
		current, startErr = StartNetworkWith(context.Background(),
			fabnet.Options{Orderers: mainOpts.Orderers, PeerProfile: mainOpts.PeerProfile})
	})
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

// FreeRestartBase is fabnet.FreeRestartBase.
func FreeRestartBase(orderers int) (int, error) { return fabnet.FreeRestartBase(orderers) }
