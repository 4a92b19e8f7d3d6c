package audit_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
)

func countRows(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM audit_openings`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCache: a second run is served from the cache (it needs neither the
// envelope key nor the table), rows are sealed (no amount in clear; a
// flipped byte or another audit key is a miss, opened again), and an
// amount found above a smaller bound is reopened under a larger one.
func TestCache(t *testing.T) {
	w := world(t)
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cache := must(audit.OpenCache(ctx, db, w.AuditKey))
		withCache := func(c *audit.Config) { c.Cache = cache }
		first := must(w.service(t, w.ledger(), withCache).Snapshot(ctx))
		if n := countRows(t, db); n != 12 {
			t.Fatalf("%d cached openings, want 12", n)
		}

		// Served from the cache: a wrong envelope key changes nothing.
		wrongKey := func(c *audit.Config) { c.EnvelopeKey = must(envelope.GenerateKey(nil)) }
		again := must(w.service(t, w.ledger(), withCache, wrongKey).Snapshot(ctx))
		if !sameAmounts(first, again) {
			t.Fatal("a cached run differs from the first")
		}

		// Sealed: no row holds a known amount as its 8 big-endian bytes.
		rows := must(db.SQL.Query(`SELECT sealed FROM audit_openings`))
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			for _, v := range []uint64{1000, 400, 150, 250, 600, 100, 500} {
				if bytes.Contains(b, binary.BigEndian.AppendUint64(nil, v)) {
					t.Fatalf("row holds %d in clear", v)
				}
			}
		}
		rows.Close()

		// Tampered rows are misses: flip a byte of every row, then run with
		// the wrong envelope key: everything is reopened through handles.
		if _, err := db.SQL.Exec(db.Rebind(`UPDATE audit_openings SET sealed = ?`), make([]byte, 40)); err != nil {
			t.Fatal(err)
		}
		reopened := must(w.service(t, w.ledger(), withCache, wrongKey).Snapshot(ctx))
		if got := byID(reopened)[w.root1].Amount; got.Status != audit.EnvelopeMismatch || got.Minor != 1000 {
			t.Fatalf("after tampering the cache: %+v", got)
		}

		// Rows sealed under one audit key are misses under another: were
		// they read, root1 would come back RECONCILED from the cache.
		other := must(elgamal.GenerateKey(nil))
		otherCache := must(audit.OpenCache(ctx, db, other))
		foreign := must(w.service(t, w.ledger(), func(c *audit.Config) { c.Cache, c.AuditKey = otherCache, other }).Snapshot(ctx))
		if got := byID(foreign)[w.root1].Amount; got.Status == audit.Reconciled {
			t.Fatalf("another audit key read a cached row: %+v", got)
		}

		// UNOPENABLE at 16 bits is retried at 18.
		wide := must(w.service(t, w.ledger(), withCache, func(c *audit.Config) { c.DLogBits = 18 }).Snapshot(ctx))
		if got := byID(wide)[w.root2].Amount; got.Status != audit.EnvelopeMismatch || got.Minor != Big {
			t.Fatalf("root2 at 18 bits with a 16-bit cache entry: %+v", got)
		}
	})
}

func sameAmounts(a, b *audit.Snapshot) bool {
	if len(a.Tokens) != len(b.Tokens) || len(a.Invoices) != len(b.Invoices) {
		return false
	}
	for i := range a.Tokens {
		if a.Tokens[i].Amount != b.Tokens[i].Amount {
			return false
		}
	}
	for i := range a.Invoices {
		if a.Invoices[i].Amount != b.Invoices[i].Amount {
			return false
		}
	}
	return true
}

// TestCacheDown: a cache whose database fails only costs time: every
// amount is opened as without it.
func TestCacheDown(t *testing.T) {
	w := world(t)
	ctx := context.Background()
	db := storetest.SQLite(t)
	cache := must(audit.OpenCache(ctx, db, w.AuditKey))
	db.SQL.Close()
	snap := must(w.service(t, w.ledger(), func(c *audit.Config) { c.Cache = cache }).Snapshot(ctx))
	plain := must(w.service(t, w.ledger()).Snapshot(ctx))
	if !sameAmounts(snap, plain) {
		t.Fatal("a failing cache changed the amounts")
	}
}
