package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// serveProcess is `tierchain serve` on the test network, in its own
// process, on the gateway's data directory and address.
type serveProcess struct {
	cmd *exec.Cmd
}

func startServe(ctx context.Context, bin, logPath, addr string) (*serveProcess, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd := exec.Command(bin, "serve", "--dir", fabnettest.Network().Dir, "--addr", addr)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &serveProcess{cmd: cmd}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if r := send(ctx, http.MethodGet, "http://"+addr+"/healthz", nil, nil); r.status == http.StatusOK {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("tierchain serve not healthy after 60 s (log: %s)", logPath)
		}
	}
}

// kill is SIGKILL: no drain, no deferred cleanup, keys left pending.
func (s *serveProcess) kill() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

func (s *serveProcess) term() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	return s.cmd.Wait()
}

// TestGatewayCrashDuringLoad: the gateway runs as its own process
// (`tierchain serve` on the test network and the gateway's data), three
// suppliers split through it, and the process is SIGKILLed mid-load and
// started again. Requests in flight at the crash get no answer; their
// clients resend with the same key. Afterwards every split answered 2xx is
// on the ledger exactly once, nothing else appeared, and resending commits
// nothing new. A key the dead process had claimed stays IN_FLIGHT until
// its lock expires (120 s), so such a client finds its outcome on the
// ledger meanwhile.
func TestGatewayCrashDuringLoad(t *testing.T) {
	g, ctx, res := withStory(t, "-crash")
	root, err := fabnet.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "tierchain")
	build := exec.CommandContext(ctx, "go", append(append([]string{"build"}, raceFlags...), "-o", bin, "./cmd/tierchain")...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/tierchain: %v\n%s", err, out)
	}
	logPath := filepath.Join(t.TempDir(), "serve.log")

	// The in-process gateway hands over to the binary, and takes over again
	// at the end.
	if err := g.stop(); err != nil {
		t.Fatal(err)
	}
	var srv *serveProcess
	t.Cleanup(func() {
		if srv != nil {
			srv.kill()
		}
		if err := g.start(context.Background()); err != nil {
			t.Errorf("restarting the in-process gateway: %v", err)
		}
	})
	addr := strings.TrimPrefix(g.base(), "http://")
	if srv, err = startServe(ctx, bin, logPath, addr); err != nil {
		t.Fatal(err)
	}
	regulator := g.client("regulator")
	before := readLedger(t, ctx, regulator)
	l := &loadRun{g: g, suppliers: res.Suppliers[:], tokens: res.SupplierTokens[:], opBudget: 15 * time.Second}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range l.suppliers {
		wg.Go(func() { l.chain(ctx, i, res.Held[i].ID, stop) })
	}
	start := time.Now()
	time.Sleep(5 * time.Second)
	crash := &fault{name: "gateway process (SIGKILL, then tierchain serve again)", killedAt: time.Now()}
	srv.kill()
	srv = nil
	if srv, err = startServe(ctx, bin, logPath, addr); err != nil {
		t.Fatal(err)
	}
	crash.restartedAt = time.Now()
	if crash.recoveredAt = l.firstOKAfter(crash.restartedAt, 60*time.Second); crash.recoveredAt.IsZero() {
		t.Error("no split committed within 60 s of the restart")
	}
	time.Sleep(4 * time.Second)
	close(stop)
	wg.Wait()
	l.report(t, []*fault{crash}, time.Since(start), 0)

	after := readLedger(t, ctx, regulator)
	l.checkLedger(t, before, after)
	l.resend(t, ctx)
	if d := diff(after.String(), readLedger(t, ctx, regulator).String()); d != "" {
		t.Errorf("sending the requests again changed the ledger:\n%s", d)
	}
	err = srv.term()
	srv = nil
	if err != nil {
		t.Errorf("tierchain serve after SIGTERM: %v", err)
	}
}
