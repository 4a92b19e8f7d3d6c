package indexer

import (
	"context"
	"fmt"
	"time"
)

// GroupBy is the party an exposure statistic is counted per.
type GroupBy string

// Groupings of Exposure.
const (
	ByIssuer GroupBy = "issuer" // the core enterprise that owes the tokens
	ByBank   GroupBy = "bank"   // the bank of the credit line they were issued on
	ByHolder GroupBy = "holder" // who holds them now
)

// Exposure counts one party's tokens that are not spent (SPLIT). Amounts
// are commitments, confidential, so these are counts only; the regulator
// opens the sums with its key.
type Exposure struct {
	Party       string `json:"party"`
	Receivables int64  `json:"receivables"` // distinct roots among the tokens
	Tokens      int64  `json:"tokens"`
	Unpaid      int64  `json:"unpaid"`  // ACTIVE, FINANCING or FINANCED, overdue included
	Overdue     int64  `json:"overdue"` // unpaid past maturity at the query's time
	Financing   int64  `json:"financing"`
	Financed    int64  `json:"financed"`
	Paying      int64  `json:"paying"`
	Settled     int64  `json:"settled"`
	Frozen      int64  `json:"frozen"`
}

// Exposure returns the statistics of every party of the grouping, ordered
// by party, with OVERDUE judged at now (time.Now() if zero).
func (ix *Indexer) Exposure(ctx context.Context, by GroupBy, now time.Time) ([]Exposure, error) {
	switch by {
	case ByIssuer, ByBank, ByHolder:
	default:
		return nil, fmt.Errorf("indexer: exposure by %q: want issuer, bank or holder", by)
	}
	if now.IsZero() {
		now = time.Now()
	}
	col := string(by) // one of the constants above, never caller text
	q := `SELECT ` + col + `, COUNT(DISTINCT root), COUNT(*),
		SUM(CASE WHEN status IN ` + unpaidStatuses + ` THEN 1 ELSE 0 END),
		SUM(CASE WHEN status IN ` + unpaidStatuses + ` AND maturity < ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'FINANCING' THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'FINANCED' THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'PAYING' THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'SETTLED' THEN 1 ELSE 0 END),
		SUM(CASE WHEN status = 'FROZEN' THEN 1 ELSE 0 END)
		FROM indexer_tokens WHERE status <> 'SPLIT' GROUP BY ` + col + ` ORDER BY ` + col
	rows, err := ix.db.SQL.QueryContext(ctx, ix.db.Rebind(q), now.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("indexer: exposure: %w", err)
	}
	defer rows.Close()
	var out []Exposure
	for rows.Next() {
		var e Exposure
		if err := rows.Scan(&e.Party, &e.Receivables, &e.Tokens, &e.Unpaid, &e.Overdue, &e.Financing, &e.Financed,
			&e.Paying, &e.Settled, &e.Frozen); err != nil {
			return nil, fmt.Errorf("indexer: exposure: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
