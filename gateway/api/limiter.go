package api

import (
	"sync"
	"time"
)

// OPRFPerMinute bounds each enterprise's fingerprint evaluations: an
// invoice's identifying fields have little entropy, and the OPRF key is
// what stops a participant from testing guesses against the ledger; the
// rate keeps that true for participants themselves.
const OPRFPerMinute = 120

// limiter is a fixed-window counter per key.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	start  map[string]time.Time
	count  map[string]int
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, start: map[string]time.Time{}, count: map[string]int{}}
}

// allow counts one event for key at now and reports whether it is within
// the window's budget.
func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start[key]) >= l.window {
		// Forget every finished window so the maps stay as small as the
		// set of recently active keys.
		for k, s := range l.start {
			if now.Sub(s) >= l.window {
				delete(l.start, k)
				delete(l.count, k)
			}
		}
		l.start[key] = now
	}
	if l.count[key] >= l.max {
		return false
	}
	l.count[key]++
	return true
}
