package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// maxCachedStmts bounds the statements a DB keeps prepared. The hot queries
// of a service are a few dozen fixed texts; a query built per call (an IN
// list of variable length) would otherwise grow the cache without end, so
// past the bound a query simply runs unprepared.
const maxCachedStmts = 256

// backgroundPrepare bounds a preparation started from inside a transaction
// (stmt), which waits for a connection of the pool and for the schema lock.
const backgroundPrepare = 30 * time.Second

// stmtCache holds a DB's prepared statements by query text. database/sql
// prepares each on a connection the first time it runs there and keeps it,
// so a statement is parsed once per connection instead of once per call
// (SQLite's sqlite3_prepare was 5–9 % of the REST gateway's CPU before;
// docs/BENCHMARKS.md, "The REST split's gateway work").
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt // nil value: being prepared
}

// stmt returns the statement prepared for query (already rebound), or nil:
// the caller then runs the query unprepared, which reports the query's own
// error if it has one.
//
// Preparing takes a connection of the pool. Outside a transaction the
// caller holds none, so stmt prepares at once. Inside one (inTx) it must
// not wait: the transaction's connection may hold the lock the preparing
// one needs to read the schema (SQLite in memory, or in rollback-journal
// mode), and the transaction would wait for itself; so the statement is
// prepared in the background and this call runs unprepared.
func (db *DB) stmt(ctx context.Context, query string, inTx bool) *sql.Stmt {
	c := &db.stmts
	c.mu.Lock()
	s, known := c.m[query]
	if known || len(c.m) >= maxCachedStmts {
		c.mu.Unlock()
		return s
	}
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	c.m[query] = nil // claimed: no other call prepares it meanwhile
	c.mu.Unlock()
	if inTx {
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backgroundPrepare)
			defer cancel()
			db.prepare(ctx, query)
		}()
		return nil
	}
	return db.prepare(ctx, query)
}

// prepare prepares query on the DB and keeps it. A query that fails to
// prepare (busy, a done context, a table its migration has not made yet,
// or a wrong query) is forgotten, so a later call tries again; meanwhile it
// runs unprepared, and reports its own error if it has one.
func (db *DB) prepare(ctx context.Context, query string) *sql.Stmt {
	s, err := db.SQL.PrepareContext(ctx, query)
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.m == nil: // closed meanwhile
		if s != nil {
			s.Close()
		}
		return nil
	case err != nil:
		delete(c.m, query)
		return nil
	}
	c.m[query] = s
	return s
}

// closeStmts closes the cached statements (Close calls it).
func (db *DB) closeStmts() {
	c := &db.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		if s != nil {
			s.Close()
		}
	}
	c.m = nil
}

// runner is what *sql.DB and *sql.Tx share.
type runner interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// prepared returns the rebound query, the runner it runs on unprepared (the
// DB, or tx when not nil), and its prepared statement bound to tx, or nil.
// A transaction's statements are released when the transaction ends.
func (db *DB) prepared(ctx context.Context, tx *sql.Tx, query string) (string, runner, *sql.Stmt) {
	query = db.Rebind(query)
	s := db.stmt(ctx, query, tx != nil)
	if tx == nil {
		return query, db.SQL, s
	}
	if s != nil {
		s = tx.StmtContext(ctx, s)
	}
	return query, tx, s
}

// Exec runs query, written with '?' placeholders, on tx, or on the DB when
// tx is nil, through a statement prepared once per connection and reused by
// every later call with the same text. Use it for fixed query texts; the
// rows of a query must be closed before the same text runs again in the
// same transaction.
func (db *DB) Exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	query, r, s := db.prepared(ctx, tx, query)
	if s == nil {
		return r.ExecContext(ctx, query, args...)
	}
	return s.ExecContext(ctx, args...)
}

// Query is Exec for a query that returns rows.
func (db *DB) Query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	query, r, s := db.prepared(ctx, tx, query)
	if s == nil {
		return r.QueryContext(ctx, query, args...)
	}
	return s.QueryContext(ctx, args...)
}

// QueryRow is Exec for a query that returns at most one row.
func (db *DB) QueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	query, r, s := db.prepared(ctx, tx, query)
	if s == nil {
		return r.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}
