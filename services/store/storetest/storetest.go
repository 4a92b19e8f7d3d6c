// Package storetest gives tests a fresh, empty store.DB of each dialect:
// SQLite always, PostgreSQL when TIERCHAIN_TEST_POSTGRES_DSN names a server.
//
// Under `make test` and CI (testenv.Strict) a missing or unreachable
// PostgreSQL fails the test instead of skipping it, so the Postgres half of a
// suite cannot silently stop running. `make test` starts a throwaway server
// with ../testdb.sh.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/testenv"
	"github.com/tierchain/tierchain/services/store"
)

// EnvPostgresDSN names the environment variable holding the PostgreSQL DSN
// (postgres://…) that tests may create throwaway schemas in.
const EnvPostgresDSN = "TIERCHAIN_TEST_POSTGRES_DSN"

// ForEachDialect runs fn as a subtest ("sqlite", "postgres") with a fresh
// database of each dialect, closed and discarded when the subtest ends.
func ForEachDialect(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a fresh SQLite database in a file under t.TempDir().
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatalf("storetest: open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres returns a database whose search_path is a fresh schema on the
// server named by TIERCHAIN_TEST_POSTGRES_DSN; the schema is dropped when the
// test ends. Without the variable the test is skipped, except in CI where it
// fails.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := os.Getenv(EnvPostgresDSN)
	if dsn == "" {
		if testenv.Strict() {
			t.Fatalf("storetest: %s is not set; `make test` and CI must run the PostgreSQL tests (see services/store/testdb.sh)", EnvPostgresDSN)
		}
		t.Skipf("storetest: %s not set; skipping PostgreSQL", EnvPostgresDSN)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: PostgreSQL from %s is not reachable: %v", EnvPostgresDSN, err)
	}
	t.Cleanup(func() { admin.Close() })

	var b [8]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := admin.SQL.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.SQL.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL", EnvPostgresDSN)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("storetest: open schema %s: %v", schema, err)
	}
	// Registered after the DROP SCHEMA cleanup, so it runs before it.
	t.Cleanup(func() { db.Close() })
	return db
}
