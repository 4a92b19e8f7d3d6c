package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

func counterDB(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Migrate(context.Background(), "counter", []string{
		`CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);
		 INSERT INTO counter (id, n) VALUES (1, 0)`,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readCounter(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.SQL.QueryRowContext(context.Background(), "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInTxCommitAndRollback(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		counterDB(t, db)
		inc := func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE counter SET n = n + 1 WHERE id = 1")
			return err
		}
		if err := db.InTx(ctx, inc); err != nil {
			t.Fatal(err)
		}
		errBoom := errors.New("boom")
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			if err := inc(tx); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("err = %v, want the function's error", err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Error("InTx swallowed a panic")
				}
			}()
			db.InTx(ctx, func(tx *sql.Tx) error {
				inc(tx)
				panic("boom")
			})
		}()
		if got := readCounter(t, db); got != 1 {
			t.Errorf("counter = %d, want 1 (failed transactions rolled back)", got)
		}
		// The pool is not left with a dangling transaction.
		if err := db.InTx(ctx, inc); err != nil {
			t.Fatal(err)
		}
	})
}

// Concurrent read-modify-write transactions never lose an update: SQLite
// serialises writers at BEGIN; Postgres aborts conflicting SERIALIZABLE
// transactions, and InTx retries them.
func TestInTxConcurrentIncrements(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		counterDB(t, db)
		const workers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for range workers {
			wg.Go(func() {
				for range each {
					errs <- db.InTx(ctx, func(tx *sql.Tx) error {
						var n int64
						if err := tx.QueryRowContext(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
							return err
						}
						_, err := tx.ExecContext(ctx, db.Rebind("UPDATE counter SET n = ? WHERE id = 1"), n+1)
						return err
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := readCounter(t, db); got != workers*each {
			t.Errorf("counter = %d, want %d", got, workers*each)
		}
	})
}

func TestInTxRetriesOnlyTransientErrors(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	serialization := &pgconn.PgError{Code: "40001"}

	calls := 0
	err := db.InTx(ctx, func(*sql.Tx) error {
		calls++
		if calls < 3 {
			return fmt.Errorf("wrapped: %w", serialization)
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("InTx = %v after %d calls, want success after 3", err, calls)
	}

	calls = 0
	err = db.InTx(ctx, func(*sql.Tx) error { calls++; return serialization })
	if !errors.Is(err, serialization) || calls < 2 || calls > 20 {
		t.Errorf("persistent conflict: InTx = %v after %d calls, want the error after a bounded number of tries", err, calls)
	}

	calls = 0
	notTransient := &pgconn.PgError{Code: "23505"}
	err = db.InTx(ctx, func(*sql.Tx) error { calls++; return notTransient })
	if !errors.Is(err, notTransient) || calls != 1 {
		t.Errorf("unique violation: InTx = %v after %d calls, want it returned at once", err, calls)
	}

	cctx, cancel := context.WithCancel(ctx)
	calls = 0
	err = db.InTx(cctx, func(*sql.Tx) error { calls++; cancel(); return serialization })
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("cancelled context: InTx = %v after %d calls, want context.Canceled after 1", err, calls)
	}
}

func TestIsRetryable(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("x"), false},
		{&pgconn.PgError{Code: "40001"}, true},
		{&pgconn.PgError{Code: "40P01"}, true},
		{&pgconn.PgError{Code: "23505"}, false},
	} {
		if got := store.IsRetryable(tt.err); got != tt.want {
			t.Errorf("IsRetryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
