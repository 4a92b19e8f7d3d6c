package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

var testMigrations = []string{
	`CREATE TABLE widgets (id BIGINT PRIMARY KEY, name TEXT NOT NULL)`,
	`ALTER TABLE widgets ADD COLUMN colour TEXT NOT NULL DEFAULT 'red';
	 CREATE INDEX widgets_colour ON widgets (colour)`,
}

func versions(t *testing.T, db *store.DB, component string) int {
	t.Helper()
	var n int
	err := db.SQL.QueryRowContext(context.Background(),
		db.Rebind("SELECT count(*) FROM schema_migrations WHERE component = ?"), component).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrate(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, "widgets", testMigrations[:1]); err != nil {
			t.Fatalf("first migration: %v", err)
		}
		if got := versions(t, db, "widgets"); got != 1 {
			t.Fatalf("versions = %d, want 1", got)
		}
		// Idempotent, then a later release adds version 2.
		for range 2 {
			if err := db.Migrate(ctx, "widgets", testMigrations[:1]); err != nil {
				t.Fatalf("re-run: %v", err)
			}
		}
		if err := db.Migrate(ctx, "widgets", testMigrations); err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		if err := db.Migrate(ctx, "widgets", testMigrations); err != nil {
			t.Fatalf("re-run upgrade: %v", err)
		}
		if got := versions(t, db, "widgets"); got != 2 {
			t.Fatalf("versions = %d, want 2", got)
		}
		if _, err := db.SQL.ExecContext(ctx, db.Rebind("INSERT INTO widgets (id, name) VALUES (?, ?)"), 1, "w"); err != nil {
			t.Fatal(err)
		}
		var colour string
		if err := db.SQL.QueryRowContext(ctx, "SELECT colour FROM widgets").Scan(&colour); err != nil || colour != "red" {
			t.Fatalf("colour = %q, %v; want red", colour, err)
		}

		// Components are independent.
		if err := db.Migrate(ctx, "gadgets", []string{`CREATE TABLE gadgets (id BIGINT PRIMARY KEY)`}); err != nil {
			t.Fatal(err)
		}
		if got := versions(t, db, "gadgets"); got != 1 {
			t.Fatalf("gadgets versions = %d, want 1", got)
		}

		// An old binary against a newer schema refuses to run.
		if err := db.Migrate(ctx, "widgets", testMigrations[:1]); !errors.Is(err, store.ErrMigration) {
			t.Errorf("older migration list: err = %v, want ErrMigration", err)
		}
		// An applied migration that was edited is caught.
		edited := []string{testMigrations[0] + " ", testMigrations[1]}
		if err := db.Migrate(ctx, "widgets", edited); !errors.Is(err, store.ErrMigration) {
			t.Errorf("edited migration: err = %v, want ErrMigration", err)
		}
		if err := db.Migrate(ctx, "", nil); !errors.Is(err, store.ErrMigration) {
			t.Errorf("empty component: err = %v, want ErrMigration", err)
		}
	})
}

// A failing migration rolls back with its version row: the schema stays at the
// last good version, and fixing the migration lets the next run finish.
func TestMigrateFailureIsAtomic(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		bad := []string{
			testMigrations[0],
			`CREATE TABLE half_done (id BIGINT PRIMARY KEY);
			 INSERT INTO no_such_table VALUES (1)`,
		}
		if err := db.Migrate(ctx, "widgets", bad); err == nil {
			t.Fatal("Migrate succeeded with a broken migration")
		}
		if got := versions(t, db, "widgets"); got != 1 {
			t.Fatalf("versions = %d, want 1", got)
		}
		if _, err := db.SQL.ExecContext(ctx, "SELECT * FROM half_done"); err == nil {
			t.Error("the failed migration's first statement was kept")
		}
		if err := db.Migrate(ctx, "widgets", testMigrations); err != nil {
			t.Fatalf("after fixing the migration: %v", err)
		}
		if got := versions(t, db, "widgets"); got != 2 {
			t.Fatalf("versions = %d, want 2", got)
		}
	})
}

// Several processes starting at once each run Migrate; each migration is
// applied exactly once.
func TestMigrateConcurrent(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for range 6 {
			wg.Go(func() { errs <- db.Migrate(ctx, "widgets", testMigrations) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if got := versions(t, db, "widgets"); got != 2 {
			t.Fatalf("versions = %d, want 2", got)
		}
	})
}
