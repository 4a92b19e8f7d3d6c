package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tierchain/tierchain/gateway"
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
// clients resend with the same key. The dead process recorded each
// submitted transaction with its key before the orderer saw it; the new
// one answers IDEMPOTENCY_IN_FLIGHT for the dead run's keys until that
// run's heartbeat is stale (gateway.RunStaleAfter after its last beat),
// then settles each at once. So every such request gets a definite answer
// within the staleness bound and a margin of the kill: the committed
// split's 2xx (resumed from the ledger) or a normal run
// (checkCrashRetries). The clients' budget per split is the usual 15 s
// plus that bound. Afterwards every split answered 2xx is on the ledger
// exactly once, nothing else appeared, and resending commits nothing new.
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
	l := &loadRun{g: g, suppliers: res.Suppliers[:], tokens: res.SupplierTokens[:], opBudget: 15*time.Second + gateway.RunStaleAfter}

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
	l.checkCrashRetries(t, crash, after)
	logSettlements(t, logPath)
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

// crashSettledWithin bounds the wait for a definite answer after the
// kill: the dead run's heartbeat goes stale RunStaleAfter after its last
// beat (at most that long after the kill), then a resend (the clients
// wait Retry-After, 1 s, between them) is settled.
const crashSettledWithin = gateway.RunStaleAfter + 5*time.Second

// checkCrashRetries: every split with an attempt in flight when the
// process died (sent before the kill, no answer) got a definite answer
// within crashSettledWithin of the kill, from the first of its resends
// that the new process answered other than IDEMPOTENCY_IN_FLIGHT (the
// dead run's heartbeat was not stale yet): 2xx, from the transaction the
// dead process submitted (resumed) or from a normal run; checkLedger has
// already matched each 2xx with the ledger. The one exception allowed is
// 504 OUTCOME_UNKNOWN for a split that did not commit: its transaction
// was recorded, then the process died before the orderer had it, and the
// peer cannot tell that from "not yet" until the lock's bound.
// IDEMPOTENCY_IN_FLIGHT after the bound, the answer before the dead run's
// keys could be told abandoned, fails.
func (l *loadRun) checkCrashRetries(t *testing.T, crash *fault, after *ledger) {
	t.Helper()
	var waits []string
	for _, op := range l.ops {
		i := slices.IndexFunc(op.attempts, func(r reply) bool {
			return r.err != nil && r.sent.Before(crash.killedAt) && !r.sent.Add(r.duration).Before(crash.killedAt)
		})
		if i < 0 {
			continue
		}
		j := slices.IndexFunc(op.attempts[i+1:], func(r reply) bool {
			return r.err == nil && (r.code != "IDEMPOTENCY_IN_FLIGHT" || r.sent.Sub(crash.killedAt) > crashSettledWithin)
		})
		if j < 0 {
			t.Errorf("split %s, in flight at the crash: no definite answer after the restart (%s)", op.key, op.history())
			continue
		}
		r := op.attempts[i+1+j]
		done := r.sent.Add(r.duration)
		inFlight := 0
		for _, a := range op.attempts[i+1 : i+1+j] {
			if a.err == nil {
				inFlight++
			}
		}
		waits = append(waits, fmt.Sprintf("%s: %s %s after the restart (%s after the kill; %d IN_FLIGHT before)",
			op.key, r, done.Sub(crash.restartedAt).Round(time.Millisecond), done.Sub(crash.killedAt).Round(time.Millisecond), inFlight))
		switch {
		case done.Sub(crash.killedAt) > crashSettledWithin:
			t.Errorf("split %s, in flight at the crash: first definite answer %s after the kill, more than %s (%s)",
				op.key, done.Sub(crash.killedAt).Round(time.Millisecond), crashSettledWithin, op.history())
		case r.status/100 == 2:
		case r.status == http.StatusGatewayTimeout && r.code == "OUTCOME_UNKNOWN" && after.Tokens[op.input].Status == "ACTIVE":
			t.Logf("split %s: 504 OUTCOME_UNKNOWN after the restart for a transaction that never reached the orderer", op.key)
		default:
			t.Errorf("split %s, in flight at the crash: first answer after the restart %s (%s)", op.key, r, op.history())
		}
	}
	t.Logf("in flight at the crash, first definite answer after the restart: %d splits: %s", len(waits), strings.Join(waits, "; "))
}

// logSettlements counts the new process's settlements of keys the dead
// one held (resume, rerun, unknown), from its log.
func logSettlements(t *testing.T, logPath string) {
	t.Helper()
	b, err := os.ReadFile(logPath)
	if err != nil {
		t.Error(err)
		return
	}
	re := regexp.MustCompile(`resolution"?[=:]"?(\w+)`)
	n := map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "settling a lost write") {
			if m := re.FindStringSubmatch(line); m != nil {
				n[m[1]]++
			}
		}
	}
	t.Logf("keys settled through the ledger by the restarted gateway: %v", n)
}
