package indexer

import (
	"fmt"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// BenchmarkApply measures events applied per second: each event a 1→2
// split (three token changes, three ledger reads from an in-memory fake,
// so the figure is the indexer's and the database's, not a peer's), in
// batches of 1 (a live stream) and 64 (catching up).
//
//	go test -run '^$' -bench Apply -benchtime 2000x ./services/indexer/
func BenchmarkApply(b *testing.B) {
	for _, dialect := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		for _, batch := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/batch=%d", dialect.name, batch), func(b *testing.B) {
				benchmarkApply(b, dialect.open(b), batch)
			})
		}
	}
}

func benchmarkApply(b *testing.B, db *store.DB, batch int) {
	c := newChain(b, newFakeLedger())
	c.perBlock = batch
	c.register("core", model.RoleCore)
	c.register("bank", model.RoleBank)
	c.register("tier1", model.RoleSupplier)
	c.register("tier2", model.RoleSupplier)
	c.grant("core", "bank", 1<<40)
	maturity := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	inv := c.registerInvoice("tier1", "core", maturity)
	c.confirmInvoice(inv)
	tok := c.issue("core", "bank", "tier1", maturity, inv)
	ix := newIndexer(b, db, c.ledger, Options{})
	if _, err := ix.apply(b.Context(), c.events); err != nil {
		b.Fatal(err)
	}
	applied := 0
	for b.Loop() {
		from := len(c.events)
		for range batch {
			tok = c.split(tok, "tier1", "tier2")[0]
		}
		res, err := ix.apply(b.Context(), c.events[from:])
		if err != nil || res.applied != batch {
			b.Fatalf("%+v %v", res, err)
		}
		applied += batch
	}
	b.ReportMetric(float64(applied)/b.Elapsed().Seconds(), "events/s")
}
