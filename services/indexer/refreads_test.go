package indexer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// TestRecordsByID: the records the read model holds come back whole (the
// ledger's, as its peer answered: a root's invoices, an invoice's parties
// and aliases), by ID; IDs it lacks are absent, duplicates and "" are
// ignored, and more IDs than one query takes are read in several.
func TestRecordsByID(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := newFakeLedger()
		c := newChain(t, l)
		c.register("core", model.RoleCore)
		c.register("bank", model.RoleBank)
		c.register("sup", model.RoleSupplier)
		c.grant("core", "bank", 1000)
		inv1 := c.registerInvoice("sup", "core", c.now.AddDate(0, 3, 0))
		c.confirmInvoice(inv1)
		c.invoices[inv1].Aliases = [][]byte{{1, 2, 3}}
		inv2 := c.registerInvoice("sup", "core", c.now.AddDate(0, 3, 0))
		c.confirmInvoice(inv2)
		root := c.issue("core", "bank", "sup", c.now.AddDate(0, 3, 0), inv1, inv2)
		pieces := c.split(root, "sup", "sup")
		ix := newIndexer(t, db, l, Options{})
		if _, err := ix.ApplyEvents(ctx, c.events, true); err != nil {
			t.Fatal(err)
		}

		tokens, err := ix.TokenRecords(ctx, []string{root, pieces[0], root, "", "nosuch"})
		if err != nil {
			t.Fatal(err)
		}
		if len(tokens) != 2 || !slices.Equal(tokens[root].Invoices, []string{inv1, inv2}) || tokens[pieces[0]].Root != root ||
			tokens[root].Status != model.TokenSplit {
			t.Fatalf("token records: %+v", tokens)
		}
		invoices, err := ix.InvoiceRecords(ctx, []string{inv1, inv2})
		if err != nil {
			t.Fatal(err)
		}
		if got := invoices[inv1]; len(invoices) != 2 || got.Supplier != "sup" || got.Buyer != "core" || len(got.Aliases) != 1 || got.Status != model.InvoiceUsed {
			t.Fatalf("invoice records: %+v", invoices)
		}
		// More IDs than one query takes: the held ones among 2·max+1.
		ids := []string{"core", "sup"}
		for i := range 2 * maxRecordsPerQuery {
			ids = append(ids, fmt.Sprintf("absent%d", i))
		}
		ids = append(ids, "bank")
		enterprises, err := ix.EnterpriseRecords(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(enterprises) != 3 || enterprises["bank"].Role != model.RoleBank || enterprises["sup"].ID != "sup" {
			t.Fatalf("enterprise records: %+v", enterprises)
		}
		if got, err := ix.InvoiceRecords(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no IDs: %v %v", got, err)
		}

		// A record that does not decode is an error, not a missing one.
		if _, err := db.SQL.ExecContext(ctx, db.Rebind(`UPDATE indexer_enterprises SET record = ? WHERE id = ?`), "{", "sup"); err != nil {
			t.Fatal(err)
		}
		if _, err := ix.EnterpriseRecords(ctx, []string{"sup"}); err == nil {
			t.Fatal("a corrupt record read as fine")
		}
		cctx, cancel := context.WithTimeout(ctx, time.Nanosecond)
		defer cancel()
		<-cctx.Done()
		if _, err := ix.TokenRecords(cctx, []string{root}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a cancelled read: %v", err)
		}
	})
}
