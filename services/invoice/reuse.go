package invoice

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/services/store"
)

// ReuseAttempt is an upload refused because its invoice was already
// uploaded here or already registered on the ledger (by anyone): the
// evidence of an attempt to finance one invoice twice.
type ReuseAttempt struct {
	At          time.Time `json:"at"`
	SupplierID  string    `json:"supplierId"`
	Number      string    `json:"number"`
	BuyerID     string    `json:"buyerId"`
	Fingerprint string    `json:"fingerprint"` // hex; the ledger's invoice ID
	Reason      string    `json:"reason"`      // "duplicate-upload" or "registered-on-ledger"
}

// Reuse reasons.
const (
	ReuseDuplicateUpload = "duplicate-upload"
	ReuseOnLedger        = "registered-on-ledger"
)

// ReuseLog records refused re-uploads (component "invoice-reuse").
type ReuseLog struct {
	db  *store.DB
	now func() time.Time
}

// NewReuseLog migrates the log's table and returns it.
func NewReuseLog(ctx context.Context, db *store.DB) (*ReuseLog, error) {
	if err := db.Migrate(ctx, "invoice-reuse", []string{`
CREATE TABLE invoice_reuse_attempts (
	at          BIGINT NOT NULL,
	supplier_id TEXT   NOT NULL,
	number      TEXT   NOT NULL,
	buyer_id    TEXT   NOT NULL,
	fingerprint TEXT   NOT NULL,
	reason      TEXT   NOT NULL
);
CREATE INDEX invoice_reuse_attempts_at ON invoice_reuse_attempts (at)`}); err != nil {
		return nil, err
	}
	return &ReuseLog{db: db, now: time.Now}, nil
}

// Record adds an attempt; At is set to now when zero.
func (l *ReuseLog) Record(ctx context.Context, a ReuseAttempt, fingerprint []byte) error {
	if a.At.IsZero() {
		a.At = l.now()
	}
	_, err := l.db.SQL.ExecContext(ctx, l.db.Rebind(`INSERT INTO invoice_reuse_attempts
		(at, supplier_id, number, buyer_id, fingerprint, reason) VALUES (?, ?, ?, ?, ?, ?)`),
		a.At.UnixMilli(), a.SupplierID, a.Number, a.BuyerID, hex.EncodeToString(fingerprint), a.Reason)
	if err != nil {
		return fmt.Errorf("invoice: record reuse attempt: %w", err)
	}
	return nil
}

// ReuseAttempts returns every attempt, oldest first.
func (l *ReuseLog) ReuseAttempts(ctx context.Context) ([]ReuseAttempt, error) {
	rows, err := l.db.SQL.QueryContext(ctx, `SELECT at, supplier_id, number, buyer_id, fingerprint, reason
		FROM invoice_reuse_attempts ORDER BY at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ReuseAttempt{}
	for rows.Next() {
		var a ReuseAttempt
		var at int64
		if err := rows.Scan(&at, &a.SupplierID, &a.Number, &a.BuyerID, &a.Fingerprint, &a.Reason); err != nil {
			return nil, err
		}
		a.At = time.UnixMilli(at).UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}
