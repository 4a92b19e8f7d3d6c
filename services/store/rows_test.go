package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

func TestQueryAll(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, "rows", []string{
			`CREATE TABLE rows_t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
			 INSERT INTO rows_t (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')`,
		}); err != nil {
			t.Fatal(err)
		}
		type row struct {
			id   int64
			name string
		}
		scan := func(r store.Scanner) (row, error) {
			var x row
			err := r.Scan(&x.id, &x.name)
			return x, err
		}
		got, err := store.QueryAll(ctx, db.SQL, scan, db.Rebind(`SELECT id, name FROM rows_t WHERE id >= ? ORDER BY id`), 2)
		if err != nil || len(got) != 2 || got[0] != (row{2, "b"}) || got[1] != (row{3, "c"}) {
			t.Fatalf("id >= 2: %v, %v", got, err)
		}
		none, err := store.QueryAll(ctx, db.SQL, scan, db.Rebind(`SELECT id, name FROM rows_t WHERE id > ?`), 9)
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("no rows: %#v, %v (want an empty, non-nil slice)", none, err)
		}
		bad := errors.New("refused")
		if _, err := store.QueryAll(ctx, db.SQL, func(store.Scanner) (row, error) { return row{}, bad }, `SELECT id, name FROM rows_t`); !errors.Is(err, bad) {
			t.Fatalf("scan error: %v", err)
		}
		if _, err := store.QueryAll(ctx, db.SQL, scan, `SELECT nope FROM rows_t`); err == nil {
			t.Fatal("a bad query succeeded")
		}
		// Inside a transaction the rows are closed on return: the next
		// statement on the same transaction runs.
		if err := db.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := store.QueryAll(ctx, tx, scan, `SELECT id, name FROM rows_t`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM rows_t WHERE id = 1`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
}
