// Package store is the one way TierChain's off-chain services open their SQL
// database: SQLite by default (pure Go, modernc.org/sqlite), PostgreSQL when the
// DSN says so (pgx through database/sql).
//
// Both dialects are used through the same *sql.DB. Queries are written with '?'
// placeholders and passed through Rebind; the hot, fixed ones run through
// Exec, Query and QueryRow, which keep them prepared; schema changes go through Migrate;
// writes that must be atomic go through InTx, which retries the transient
// failures each engine reports under contention.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Dialect is the SQL engine behind a DB.
type Dialect int

const (
	// SQLite is the embedded default: a file (or memory) database, one writer at a time.
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL, selected by a postgres:// or postgresql:// DSN.
	Postgres
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	default:
		return fmt.Sprintf("Dialect(%d)", int(d))
	}
}

// DB is an open database and the dialect its SQL must be written for.
type DB struct {
	SQL     *sql.DB
	Dialect Dialect

	stmts stmtCache // Exec, Query and QueryRow's prepared statements
}

// ErrBadDSN reports a DSN that Open cannot interpret. The DSN itself is never
// part of the message: it may hold a password.
var ErrBadDSN = errors.New("store: unsupported DSN")

// SQLite settings applied on every new connection. busy_timeout comes first
// (the driver orders it so) so the other pragmas wait for a concurrent writer.
const (
	sqliteBusyTimeout = 5 * time.Second
	sqliteMaxConns    = 4
)

// Open opens and pings the database named by dsn:
//
//	postgres://user@host:5432/db?sslmode=disable   PostgreSQL (postgresql:// too)
//	sqlite:/var/lib/tierchain/invoice.db           SQLite file
//	sqlite::memory:  or  :memory:                  SQLite in memory, private to this DB
//	/var/lib/tierchain/invoice.db                  SQLite file (a bare path)
//
// SQLite connections run in WAL mode with a busy timeout, foreign keys on,
// synchronous=FULL, and BEGIN IMMEDIATE for read-write transactions, so the one
// writer SQLite allows is taken at BEGIN rather than discovered at the first
// write (which would fail with SQLITE_BUSY instead of waiting).
func Open(ctx context.Context, dsn string) (*DB, error) {
	dialect, target, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	var db *DB
	switch dialect {
	case Postgres:
		db, err = openPostgres(dsn)
	default:
		db, err = openSQLite(target)
	}
	if err != nil {
		return nil, err
	}
	if err := db.SQL.PingContext(ctx); err != nil {
		db.SQL.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", dialect, err)
	}
	return db, nil
}

// parseDSN returns the dialect and, for SQLite, the file path ("" for memory).
func parseDSN(dsn string) (Dialect, string, error) {
	switch {
	case dsn == "":
		return 0, "", fmt.Errorf("%w: empty", ErrBadDSN)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return Postgres, "", nil
	case dsn == ":memory:", dsn == "sqlite::memory:":
		return SQLite, "", nil
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		// Accept the URL-looking form sqlite:///abs/path too.
		path = strings.TrimPrefix(path, "//")
		return sqlitePath(path)
	case strings.Contains(dsn, "://"):
		scheme, _, _ := strings.Cut(dsn, "://")
		return 0, "", fmt.Errorf("%w: scheme %q", ErrBadDSN, scheme)
	default:
		return sqlitePath(dsn)
	}
}

func sqlitePath(path string) (Dialect, string, error) {
	if path == "" {
		return 0, "", fmt.Errorf("%w: empty SQLite path", ErrBadDSN)
	}
	// The driver splits its options off at '?'; a path holding one would be cut.
	if strings.ContainsAny(path, "?#\x00") {
		return 0, "", fmt.Errorf("%w: SQLite path contains '?', '#' or NUL", ErrBadDSN)
	}
	return SQLite, path, nil
}

func openPostgres(dsn string) (*DB, error) {
	sqlDB, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: postgres: %v", ErrBadDSN, redact(err))
	}
	sqlDB.SetMaxOpenConns(max(10, 2*runtime.GOMAXPROCS(0)))
	sqlDB.SetMaxIdleConns(4)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	sqlDB.SetConnMaxLifetime(time.Hour)
	return &DB{SQL: sqlDB, Dialect: Postgres}, nil
}

func openSQLite(path string) (*DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_txlock", "immediate")
	var name string
	if path == "" {
		// A named memdb database is shared by all connections of this process
		// that name it, with ordinary locking; the random name keeps it private
		// to this DB. It lives while at least one connection is open, so the
		// pool below never closes its idle connections.
		var b [12]byte
		rand.Read(b[:])
		q.Set("vfs", "memdb")
		name = "file:/tierchain-" + hex.EncodeToString(b[:]) + "?" + q.Encode()
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		name = path + "?" + q.Encode()
	}
	sqlDB, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	sqlDB.SetMaxOpenConns(sqliteMaxConns)
	sqlDB.SetMaxIdleConns(sqliteMaxConns)
	sqlDB.SetConnMaxIdleTime(0)
	sqlDB.SetConnMaxLifetime(0)
	return &DB{SQL: sqlDB, Dialect: SQLite}, nil
}

// redact keeps a driver's DSN-parsing error from echoing a password back.
func redact(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		return "cannot parse connection string"
	}
	return msg
}

// Close closes the database. For an in-memory SQLite database this discards it.
func (db *DB) Close() error {
	db.closeStmts()
	return db.SQL.Close()
}
