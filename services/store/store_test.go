package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

func TestOpenDSN(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		dsn     string
		dialect store.Dialect
		wantErr error
	}{
		{"sqlite scheme", "sqlite:" + filepath.Join(dir, "a.db"), store.SQLite, nil},
		{"sqlite url form", "sqlite://" + filepath.Join(dir, "b.db"), store.SQLite, nil},
		{"bare path", filepath.Join(dir, "c.db"), store.SQLite, nil},
		{"memory", "sqlite::memory:", store.SQLite, nil},
		{"bare memory", ":memory:", store.SQLite, nil},
		{"empty", "", 0, store.ErrBadDSN},
		{"empty sqlite path", "sqlite:", 0, store.ErrBadDSN},
		{"question mark in path", "sqlite:" + filepath.Join(dir, "x?mode=ro"), 0, store.ErrBadDSN},
		{"unknown scheme", "mysql://root:secret@localhost/db", 0, store.ErrBadDSN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := store.Open(context.Background(), tt.dsn)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Open(%q) error = %v, want %v", tt.dsn, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", tt.dsn, err)
			}
			defer db.Close()
			if db.Dialect != tt.dialect {
				t.Errorf("Dialect = %v, want %v", db.Dialect, tt.dialect)
			}
		})
	}
}

func TestOpenDSNErrorHidesPassword(t *testing.T) {
	_, err := store.Open(context.Background(), "mysql://root:hunter2@localhost/db")
	if err == nil {
		t.Fatal("Open accepted a mysql DSN")
	}
	if got := err.Error(); strings.Contains(got, "hunter2") {
		t.Errorf("error %q leaks the password", got)
	}
}

func TestOpenPostgresUnreachable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // fail fast, whatever is on the port
	_, err := store.Open(ctx, "postgres://nobody:hunter2@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q leaks the password", err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	for _, tt := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "2"}, // FULL
	} {
		var got string
		if err := db.SQL.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
		}
		if got != tt.want {
			t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
		}
	}
}

// An in-memory database is one database for all of a DB's connections, and
// another DB's memory database is a different one.
func TestSQLiteMemoryShared(t *testing.T) {
	ctx := context.Background()
	a, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	if _, err := a.SQL.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	// Hold one connection so the next query must use another.
	conn, err := a.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := a.SQL.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatalf("second connection does not see the table: %v", err)
	}
	if n != 1 {
		t.Errorf("count = %d, want 1", n)
	}
	if _, err := b.SQL.ExecContext(ctx, "SELECT count(*) FROM t"); err == nil {
		t.Error("a second memory database sees the first one's table")
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Migrate(ctx, "fk", []string{
			`CREATE TABLE parent (id BIGINT PRIMARY KEY);
			 CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES parent (id))`,
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.SQL.ExecContext(ctx, db.Rebind("INSERT INTO child (id, parent_id) VALUES (?, ?)"), 1, 42)
		if !store.IsForeignKeyViolation(err) {
			t.Fatalf("insert with a dangling reference: err = %v, want a foreign key violation", err)
		}
	})
}

func TestIsUniqueViolation(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx, "uniq", []string{
			`CREATE TABLE u (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE)`,
		}); err != nil {
			t.Fatal(err)
		}
		ins := db.Rebind("INSERT INTO u (id, name) VALUES (?, ?)")
		if _, err := db.SQL.ExecContext(ctx, ins, 1, "a"); err != nil {
			t.Fatal(err)
		}
		_, err := db.SQL.ExecContext(ctx, ins, 2, "a")
		if !store.IsUniqueViolation(err) {
			t.Errorf("duplicate unique column: IsUniqueViolation(%v) = false", err)
		}
		_, err = db.SQL.ExecContext(ctx, ins, 1, "b")
		if !store.IsUniqueViolation(err) {
			t.Errorf("duplicate primary key: IsUniqueViolation(%v) = false", err)
		}
		if store.IsUniqueViolation(errors.New("unique")) || store.IsUniqueViolation(nil) {
			t.Error("IsUniqueViolation is true for a plain error")
		}
	})
}
