package indexer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/tierchain/tierchain/chaincode/model"
)

// Records by ID, for the readers that need a set of whole ledger records
// at once (a bank's inbox checks the invoice numbers of a page of
// requests: their roots, the roots' invoices, the invoices' parties). The
// read model keeps each record as its own peer last answered it; an ID it
// does not hold (not indexed yet) is simply absent from the answer, for
// the caller to read from the ledger.

// maxRecordsPerQuery bounds the IDs of one SELECT … IN (…) (SQLite's
// default limit on a statement's parameters is far above it).
const maxRecordsPerQuery = 200

// TokenRecords returns the ledger records (model.Token, stored status) of
// the tokens ids names that the read model holds, by ID.
func (ix *Indexer) TokenRecords(ctx context.Context, ids []string) (map[string]model.Token, error) {
	return recordsByID[model.Token](ctx, ix, "indexer_tokens", ids)
}

// InvoiceRecords returns the ledger records of the invoices ids names (hex
// fingerprints) that the read model holds, by ID.
func (ix *Indexer) InvoiceRecords(ctx context.Context, ids []string) (map[string]model.Invoice, error) {
	return recordsByID[model.Invoice](ctx, ix, "indexer_invoices", ids)
}

// EnterpriseRecords returns the ledger records of the enterprises ids
// names that the read model holds, by ID.
func (ix *Indexer) EnterpriseRecords(ctx context.Context, ids []string) (map[string]model.Enterprise, error) {
	return recordsByID[model.Enterprise](ctx, ix, "indexer_enterprises", ids)
}

// recordsByID reads the record column of table's rows whose id is one of ids
// (duplicates and "" ignored), maxRecordsPerQuery to a query. A record
// that does not decode is an error: the read model is corrupt.
func recordsByID[T any](ctx context.Context, ix *Indexer, table string, ids []string) (map[string]T, error) {
	want := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	out := make(map[string]T, len(want))
	for chunk := range slices.Chunk(want, maxRecordsPerQuery) {
		q := `SELECT id, record FROM ` + table + ` WHERE id IN (?` + strings.Repeat(`, ?`, len(chunk)-1) + `)`
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := scanRecords(ctx, ix, table, q, args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanRecords[T any](ctx context.Context, ix *Indexer, table, q string, args []any, out map[string]T) error {
	rows, err := ix.db.SQL.QueryContext(ctx, ix.db.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("indexer: records of %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var raw json.RawMessage
		if err := rows.Scan(&id, rawJSON{&raw}); err != nil {
			return fmt.Errorf("indexer: records of %s: %w", table, err)
		}
		var rec T
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("indexer: records of %s: %s does not decode: %w", table, id, err)
		}
		out[id] = rec
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("indexer: records of %s: %w", table, err)
	}
	return nil
}
