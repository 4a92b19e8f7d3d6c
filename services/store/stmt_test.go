package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openFile(t testing.TB) *DB {
	t.Helper()
	return openKV(t, "sqlite:"+filepath.Join(t.TempDir(), "stmt.db"))
}

func openKV(t testing.TB, dsn string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.SQL.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db
}

const (
	putKV = `INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`
	getKV = `SELECT v FROM kv WHERE k = ?`
)

// kept returns the statement db keeps for query, or nil.
func kept(db *DB, query string) *sql.Stmt {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	return db.stmts.m[query]
}

// waitKept waits for query's statement, prepared in the background.
func waitKept(t *testing.T, db *DB, query string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); kept(db, query) == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never prepared: %s", query)
		}
	}
}

// TestStatementsPreparedOnce: the same text runs through one prepared
// statement, on the DB and inside transactions, and gives what the plain
// calls give.
func TestStatementsPreparedOnce(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	if _, err := db.Exec(ctx, nil, putKV, "a", 1); err != nil {
		t.Fatal(err)
	}
	first := kept(db, putKV)
	if first == nil {
		t.Fatal("Exec did not keep its statement prepared")
	}
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range 3 {
			if _, err := db.Exec(ctx, tx, putKV, fmt.Sprint("t", i), i); err != nil {
				return err
			}
		}
		var v int
		if err := db.QueryRow(ctx, tx, getKV, "t2").Scan(&v); err != nil || v != 2 {
			return fmt.Errorf("in tx: %d, %v", v, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitKept(t, db, getKV)
	if kept(db, putKV) != first {
		t.Fatal("the upsert was prepared again")
	}
	rows, err := db.Query(ctx, nil, `SELECT k, v FROM kv ORDER BY k`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(k, v))
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[a1 t00 t11 t22]" {
		t.Fatalf("rows %v", got)
	}
	var v int
	if err := db.QueryRow(ctx, nil, getKV, "missing").Scan(&v); err != sql.ErrNoRows {
		t.Fatalf("missing row: %v", err)
	}
}

// TestStatementFirstInTx: a text first run inside a transaction runs
// unprepared there and is prepared beside it, without waiting for the
// transaction's own lock, on a file and in memory alike.
func TestStatementFirstInTx(t *testing.T) {
	for _, dsn := range []string{"file", ":memory:"} {
		t.Run(dsn, func(t *testing.T) {
			ctx := context.Background()
			db := openFile(t)
			if dsn != "file" {
				db = openKV(t, dsn)
			}
			for round := range 2 {
				start := time.Now()
				err := db.InTx(ctx, func(tx *sql.Tx) error {
					if _, err := db.Exec(ctx, tx, putKV, "a", round); err != nil {
						return err
					}
					var v int
					if err := db.QueryRow(ctx, tx, getKV, "a").Scan(&v); err != nil || v != round {
						return fmt.Errorf("read in tx: %d, %v", v, err)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if d := time.Since(start); d > time.Second {
					t.Fatalf("round %d took %v: the transaction waited for its own preparation", round, d)
				}
				waitKept(t, db, putKV)
				waitKept(t, db, getKV)
			}
		})
	}
}

// TestStatementRolledBack: a statement run in a transaction that rolls back
// leaves nothing, and the statement still serves later calls.
func TestStatementRolledBack(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	boom := fmt.Errorf("boom")
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := db.Exec(ctx, tx, putKV, "x", 1); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatal(err)
	}
	var v int
	if err := db.QueryRow(ctx, nil, getKV, "x").Scan(&v); err != sql.ErrNoRows {
		t.Fatalf("rolled back row: %d, %v", v, err)
	}
	if _, err := db.Exec(ctx, nil, putKV, "x", 2); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, nil, getKV, "x").Scan(&v); err != nil || v != 2 {
		t.Fatalf("after rollback: %d, %v", v, err)
	}
}

// TestStatementErrorsAndBound: a query that does not prepare reports its
// own error and is not kept (a later call tries again: its table may not
// have been made yet); past the bound queries still run, unprepared.
func TestStatementErrorsAndBound(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	const early = `INSERT INTO later (v) VALUES (?)`
	if _, err := db.Exec(ctx, nil, early, 1); err == nil {
		t.Fatal("a query on a missing table ran")
	}
	if err := db.QueryRow(ctx, nil, `SELECT nothing FROM kv`).Scan(new(int)); err == nil {
		t.Fatal("a query of a missing column ran")
	}
	if len(db.stmts.m) != 0 {
		t.Fatalf("failed queries kept: %d", len(db.stmts.m))
	}
	if _, err := db.SQL.Exec(`CREATE TABLE later (v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, nil, early, 1); err != nil || kept(db, early) == nil {
		t.Fatalf("once its table exists: %v, kept %v", err, kept(db, early) != nil)
	}
	for i := range maxCachedStmts + 10 {
		q := fmt.Sprintf(`SELECT v + %d FROM kv WHERE k = ?`, i)
		if _, err := db.Exec(ctx, nil, putKV, "k", i); err != nil {
			t.Fatal(err)
		}
		var v int
		if err := db.QueryRow(ctx, nil, q, "k").Scan(&v); err != nil || v != 2*i {
			t.Fatalf("query %d: %d, %v", i, v, err)
		}
	}
	if len(db.stmts.m) != maxCachedStmts {
		t.Fatalf("cache holds %d statements, bound %d", len(db.stmts.m), maxCachedStmts)
	}
}

// TestStatementAfterSchemaChange: a kept statement follows a change of the
// table it reads (SQLite prepares it again by itself).
func TestStatementAfterSchemaChange(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	if _, err := db.Exec(ctx, nil, putKV, "a", 7); err != nil {
		t.Fatal(err)
	}
	var v int
	if err := db.QueryRow(ctx, nil, getKV, "a").Scan(&v); err != nil || v != 7 {
		t.Fatal(v, err)
	}
	if _, err := db.SQL.Exec(`ALTER TABLE kv ADD COLUMN note TEXT`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, nil, putKV, "a", 8); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, nil, getKV, "a").Scan(&v); err != nil || v != 8 {
		t.Fatal(v, err)
	}
}

// TestStatementsConcurrent: many goroutines share the kept statements over
// the pool's connections, in and out of transactions.
func TestStatementsConcurrent(t *testing.T) {
	ctx := context.Background()
	db := openFile(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Go(func() {
			for i := range 20 {
				k := fmt.Sprint(g, "/", i)
				err := db.InTx(ctx, func(tx *sql.Tx) error {
					_, err := db.Exec(ctx, tx, putKV, k, i)
					return err
				})
				var v int
				if err == nil {
					err = db.QueryRow(ctx, nil, getKV, k).Scan(&v)
				}
				if err == nil && v != i {
					err = fmt.Errorf("%s: %d", k, v)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// BenchmarkStatement compares a fixed upsert and point read run as SQL text
// on every call with the same through the kept statements, in memory (the
// statements' own CPU) and in a WAL file synced at each commit (as the
// services run).
func BenchmarkStatement(b *testing.B) {
	ctx := context.Background()
	for _, run := range []struct{ store, mode string }{
		{"memory", "text"}, {"memory", "prepared"}, {"file", "text"}, {"file", "prepared"},
	} {
		mode := run.mode
		b.Run(run.store+"/"+mode, func(b *testing.B) {
			db := openKV(b, ":memory:")
			if run.store == "file" {
				db = openFile(b)
			}
			// Warm: the statements prepared (as in a running service).
			if _, err := db.Exec(ctx, nil, putKV, "k0", 0); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				k := fmt.Sprint("k", i%512)
				i++
				err := db.InTx(ctx, func(tx *sql.Tx) error {
					var err error
					if mode == "text" {
						_, err = tx.ExecContext(ctx, putKV, k, i)
					} else {
						_, err = db.Exec(ctx, tx, putKV, k, i)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				var v int
				if mode == "text" {
					err = db.SQL.QueryRowContext(ctx, getKV, k).Scan(&v)
				} else {
					err = db.QueryRow(ctx, nil, getKV, k).Scan(&v)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
