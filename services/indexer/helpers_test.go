package indexer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/services/store"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newIndexer(t testing.TB, db *store.DB, ledger Ledger, opts Options) *Indexer {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	if opts.Backoff == 0 {
		opts.Backoff = 5 * time.Millisecond
	}
	ix, err := New(context.Background(), db, ledger, opts)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// running is an indexer's Run in the background.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func start(ix *Indexer, src Source) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- ix.Run(ctx, src) }()
	return r
}

// stop cancels Run and checks that it returned the cancellation.
func (r *running) stop(t testing.TB) {
	t.Helper()
	r.cancel()
	r.wait(t)
}

func (r *running) wait(t testing.TB) {
	t.Helper()
	select {
	case err := <-r.done:
		if err != context.Canceled {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
}

// waitCheckpoint waits until the indexer's checkpoint is want.
func waitCheckpoint(t testing.TB, ix *Indexer, want Checkpoint) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		cp, err := ix.Checkpoint(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cp == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %+v, want %+v", cp, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func lastCheckpoint(c *chain) Checkpoint {
	ev := c.events[len(c.events)-1]
	return Checkpoint{Block: ev.BlockNumber, TxID: ev.TxID}
}

// dumpTables are the read model's tables and the columns that differ
// between two runs applying the same events (wall-clock times; seq, which
// a Postgres sequence advances even for a rolled-back insert).
var dumpTables = []string{"indexer_checkpoints", "indexer_events", "indexer_enterprises", "indexer_invoices",
	"indexer_credit_lines", "indexer_tokens", "indexer_financing_requests"}

var dumpSkip = map[string]bool{"seq": true, "indexed_at": true}

// dump renders the whole read model as text, rows in insertion order.
func dump(t testing.TB, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range dumpTables {
		order := "seq"
		if table == "indexer_checkpoints" {
			order = "name"
		}
		rows, err := db.SQL.Query(`SELECT * FROM ` + table + ` ORDER BY ` + order)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "%s\n", table)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, c := range cols {
				if dumpSkip[c] || (table == "indexer_checkpoints" && c == "updated_at") {
					continue
				}
				v := vals[i]
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, " %s=%v", c, v)
			}
			b.WriteString("\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

// reference applies every event of c to a fresh database in one go and
// returns the dump.
func reference(t testing.TB, db *store.DB, c *chain) string {
	t.Helper()
	ix := newIndexer(t, db, c.ledger, Options{})
	if _, err := ix.apply(context.Background(), c.events); err != nil {
		t.Fatal(err)
	}
	return dump(t, db)
}

func sleepMillis(n int) { time.Sleep(time.Duration(n) * time.Millisecond) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
