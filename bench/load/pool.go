package load

import (
	"errors"
	"sync/atomic"
)

// ErrExhausted is returned by an Op whose pre-built requests have run out.
// Run stops that client without counting a failure, so a run bounded by a
// pool ends when the pool does.
var ErrExhausted = errors.New("load: request pool exhausted")

// Pool hands out pre-built requests, each exactly once, to any client.
// Requests are built before the run (off the clock), so the run measures
// only what the network does with them.
type Pool[T any] struct {
	items []T
	next  atomic.Int64
}

// NewPool returns a pool of items, handed out in order.
func NewPool[T any](items []T) *Pool[T] { return &Pool[T]{items: items} }

// Take returns the next item, or ErrExhausted.
func (p *Pool[T]) Take() (T, error) {
	i := p.next.Add(1) - 1
	if i >= int64(len(p.items)) {
		var zero T
		return zero, ErrExhausted
	}
	return p.items[i], nil
}

// Remaining is the number of items not yet taken.
func (p *Pool[T]) Remaining() int {
	return max(len(p.items)-int(p.next.Load()), 0)
}

// Queues are per-client pools: client w takes only from queue w. For
// requests that must be sent in order by one client (an issue binds the
// credit line's outstanding sum left by the previous issue on that line).
type Queues[T any] struct {
	pools []*Pool[T]
}

// NewQueues returns one queue per slice of queues.
func NewQueues[T any](queues [][]T) *Queues[T] {
	q := &Queues[T]{pools: make([]*Pool[T], len(queues))}
	for i, items := range queues {
		q.pools[i] = NewPool(items)
	}
	return q
}

// Take returns client w's next item, or ErrExhausted (also for a client
// with no queue).
func (q *Queues[T]) Take(w int) (T, error) {
	if w < 0 || w >= len(q.pools) {
		var zero T
		return zero, ErrExhausted
	}
	return q.pools[w].Take()
}

// Remaining is the number of items not yet taken from every queue.
func (q *Queues[T]) Remaining() int {
	n := 0
	for _, p := range q.pools {
		n += p.Remaining()
	}
	return n
}
