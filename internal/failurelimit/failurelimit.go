// Package failurelimit counts failures (of authentication, say) per key in
// fixed windows, and says when a key has used up its budget. It keeps at
// most a fixed number of keys, so an attacker who varies the key (its
// address, a guessed token) cannot grow it without bound.
package failurelimit

import (
	"sync"
	"time"
)

// Limiter allows Max failures per key in each Window. The zero value is
// not usable; call New.
type Limiter struct {
	max    int
	window time.Duration
	keys   int

	mu      sync.Mutex
	entries map[string]entry
}

type entry struct {
	start time.Time // the window began with the first failure
	count int
}

// New returns a limiter of max failures per window for each key, tracking
// at most keys keys.
func New(max int, window time.Duration, keys int) *Limiter {
	return &Limiter{max: max, window: window, keys: keys, entries: make(map[string]entry)}
}

// Blocked reports whether key has used up its failures in the window that
// holds now, and if so how long until it may try again.
func (l *Limiter) Blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	if !ok {
		return false, 0
	}
	if left := e.start.Add(l.window).Sub(now); left > 0 {
		return e.count >= l.max, left
	}
	delete(l.entries, key)
	return false, 0
}

// Fail counts one failure for key at now and reports whether the key is
// now blocked.
func (l *Limiter) Fail(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	if !ok || !now.Before(e.start.Add(l.window)) {
		if !ok && len(l.entries) >= l.keys {
			l.makeRoom(now)
		}
		e = entry{start: now}
	}
	e.count++
	l.entries[key] = e
	return e.count >= l.max
}

// Len is the number of keys tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// makeRoom drops every finished window; if all are live, it drops the one
// that started first, the key that will be free soonest anyway. Called
// only when the table is full, so its linear cost is paid once per keys
// new keys at most, while an attack that fills it is under way.
func (l *Limiter) makeRoom(now time.Time) {
	var oldest string
	var oldestStart time.Time
	for k, e := range l.entries {
		if !now.Before(e.start.Add(l.window)) {
			delete(l.entries, k)
			continue
		}
		if oldest == "" || e.start.Before(oldestStart) {
			oldest, oldestStart = k, e.start
		}
	}
	if len(l.entries) >= l.keys && oldest != "" {
		delete(l.entries, oldest)
	}
}
