package store_test

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tierchain/tierchain/services/store"
)

func Example() {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite::memory:") // or "postgres://…"
	if err != nil {
		panic(err)
	}
	defer db.Close()

	err = db.Migrate(ctx, "notes", []string{
		`CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL)`,
	})
	if err != nil {
		panic(err)
	}
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO notes (id, body) VALUES (?, ?)`), 1, "hello")
		return err
	})
	if err != nil {
		panic(err)
	}
	var body string
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT body FROM notes WHERE id = ?`), 1).Scan(&body); err != nil {
		panic(err)
	}
	fmt.Println(db.Dialect, body)
	// Output: sqlite hello
}
