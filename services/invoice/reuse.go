package invoice

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
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
	ReuseNotSeller       = "not-the-seller" // an upload naming another enterprise as seller
)

// ReuseLog records refused re-uploads and the buyers' reviews of
// near-duplicates (component "invoice-reuse"): the evidence of attempts
// to finance one invoice twice, and of who let a look-alike through.
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
CREATE INDEX invoice_reuse_attempts_at ON invoice_reuse_attempts (at)`, `
CREATE TABLE invoice_reviews (
	at              BIGINT NOT NULL,
	invoice_id      TEXT   NOT NULL,
	reviewer        TEXT   NOT NULL,
	decision        TEXT   NOT NULL,
	note            TEXT   NOT NULL,
	near_duplicates TEXT   NOT NULL
);
CREATE INDEX invoice_reviews_invoice ON invoice_reviews (invoice_id)`}); err != nil {
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
	return store.QueryAll(ctx, l.db.SQL, func(r store.Scanner) (ReuseAttempt, error) {
		var a ReuseAttempt
		var at int64
		err := r.Scan(&at, &a.SupplierID, &a.Number, &a.BuyerID, &a.Fingerprint, &a.Reason)
		a.At = time.UnixMilli(at).UTC()
		return a, err
	}, `SELECT at, supplier_id, number, buyer_id, fingerprint, reason FROM invoice_reuse_attempts ORDER BY at`)
}

// Review decisions on a held near-duplicate.
const (
	// ReviewDistinct: the buyer checked its records; the invoices are
	// different invoices, and this one may be confirmed.
	ReviewDistinct = "distinct"
)

// Review is a buyer's recorded decision on an invoice held as a
// near-duplicate of others.
type Review struct {
	At             time.Time `json:"at"`
	Invoice        string    `json:"invoice"`  // ledger invoice ID
	Reviewer       string    `json:"reviewer"` // the buyer enterprise
	Decision       string    `json:"decision"`
	Note           string    `json:"note"`
	NearDuplicates []string  `json:"nearDuplicates"`
}

// RecordReview stores a review; At is set to now when zero.
func (l *ReuseLog) RecordReview(ctx context.Context, r Review) error {
	if r.At.IsZero() {
		r.At = l.now()
	}
	_, err := l.db.SQL.ExecContext(ctx, l.db.Rebind(`INSERT INTO invoice_reviews
		(at, invoice_id, reviewer, decision, note, near_duplicates) VALUES (?, ?, ?, ?, ?, ?)`),
		r.At.UnixMilli(), r.Invoice, r.Reviewer, r.Decision, r.Note, strings.Join(r.NearDuplicates, ","))
	if err != nil {
		return fmt.Errorf("invoice: record review: %w", err)
	}
	return nil
}

// Reviews returns the reviews of an invoice by a reviewer, oldest first.
func (l *ReuseLog) Reviews(ctx context.Context, invoiceID, reviewer string) ([]Review, error) {
	return store.QueryAll(ctx, l.db.SQL, func(row store.Scanner) (Review, error) {
		var r Review
		var at int64
		var near string
		err := row.Scan(&at, &r.Invoice, &r.Reviewer, &r.Decision, &r.Note, &near)
		r.At = time.UnixMilli(at).UTC()
		r.NearDuplicates = []string{}
		if near != "" {
			r.NearDuplicates = strings.Split(near, ",")
		}
		return r, err
	}, l.db.Rebind(`SELECT at, invoice_id, reviewer, decision, note, near_duplicates
		FROM invoice_reviews WHERE invoice_id = ? AND reviewer = ? ORDER BY at`), invoiceID, reviewer)
}
