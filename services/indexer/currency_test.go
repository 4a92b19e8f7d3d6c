package indexer

import (
	"context"
	"testing"

	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// TestCurrencyMigration: a read model written before currencies (the
// first migration only) gains the currency columns, keeps its rows (seq
// included) with the currency of their records ("" for legacy ones), and
// then holds a line per (core, bank, currency).
func TestCurrencyMigration(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all := migrations(db.Dialect)
		if err := db.Migrate(ctx, Component, all[:1]); err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL.ExecContext(ctx, db.Rebind(q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO indexer_credit_lines (core, bank, credit_limit, expiry, outstanding, issued, settled, granted_at,
			updated_at, tx_id, block_number, record) VALUES ('core', 'bankA', '100', 0, ?, 0, 0, 1, 1, 'tx1', 1, '{"core":"core"}')`, []byte{})
		exec(`INSERT INTO indexer_tokens (id, root, parents, tier, issuer, bank, holder, status, financing_bank, maturity,
			commitment, created_at, updated_at, tx_id, block_number, last_tx_id, last_block, record)
			VALUES ('t1', 't1', '[]', 1, 'core', 'bankA', 's1', 'ACTIVE', '', 0, ?, 1, 1, 'tx2', 2, 'tx2', 2, '{"id":"t1"}'),
			       ('t2', 't2', '[]', 1, 'core', 'bankA', 's1', 'ACTIVE', '', 0, ?, 1, 1, 'tx3', 3, 'tx3', 3, '{"id":"t2","currency":"CNY"}')`,
			[]byte{}, []byte{})
		if err := db.Migrate(ctx, Component, all); err != nil {
			t.Fatalf("migrate to currencies: %v", err)
		}
		ix := &Indexer{db: db}
		legacy, err := ix.CreditLine(ctx, "core", "bankA", "")
		if err != nil || legacy.Limit != 100 || legacy.Currency != "" {
			t.Fatalf("legacy line after the migration: %+v %v", legacy, err)
		}
		if pg, err := ix.Tokens(ctx, TokenQuery{Currency: "CNY"}); err != nil || len(pg.Items) != 1 || pg.Items[0].ID != "t2" {
			t.Fatalf("CNY tokens: %+v %v", pg.Items, err)
		}
		if pg, err := ix.Tokens(ctx, TokenQuery{Issuer: "core"}); err != nil || len(pg.Items) != 2 || pg.Items[1].Currency != "" {
			t.Fatalf("tokens: %+v %v", pg.Items, err)
		}
		// A second line of the same core at the same bank, in another
		// currency, is a row of its own; the same currency again updates.
		for _, cur := range []string{"CNY", "USD", "CNY"} {
			exec(upsertCreditLine, "core", "bankA", "500", 0, []byte{}, 0, 0, 2, 2, "tx-"+cur, 4, `{}`, cur)
		}
		pg, err := ix.CreditLines(ctx, CreditLineQuery{Core: "core", Bank: "bankA"})
		if err != nil || len(pg.Items) != 3 {
			t.Fatalf("lines per currency: %+v %v", pg.Items, err)
		}
		if usd, err := ix.CreditLine(ctx, "core", "bankA", "USD"); err != nil || usd.Limit != 500 || usd.TxID != "tx-USD" {
			t.Fatalf("USD line: %+v %v", usd, err)
		}
	})
}
