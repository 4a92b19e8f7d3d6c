package audit

import (
	"context"
	"errors"
	"sync"
	"time"
)

// recent holds the last snapshot and the read in flight, for Recent.
type recent struct {
	mu     sync.Mutex
	snap   *Snapshot
	flight *flight
}

// flight is one Snapshot read that concurrent callers share.
type flight struct {
	done chan struct{}
	snap *Snapshot
	err  error
}

// Recent returns the last snapshot if it was read at most maxAge ago
// (by Config.Now), else reads a new one. Concurrent callers share one
// read, so a dashboard that asks for several reports at once reads the
// ledger once. A Snapshot is never modified once returned, so sharing it
// is safe.
func (s *Service) Recent(ctx context.Context, maxAge time.Duration) (*Snapshot, error) {
	for {
		s.rec.mu.Lock()
		if snap := s.rec.snap; snap != nil && s.now().Sub(snap.ReadAt) <= maxAge {
			s.rec.mu.Unlock()
			return snap, nil
		}
		if f := s.rec.flight; f != nil {
			s.rec.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			// The leader's own cancellation is not the followers' error:
			// one of them reads again.
			if f.err != nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) {
				continue
			}
			return f.snap, f.err
		}
		f := &flight{done: make(chan struct{})}
		s.rec.flight = f
		s.rec.mu.Unlock()

		f.snap, f.err = s.Snapshot(ctx)
		s.rec.mu.Lock()
		s.rec.flight = nil
		if f.err == nil {
			s.rec.snap = f.snap
		}
		s.rec.mu.Unlock()
		close(f.done)
		return f.snap, f.err
	}
}
