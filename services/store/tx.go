package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// txAttempts bounds InTx's retries; backoff doubles from txBackoff with jitter.
const (
	txAttempts = 8
	txBackoff  = 5 * time.Millisecond
)

// InTx runs fn in a serializable read-write transaction and commits it, or
// rolls it back if fn returns an error or panics. SQLite transactions are
// always serializable; on Postgres InTx asks for SERIALIZABLE so both dialects
// give the same guarantee.
//
// When the engine reports a transient conflict (SQLite busy or locked,
// Postgres serialization failure or deadlock), InTx rolls back and runs fn
// again, a bounded number of times. fn must therefore have no effect outside
// the transaction, and must use tx, never db.SQL (whose connection may be
// blocked behind tx).
func (db *DB) InTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.inTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable}, fn)
}

func (db *DB) inTx(ctx context.Context, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	backoff := txBackoff
	var err error
	for attempt := 1; ; attempt++ {
		err = db.runTx(ctx, opts, fn)
		if err == nil || !IsRetryable(err) || attempt == txAttempts {
			break
		}
		// Full jitter keeps contending writers from retrying in lockstep.
		wait := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		backoff *= 2
	}
	return err
}

func (db *DB) runTx(ctx context.Context, opts *sql.TxOptions, fn func(*sql.Tx) error) (err error) {
	tx, err := db.SQL.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// IsRetryable reports whether err is a transient conflict after which the
// whole transaction may simply be run again.
func IsRetryable(err error) bool {
	if code, ok := sqliteCode(err); ok {
		switch code & 0xff { // primary result code
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "40001", // serialization_failure
			"40P01": // deadlock_detected
			return true
		}
	}
	return false
}

// IsUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY constraint
// violation, in either dialect. Repositories turn it into their own typed
// "already exists" error.
func IsUniqueViolation(err error) bool {
	if code, ok := sqliteCode(err); ok {
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// IsForeignKeyViolation reports whether err is a FOREIGN KEY constraint violation.
func IsForeignKeyViolation(err error) bool {
	if code, ok := sqliteCode(err); ok {
		return code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}

func sqliteCode(err error) (int, bool) {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return 0, false
}
