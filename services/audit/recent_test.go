package audit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tierchain/tierchain/services/audit"
)

type countingLedger struct {
	audit.Ledger
	calls atomic.Int64
}

func (c *countingLedger) Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
	c.calls.Add(1)
	return c.Ledger.Evaluate(ctx, contract, fn, args...)
}

// TestRecent: concurrent callers share one read; a snapshot is reused
// while younger than maxAge and read again after.
func TestRecent(t *testing.T) {
	w := world(t)
	l := &countingLedger{Ledger: w.ledger()}
	var mu sync.Mutex
	now := reportTime
	svc := w.service(t, l, func(c *audit.Config) {
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	one := must(svc.Snapshot(context.Background()))
	perRead := l.calls.Load()
	l.calls.Store(0)

	var wg sync.WaitGroup
	snaps := make([]*audit.Snapshot, 8)
	for i := range snaps {
		wg.Go(func() { snaps[i] = must(svc.Recent(context.Background(), time.Minute)) })
	}
	wg.Wait()
	for _, s := range snaps[1:] {
		if s != snaps[0] {
			t.Fatal("concurrent callers got different snapshots")
		}
	}
	if got := l.calls.Load(); got != perRead {
		t.Fatalf("%d ledger calls for 8 concurrent callers, one read is %d", got, perRead)
	}
	if len(snaps[0].Tokens) != len(one.Tokens) {
		t.Fatal("shared snapshot differs")
	}

	mu.Lock()
	now = now.Add(30 * time.Second)
	mu.Unlock()
	if s := must(svc.Recent(context.Background(), time.Minute)); s != snaps[0] {
		t.Fatal("a 30 s old snapshot was read again with maxAge 1 min")
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if s := must(svc.Recent(context.Background(), time.Minute)); s == snaps[0] {
		t.Fatal("a 90 s old snapshot was reused with maxAge 1 min")
	}
}
