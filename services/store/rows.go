package store

import (
	"context"
	"database/sql"
)

// Querier runs a query: a *sql.DB, or a *sql.Tx inside InTx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Scanner is one row to read: *sql.Rows during QueryAll, or a *sql.Row.
type Scanner interface {
	Scan(dest ...any) error
}

// QueryAll runs query (already rebound) on q and reads every row with
// scan. It closes the rows before it returns, so the caller may query
// again at once (SQLite inside a transaction has one connection). The
// result is never nil: an empty slice when no row matches, so that it
// renders as [] in JSON.
func QueryAll[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
