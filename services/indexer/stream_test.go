package indexer

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/ledgerstream"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// witness is a stream consumer that checks, for each event it gets, that
// the read model already holds it and that the checkpoint has not moved
// past it yet; it records what it got.
type witness struct {
	t      *testing.T
	ix     *Indexer
	events []fabricclient.Event
	mu     sync.Mutex
	got    []string
	onGot  func(txID string)
}

func (w *witness) receive(ctx context.Context, e model.Event) error {
	if ok, err := w.ix.Applied(context.WithoutCancel(ctx), e.TxID); err != nil || !ok {
		w.t.Errorf("consumer got %s before the read model has it (%v)", e.TxID, err)
	}
	cp, err := w.ix.Checkpoint(context.WithoutCancel(ctx))
	if err != nil {
		w.t.Error(err)
	}
	at := slices.IndexFunc(w.events, func(ev fabricclient.Event) bool { return ev.TxID == e.TxID })
	if after(w.events, cp) > at {
		w.t.Errorf("consumer got %s after the checkpoint %+v moved past it", e.TxID, cp)
	}
	w.mu.Lock()
	w.got = append(w.got, e.TxID)
	w.mu.Unlock()
	if w.onGot != nil {
		w.onGot(e.TxID)
	}
	return nil
}

func (w *witness) seen() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.got)
}

// tierchainTxs are the chain's TierChain transactions in ledger order.
func tierchainTxs(c *chain) []string {
	var out []string
	for _, ev := range c.events {
		if ev.Name == model.EventName {
			out = append(out, ev.TxID)
		}
	}
	return out
}

// TestStreamFeedsReadModelThenConsumers follows the story through one
// stream that breaks every five events: each consumer gets every
// TierChain transaction once, in ledger order, each only once the read
// model holds it and before the checkpoint passes it; the read model is
// the one-pass read model; the stream's height is the read model's.
func TestStreamFeedsReadModelThenConsumers(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		c := newChain(t, newFakeLedger())
		c.story()
		c.raw("other.event", []byte("not ours")) // moves the checkpoint, reaches no consumer
		want := reference(t, fresh(t, db), c)

		ix := newIndexer(t, db, c.ledger, Options{MaxBatch: 4})
		first, second := &witness{t: t, ix: ix, events: c.events}, &witness{t: t, ix: ix, events: c.events}
		s := ix.Stream(&fakeSource{t: t, events: c.events, ix: ix, breakAfter: 5})
		s.Consumers = []ledgerstream.Consumer{first.receive, second.receive}
		ctx, cancel := context.WithCancel(t.Context())
		r := &running{cancel: cancel, done: make(chan error, 1)}
		go func() { r.done <- s.Run(ctx) }()
		waitCheckpoint(t, ix, lastCheckpoint(c))
		if err := s.Ready(t.Context()); err != nil {
			t.Errorf("stream Ready: %v", err)
		}
		if err := ix.Ready(t.Context()); err != nil {
			t.Errorf("indexer Ready while the stream feeds it: %v", err)
		}
		if h, err := s.Height(t.Context()); err != nil || h != lastCheckpoint(c) {
			t.Errorf("stream height %+v %v, want %+v", h, err, lastCheckpoint(c))
		}
		r.stop(t)
		if err := ix.Ready(t.Context()); err == nil {
			t.Error("indexer Ready with no stream running")
		}
		if got := dump(t, db); got != want {
			t.Fatalf("read model through the stream differs from one pass:\n%s\nwant\n%s", got, want)
		}
		for i, w := range []*witness{first, second} {
			if got := w.seen(); !slices.Equal(got, tierchainTxs(c)) {
				t.Fatalf("consumer %d got\n%v\nwant each transaction once, in order\n%v", i, got, tierchainTxs(c))
			}
		}
	})
}

// TestStreamRestartRedeliversOnlyTheUnfinishedBatch kills the stream while
// a consumer is handling event n (its context cancelled there) and starts
// another on the same database: the checkpoint never passed an event a
// consumer had not finished, the second run delivers it again, and no
// event the first run checkpointed is delivered twice. Together the runs
// give every transaction at least once, in order; the read model is the
// one-pass read model.
func TestStreamRestartRedeliversOnlyTheUnfinishedBatch(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		c := newChain(t, newFakeLedger())
		c.story()
		want := reference(t, fresh(t, db), c)
		txs := tierchainTxs(c)
		for _, n := range []int{0, 6, 17, len(txs) - 1} {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				db := fresh(t, db)
				ix := newIndexer(t, db, c.ledger, Options{MaxBatch: 3})
				ctx, cancel := context.WithCancel(t.Context())
				w := &witness{t: t, ix: ix, events: c.events, onGot: func(tx string) {
					if tx == txs[n] {
						cancel() // killed while handling it
					}
				}}
				s := ix.Stream(&fakeSource{t: t, events: c.events, ix: ix})
				s.Consumers = []ledgerstream.Consumer{w.receive}
				r := &running{cancel: cancel, done: make(chan error, 1)}
				go func() { r.done <- s.Run(ctx) }()
				r.wait(t)
				cp, err := ix.Checkpoint(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				at := slices.IndexFunc(c.events, func(ev fabricclient.Event) bool { return ev.TxID == txs[n] })
				if after(c.events, cp) > at {
					t.Fatalf("checkpoint %+v passed %s, which a consumer had not finished", cp, txs[n])
				}
				before := w.seen()
				if !slices.Equal(before, txs[:n+1]) {
					t.Fatalf("first run delivered %v, want %v", before, txs[:n+1])
				}

				w2 := &witness{t: t, ix: ix, events: c.events}
				s2 := ix.Stream(&fakeSource{t: t, events: c.events, ix: ix})
				s2.Consumers = []ledgerstream.Consumer{w2.receive}
				ctx2, cancel2 := context.WithCancel(t.Context())
				r2 := &running{cancel: cancel2, done: make(chan error, 1)}
				go func() { r2.done <- s2.Run(ctx2) }()
				waitCheckpoint(t, ix, lastCheckpoint(c))
				r2.stop(t)

				again := w2.seen()
				if len(again) == 0 || again[0] == "" {
					t.Fatal("the second run delivered nothing")
				}
				resume := slices.Index(txs, again[0])
				if !slices.Equal(again, txs[resume:]) {
					t.Fatalf("second run delivered %v, want a suffix of the chain in order", again)
				}
				if resume > n {
					t.Fatalf("second run resumed at %s, after %s which the first did not finish: lost", again[0], txs[n])
				}
				if n-resume >= 3 {
					t.Fatalf("second run redelivered %d events, more than the unfinished batch (3)", n-resume+1)
				}
				if got := dump(t, db); got != want {
					t.Fatalf("after a restart at %d:\n%s\nwant\n%s", n, got, want)
				}
				assertLog(t, ix, c)
			})
		}
	})
}

// BenchmarkStreamCheckpoint measures what feeding consumers costs the read
// model: the checkpoint in the read model's transaction (no consumers)
// against a transaction of its own after them (a gateway), for a live
// stream (batches of 1) and a catch-up (64). Events as in BenchmarkApply.
//
//	go test -run '^$' -bench StreamCheckpoint -benchtime 1000x ./services/indexer/
func BenchmarkStreamCheckpoint(b *testing.B) {
	for _, batch := range []int{1, 64} {
		for _, separate := range []bool{false, true} {
			b.Run(fmt.Sprintf("batch=%d/separate=%v", batch, separate), func(b *testing.B) {
				c := newChain(b, newFakeLedger())
				c.perBlock = batch
				c.register("core", model.RoleCore)
				c.register("bank", model.RoleBank)
				c.register("tier1", model.RoleSupplier)
				c.register("tier2", model.RoleSupplier)
				c.grant("core", "bank", 1<<40)
				maturity := c.now.AddDate(1, 0, 0)
				inv := c.registerInvoice("tier1", "core", maturity)
				c.confirmInvoice(inv)
				tok := c.issue("core", "bank", "tier1", maturity, inv)
				ix := newIndexer(b, storetest.SQLite(b), c.ledger, Options{})
				if _, err := ix.apply(b.Context(), c.events); err != nil {
					b.Fatal(err)
				}
				applied := 0
				for b.Loop() {
					from := len(c.events)
					for range batch {
						tok = c.split(tok, "tier1", "tier2")[0]
					}
					events := c.events[from:]
					if _, err := ix.ApplyEvents(b.Context(), events, !separate); err != nil {
						b.Fatal(err)
					}
					if separate {
						last := events[len(events)-1]
						if err := ix.SaveCheckpoint(b.Context(), Checkpoint{Block: last.BlockNumber, TxID: last.TxID}); err != nil {
							b.Fatal(err)
						}
					}
					applied += batch
				}
				b.ReportMetric(float64(applied)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}
