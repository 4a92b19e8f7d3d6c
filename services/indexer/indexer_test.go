package indexer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// fresh is another empty database of db's dialect.
func fresh(t *testing.T, db *store.DB) *store.DB {
	if db.Dialect == store.Postgres {
		return storetest.Postgres(t)
	}
	return storetest.SQLite(t)
}

// assertLog checks that the events log holds every TierChain transaction
// of the chain exactly once, in ledger order.
func assertLog(t *testing.T, ix *Indexer, c *chain) {
	t.Helper()
	var want []string
	for _, ev := range c.events {
		if ev.Name == model.EventName {
			want = append(want, ev.TxID)
		}
	}
	var got []string
	for cursor := ""; ; {
		page, err := ix.Events(t.Context(), EventQuery{Cursor: cursor, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			got = append(got, e.TxID)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	slices.Reverse(got) // newest first
	if !slices.Equal(got, want) {
		t.Fatalf("events log:\n%v\nwant\n%v", got, want)
	}
}

// TestRunBuildsReadModel follows the story through a stream that breaks
// every five events: the read model ends equal to applying it in one go,
// every transaction logged once.
func TestRunBuildsReadModel(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		c := newChain(t, newFakeLedger())
		c.story()
		want := reference(t, fresh(t, db), c)

		ix := newIndexer(t, db, c.ledger, Options{})
		src := &fakeSource{t: t, events: c.events, ix: ix, breakAfter: 5}
		r := start(ix, src)
		waitCheckpoint(t, ix, lastCheckpoint(c))
		if err := ix.Ready(t.Context()); err != nil {
			t.Errorf("Ready at the end of the stream: %v", err)
		}
		r.stop(t)
		if got := dump(t, db); got != want {
			t.Fatalf("read model after a broken stream differs from one pass:\n%s\nwant\n%s", got, want)
		}
		if n := src.opened.Load(); int(n) < len(c.events)/5 {
			t.Fatalf("%d connections for %d events broken every 5", n, len(c.events))
		}
		assertLog(t, ix, c)
	})
}

// TestRestartResumesWithoutGapOrDuplicate kills the follower after N
// events (its context cancelled while it may be applying the next) and
// starts a new one on the same database: together they apply every
// transaction once, and the read model is the one-pass read model.
func TestRestartResumesWithoutGapOrDuplicate(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		c := newChain(t, newFakeLedger())
		c.story()
		want := reference(t, fresh(t, db), c)
		for _, n := range []int64{1, 7, 16} {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				db := fresh(t, db)
				first := newIndexer(t, db, c.ledger, Options{MaxBatch: 3})
				ctx, cancel := context.WithCancel(t.Context())
				src := &fakeSource{t: t, events: c.events, ix: first, onDeliver: func(d int64) {
					if d == n {
						cancel() // kill it, maybe in the middle of a batch
					}
				}}
				r := &running{cancel: cancel, done: make(chan error, 1)}
				go func() { r.done <- first.Run(ctx, src) }()
				r.wait(t)
				cp, err := first.Checkpoint(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				applied := after(c.events, cp)
				t.Logf("killed after %d events delivered: %d applied", n, applied)
				if applied > int(n) {
					t.Fatalf("checkpoint %+v is past the %d events delivered", cp, n)
				}
				if page, err := first.Events(t.Context(), EventQuery{Limit: MaxPageSize}); err != nil || len(page.Items) != applied {
					t.Fatalf("%d events logged for a checkpoint after %d (%v)", len(page.Items), applied, err)
				}

				second := newIndexer(t, db, c.ledger, Options{MaxBatch: 3})
				r2 := start(second, &fakeSource{t: t, events: c.events, ix: second})
				waitCheckpoint(t, second, lastCheckpoint(c))
				r2.stop(t)
				if got := dump(t, db); got != want {
					t.Fatalf("after a restart at %d:\n%s\nwant\n%s", n, got, want)
				}
				assertLog(t, second, c)
			})
		}
	})
}

// TestReapplyIsIdempotent applies the same events twice, and follows a
// source that ignores the checkpoint and replays everything on every
// connection: nothing changes the second time.
func TestReapplyIsIdempotent(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		c := newChain(t, newFakeLedger())
		c.story()
		ix := newIndexer(t, db, c.ledger, Options{})
		res, err := ix.apply(t.Context(), c.events)
		if err != nil || res.applied != len(c.events) {
			t.Fatalf("first pass: %+v %v", res, err)
		}
		want := dump(t, db)
		calls := c.ledger.calls.Load()
		res, err = ix.apply(t.Context(), c.events)
		if err != nil || res.applied != 0 {
			t.Fatalf("second pass: %+v %v", res, err)
		}
		if got := dump(t, db); got != want {
			t.Fatalf("second pass changed the read model:\n%s\nwant\n%s", got, want)
		}
		if c.ledger.calls.Load() != calls {
			t.Error("known events were fetched from the ledger again")
		}
		for _, ev := range c.events {
			if res, err := ix.apply(t.Context(), []fabricclient.Event{ev}); err != nil || res.applied != 0 || res.duplicates != 1 {
				t.Fatalf("replay of %s: %+v %v", ev.TxID, res, err)
			}
		}
		src := &fakeSource{t: t, events: c.events, ix: ix, replayAll: true, breakAfter: 9}
		r := start(ix, src)
		for src.opened.Load() < 6 {
			waitDelivered(t, src, int64(9*src.opened.Load()))
		}
		r.stop(t)
		if got := dump(t, db); got != want {
			t.Fatalf("a replaying source changed the read model:\n%s\nwant\n%s", got, want)
		}
		assertLog(t, ix, c)
	})
}

func waitDelivered(t *testing.T, src *fakeSource, n int64) {
	t.Helper()
	for i := 0; src.delivered.Load() < n; i++ {
		if i > 30000 {
			t.Fatalf("%d events delivered, want %d", src.delivered.Load(), n)
		}
		sleepMillis(1)
	}
}

// TestMalformedEventsAreRecordedAndSkipped: each malformed payload is a
// *MalformedEventError, logged in the events log as rejected with the raw
// payload, applied in no part; the events around it are applied and the
// follower goes on.
func TestMalformedEventsAreRecordedAndSkipped(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		c := newChain(t, newFakeLedger())
		c.register("operator", model.RoleOperator)
		good := func(mutate func(e *model.Event)) func() []byte {
			return func() []byte {
				e := model.Event{Version: 1, Kind: "enterprise.register", TxID: fmt.Sprintf("tx%05d", c.txs+1), Timestamp: c.now, Actor: "operator",
					Enterprises: []model.EnterpriseChange{{ID: "ghost", Role: model.RoleSupplier, Status: model.EnterpriseActive}}}
				mutate(&e)
				return mustJSON(t, e)
			}
		}
		constant := func(b []byte) func() []byte { return func() []byte { return b } }
		cases := []struct {
			payload func() []byte // made when its transaction ID is known
			reason  string
		}{
			{constant([]byte("not json")), "payload is not an event"},
			{constant(nil), "payload is not an event"},
			{good(func(e *model.Event) { e.Version = 2 }), "version 2"},
			{good(func(e *model.Event) { e.TxID = "someone-else" }), "names transaction"},
			{good(func(e *model.Event) { e.Kind = "" }), "kind"},
			{good(func(e *model.Event) { e.Actor = "nul\x00" }), "actor"},
			{constant([]byte("{\"version\":\x00}")), "payload is not an event"},
			{good(func(e *model.Event) { e.Enterprises[0].ID = "" }), "enterprises[0]"},
			{good(func(e *model.Event) { e.Enterprises[0].Role = "king" }), "role"},
			{good(func(e *model.Event) {
				e.Tokens = []model.TokenChange{{ID: "t1", Root: "t1", Holder: "x", Status: model.TokenOverdue}}
			}), "tokens[0]"},
			{good(func(e *model.Event) {
				e.Invoices = []model.InvoiceChange{{ID: "short", Supplier: "s", Buyer: "b", Status: "USED"}}
			}), "invoices[0]"},
			{good(func(e *model.Event) { e.CreditLines = []model.CreditLineChange{{Core: "bad core", Bank: "b"}} }), "creditLines[0]"},
		}
		payloads := make([][]byte, len(cases))
		for i, tc := range cases {
			payloads[i] = tc.payload()
			c.raw(model.EventName, payloads[i])
		}
		c.raw("other.event", []byte("ignored")) // another chaincode event name: not ours
		c.register("tier1", model.RoleSupplier)

		ix := newIndexer(t, db, c.ledger, Options{})
		// apply reports them as typed errors.
		res, err := ix.apply(t.Context(), c.events[:len(cases)+1])
		if err != nil || res.applied != 1 || len(res.rejected) != len(cases) {
			t.Fatalf("apply: %+v %v", res, err)
		}
		for i, r := range res.rejected {
			if !errors.Is(r, ErrMalformedEvent) || !contains(r.Error(), cases[i].reason) || r.TxID != c.events[i+1].TxID {
				t.Errorf("case %d: %v, want a malformed event error about %q", i, r, cases[i].reason)
			}
		}
		// Run goes on past them.
		r := start(ix, &fakeSource{t: t, events: c.events, ix: ix})
		waitCheckpoint(t, ix, lastCheckpoint(c))
		r.stop(t)

		page, err := ix.Enterprises(t.Context(), EnterpriseQuery{})
		if err != nil || len(page.Items) != 2 || page.Items[0].ID != "tier1" || page.Items[1].ID != "operator" {
			t.Fatalf("enterprises %+v %v", page.Items, err)
		}
		rejected, err := ix.Events(t.Context(), EventQuery{Outcome: Rejected, Limit: MaxPageSize})
		if err != nil || len(rejected.Items) != len(cases) {
			t.Fatalf("rejected %d %v", len(rejected.Items), err)
		}
		for i, e := range rejected.Items {
			if !utf8.ValidString(e.Reason) || strings.ContainsRune(e.Reason, 0) {
				t.Errorf("rejected %s: reason %q is not printable", e.TxID, e.Reason)
			}
			j := len(cases) - 1 - i
			if string(e.Payload) != string(payloads[j]) || !contains(e.Reason, cases[j].reason) {
				t.Errorf("rejected %s: payload %q reason %q, want %q about %q", e.TxID, e.Payload, e.Reason, payloads[j], cases[j].reason)
			}
		}
		if ok, err := ix.Applied(t.Context(), c.events[1].TxID); !ok || err != nil {
			t.Errorf("Applied(rejected tx) = %v %v; a rejected transaction is reflected too", ok, err)
		}
		if ok, _ := ix.Applied(t.Context(), c.events[len(c.events)-2].TxID); ok {
			t.Error("an event of another name is in the log")
		}
	})
}
