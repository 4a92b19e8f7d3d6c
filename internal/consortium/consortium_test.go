//go:build consortium

package consortium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// start prepares and brings up a consortium in a fresh folder, fails the
// test if Docker is not usable, and removes everything at the end.
func start(t *testing.T, ctx context.Context) *Consortium {
	t.Helper()
	if _, err := run(ctx, nil, "docker", "info"); err != nil {
		t.Fatalf("no Docker engine (make test-consortium installs and starts one: scripts/docker.sh): %v", err)
	}
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("TIERCHAIN_COMPOSE_DIR")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "compose")
	}
	c, err := Prepare(ctx, Options{Dir: dir, Repo: repo, Gateways: true, Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	// A project left by an interrupted run goes first.
	if err := c.Down(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			c.dumpLogs(context.Background(), t)
		}
		if err := c.Down(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if err := c.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Deploy(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.StartGateways(ctx, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	return c
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Logf("%s", b); return len(b), nil }

// endorsers are the organisations whose peers endorse (3 of 4 needed).
var endorsers = []string{"Operator", "Core", "BankA", "BankB"}

// TestConsortium runs the compose consortium as five hosts and survives
// three faults against the real containers, with chain-level transactions
// (each organisation through its own identity and its own peer):
//
//  1. BankB's host is killed (docker kill): the others go on committing;
//     what waited for BankB meanwhile (a balance minted to it) is there
//     when it comes back; it catches up to the same height and state and
//     acts on it through its own peer.
//  2. The Raft leader's host is cut off the network: ordering goes on with
//     2 of 3; reconnected, it catches up to the others' height.
//  3. The Regulator's host restarts: afterwards its peer still reads every
//     balance, equal to what was committed.
//
// Then docker-compose down -v leaves no container, network or volume. The
// last line starts "consortium:"; lost (submitted but not committed, or
// missing from a peer's state) must be 0.
func TestConsortium(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	began := time.Now()
	c := start(t, ctx)
	if os.Getenv("TIERCHAIN_CONSORTIUM_STOP") == "up" {
		t.Log("TIERCHAIN_CONSORTIUM_STOP=up: stopping after the gateways came up")
		return
	}
	h0, err := c.WaitHeights(ctx, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("channel at height %d on all %d peers", h0, len(c.Layout.Orgs))
	ld := c.NewLedger()
	defer ld.Close()
	if err := ld.Rounds(ctx, 3, endorsers...); err != nil {
		t.Fatal(err)
	}

	// The Regulator writes nothing: the orderer refuses it.
	if err := ld.Mint(ctx, "Regulator", Account("Regulator"), 1); err == nil {
		t.Fatal("the Regulator's transaction was committed: its organisation must have no writer")
	} else if errors.Is(err, ErrNotCommitted) {
		t.Fatalf("the Regulator's transaction was accepted by the orderer: %v", err)
	}
	faults := 0

	// 1. BankB's host dies.
	if err := c.KillOrg(ctx, "BankB"); err != nil {
		t.Fatal(err)
	}
	ld.Reconnect("BankB")
	others := []string{"Operator", "Core", "BankA"}
	if err := ld.Rounds(ctx, 3, others...); err != nil {
		t.Fatalf("with BankB down: %v", err)
	}
	const waiting = 7
	if err := ld.Mint(ctx, "Core", "waiting-for-bankb", waiting); err != nil {
		t.Fatalf("with BankB down: %v", err)
	}
	if err := c.StartOrg(ctx, "BankB"); err != nil {
		t.Fatal(err)
	}
	h1, err := c.WaitHeights(ctx, 0, 2*time.Minute)
	if err != nil {
		t.Fatalf("BankB does not catch up: %v", err)
	}
	if err := ld.CheckState(ctx, "BankB"); err != nil {
		t.Fatalf("BankB caught up to height %d with another state: %v", h1, err)
	}
	if err := ld.Transfer(ctx, "BankB", "waiting-for-bankb", Account("BankB"), waiting); err != nil {
		t.Fatalf("BankB acting on what waited for it: %v", err)
	}
	t.Logf("fault 1: BankB killed, restarted, caught up to height %d, acted on what waited for it", h1)
	faults++

	// 2. The Raft leader's host is partitioned.
	var cut fabnet.Orderer
	if err := retry(ctx, 30*time.Second, func() error { var err error; cut, err = c.RaftLeader(ctx); return err }); err != nil {
		t.Fatal(err)
	}
	if err := c.Disconnect(ctx, cut); err != nil {
		t.Fatal(err)
	}
	if err := ld.Rounds(ctx, 3, endorsers...); err != nil {
		t.Fatalf("with %s cut off: %v", cut.Name, err)
	}
	var rest []uint64
	for _, o := range c.Layout.Orderers {
		if o.Name == cut.Name {
			continue
		}
		h, err := c.OrdererHeight(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		rest = append(rest, h)
	}
	if err := c.Reconnect(ctx, cut); err != nil {
		t.Fatal(err)
	}
	err = retry(ctx, 2*time.Minute, func() error {
		h, err := c.OrdererHeight(ctx, cut)
		if err != nil {
			return err
		}
		if h < rest[0] || h < rest[1] {
			return fmt.Errorf("%s at height %d, the others at %v", cut.Name, h, rest)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s does not catch up after reconnecting: %v", cut.Name, err)
	}
	t.Logf("fault 2: %s (Raft leader) cut off, ordering went on with 2 of 3 to height %v, reconnected and caught up", cut.Name, rest)
	faults++

	// 3. The Regulator's host restarts.
	if err := c.RestartOrg(ctx, "Regulator"); err != nil {
		t.Fatal(err)
	}
	ld.Reconnect("Regulator")
	if err := ld.Rounds(ctx, 2, endorsers...); err != nil {
		t.Fatal(err)
	}
	h3, err := c.WaitHeights(ctx, 0, 2*time.Minute)
	if err != nil {
		t.Fatalf("after the Regulator's restart: %v", err)
	}
	err = retry(ctx, time.Minute, func() error { return ld.CheckState(ctx, "Regulator") })
	if err != nil {
		t.Fatalf("the Regulator's peer after its restart: %v", err)
	}
	t.Logf("fault 3: Regulator restarted, reads every balance at height %d", h3)
	faults++

	// Every peer holds exactly what was committed.
	for _, o := range c.Layout.Orgs {
		if err := ld.CheckState(ctx, o.Name); err != nil {
			t.Error(err)
		}
	}
	submitted, committed, resubmitted := ld.Counts()
	lost := submitted - committed
	ld.Close()
	if err := c.Down(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := c.Leftovers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("docker-compose down -v left %v", left)
	}
	if lost != 0 || t.Failed() {
		t.Fatalf("submitted %d, committed %d", submitted, committed)
	}
	fmt.Printf("consortium: orgs=%d hosts=%d txs=%d faults=%d lost=%d resubmitted=%d height=%d wall=%s\n",
		len(c.Layout.Orgs), len(c.Layout.Orgs), committed, faults, lost, resubmitted, h3, time.Since(began).Round(time.Second))
}
