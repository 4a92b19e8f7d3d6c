package invoice

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tierchain/tierchain/services/store"
)

// Status is an invoice's place in its lifecycle, mirroring the chaincode's.
type Status string

const (
	StatusRegistered Status = "REGISTERED" // uploaded (and, once TxID is set, on-chain)
	StatusConfirmed  Status = "CONFIRMED"  // the buyer confirmed it
	StatusRejected   Status = "REJECTED"   // the buyer rejected it
	StatusRevoked    Status = "REVOKED"    // withdrawn before use
	StatusUsed       Status = "USED"       // a receivable was issued against it
)

// transitions lists the lifecycle's allowed moves.
var transitions = map[Status][]Status{
	StatusRegistered: {StatusConfirmed, StatusRejected, StatusRevoked},
	StatusConfirmed:  {StatusUsed, StatusRevoked},
}

// CanTransition reports whether the lifecycle allows from → to.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// DocumentKind names the documents kept with an invoice.
type DocumentKind string

const (
	DocumentOriginal DocumentKind = "original" // the invoice document as uploaded
	DocumentPDF      DocumentKind = "pdf"      // the PDF attached as evidence
)

// Document is one stored document and its SHA-256.
type Document struct {
	Kind      DocumentKind
	MediaType string
	SHA256    [32]byte
	Content   []byte
}

// Record is a stored invoice.
type Record struct {
	ID             string // "inv_" + 32 hex digits, assigned by Create
	SupplierID     string // the enterprise that uploaded it
	SellerID       string // Invoice.Seller.ID
	BuyerID        string // Invoice.Buyer.ID
	Number         string
	IssueDate      time.Time
	DueDate        time.Time
	Currency       string
	AmountMinor    int64
	Status         Status
	Format         Format
	DocumentSHA256 [32]byte
	PDFSHA256      []byte // nil when no PDF was attached
	Fingerprint    []byte // the OPRF fingerprint; nil until computed
	TxID           string // the registering transaction; "" until on-chain
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NewRecord builds the record of a parsed invoice uploaded by supplierID.
func NewRecord(supplierID string, inv *Invoice, documentSHA256 [32]byte) *Record {
	return &Record{
		SupplierID:     supplierID,
		SellerID:       inv.Seller.ID,
		BuyerID:        inv.Buyer.ID,
		Number:         inv.Number,
		IssueDate:      inv.IssueDate,
		DueDate:        inv.DueDate,
		Currency:       inv.Currency,
		AmountMinor:    inv.AmountMinor,
		Status:         StatusRegistered,
		Format:         inv.Format,
		DocumentSHA256: documentSHA256,
	}
}

// Page is one page of a listing; Next is the cursor of the following page,
// "" on the last.
type Page struct {
	Records []Record
	Next    string
}

// Listing bounds.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Repo keeps invoices and their documents in a store.DB.
type Repo struct {
	db  *store.DB
	now func() time.Time
}

// NewRepo migrates the invoice schema in db and returns a repository over it.
func NewRepo(ctx context.Context, db *store.DB) (*Repo, error) {
	if err := db.Migrate(ctx, "invoice", migrations(db.Dialect)); err != nil {
		return nil, err
	}
	return &Repo{db: db, now: time.Now}, nil
}

// migrations returns the invoice schema for a dialect. The one text serves
// both: only the auto-increment key and the binary type differ.
func migrations(d store.Dialect) []string {
	r := d.DDL()
	return []string{r.Replace(`
CREATE TABLE invoices (
	seq             {{seq}},
	id              TEXT    NOT NULL UNIQUE,
	supplier_id     TEXT    NOT NULL,
	seller_id       TEXT    NOT NULL,
	buyer_id        TEXT    NOT NULL,
	number          TEXT    NOT NULL,
	number_key      TEXT    NOT NULL,
	issue_date      TEXT    NOT NULL,
	due_date        TEXT    NOT NULL,
	currency        TEXT    NOT NULL,
	amount_minor    BIGINT  NOT NULL CHECK (amount_minor > 0),
	status          TEXT    NOT NULL CHECK (status IN ('REGISTERED', 'CONFIRMED', 'REJECTED', 'REVOKED', 'USED')),
	format          TEXT    NOT NULL,
	document_sha256 {{blob}} NOT NULL,
	pdf_sha256      {{blob}},
	fingerprint     {{blob}},
	tx_id           TEXT    NOT NULL DEFAULT '',
	created_at      BIGINT  NOT NULL,
	updated_at      BIGINT  NOT NULL,
	UNIQUE (supplier_id, seller_id, buyer_id, number_key)
);
CREATE INDEX invoices_supplier_seq ON invoices (supplier_id, seq);
CREATE INDEX invoices_buyer_seq ON invoices (buyer_id, seq);
CREATE INDEX invoices_fingerprint ON invoices (fingerprint);
CREATE TABLE invoice_documents (
	invoice_seq BIGINT  NOT NULL REFERENCES invoices (seq) ON DELETE CASCADE,
	kind        TEXT    NOT NULL CHECK (kind IN ('original', 'pdf')),
	media_type  TEXT    NOT NULL,
	sha256      {{blob}} NOT NULL,
	content     {{blob}} NOT NULL,
	PRIMARY KEY (invoice_seq, kind)
)`)}
}

const recordColumns = `seq, id, supplier_id, seller_id, buyer_id, number, issue_date, due_date, currency,
	amount_minor, status, format, document_sha256, pdf_sha256, fingerprint, tx_id, created_at, updated_at`

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return "inv_" + hex.EncodeToString(b[:])
}

// Create stores rec and its documents in one transaction, assigning rec.ID,
// rec.CreatedAt and rec.UpdatedAt. It returns ErrDuplicate when the supplier
// already has an invoice with the same seller, buyer and number (compared by
// NumberKey).
func (r *Repo) Create(ctx context.Context, rec *Record, docs ...Document) error {
	if rec.SupplierID == "" {
		return errors.New("invoice: Create: record has no supplier")
	}
	if rec.Status == "" {
		rec.Status = StatusRegistered
	}
	now := r.now().UTC()
	id := newID()
	err := r.db.InTx(ctx, func(tx *sql.Tx) error {
		var seq int64
		err := tx.QueryRowContext(ctx, r.db.Rebind(`INSERT INTO invoices (
			id, supplier_id, seller_id, buyer_id, number, number_key, issue_date, due_date, currency,
			amount_minor, status, format, document_sha256, pdf_sha256, fingerprint, tx_id, created_at, updated_at
		) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`),
			id, rec.SupplierID, rec.SellerID, rec.BuyerID, rec.Number, NumberKey(rec.Number),
			rec.IssueDate.Format(DateLayout), rec.DueDate.Format(DateLayout), rec.Currency,
			rec.AmountMinor, string(rec.Status), string(rec.Format), rec.DocumentSHA256[:],
			nullBytes(rec.PDFSHA256), nullBytes(rec.Fingerprint), rec.TxID, now.UnixMicro(), now.UnixMicro(),
		).Scan(&seq)
		if store.IsUniqueViolation(err) {
			return ErrDuplicate
		}
		if err != nil {
			return fmt.Errorf("invoice: insert: %w", err)
		}
		for _, d := range docs {
			_, err := tx.ExecContext(ctx, r.db.Rebind(`INSERT INTO invoice_documents
				(invoice_seq, kind, media_type, sha256, content) VALUES (?, ?, ?, ?, ?)`),
				seq, string(d.Kind), d.MediaType, d.SHA256[:], d.Content)
			if err != nil {
				return fmt.Errorf("invoice: insert %s document: %w", d.Kind, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	rec.ID, rec.CreatedAt, rec.UpdatedAt = id, time.UnixMicro(now.UnixMicro()).UTC(), time.UnixMicro(now.UnixMicro()).UTC()
	return nil
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// Get returns the invoice with the given ID, or ErrNotFound. Callers check
// that the requester may see it (its supplier or buyer).
func (r *Repo) Get(ctx context.Context, id string) (*Record, error) {
	rows, err := r.db.SQL.QueryContext(ctx, r.db.Rebind(`SELECT `+recordColumns+` FROM invoices WHERE id = ?`), id)
	if err != nil {
		return nil, fmt.Errorf("invoice: get: %w", err)
	}
	recs, _, err := scanRecords(rows)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, ErrNotFound
	}
	return &recs[0], nil
}

// ListBySupplier returns a supplier's invoices, newest first, limit at a time
// (DefaultPageSize when limit <= 0, at most MaxPageSize). Pass "" as cursor
// for the first page and Page.Next for the following ones; keyset pagination
// keeps pages stable while new invoices arrive.
func (r *Repo) ListBySupplier(ctx context.Context, supplierID, cursor string, limit int) (Page, error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	after := int64(-1)
	if cursor != "" {
		v, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || v <= 0 || strconv.FormatInt(v, 10) != cursor {
			return Page{}, ErrBadCursor
		}
		after = v
	}
	q := `SELECT ` + recordColumns + ` FROM invoices WHERE supplier_id = ?`
	args := []any{supplierID}
	if after > 0 {
		q += ` AND seq < ?`
		args = append(args, after)
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := r.db.SQL.QueryContext(ctx, r.db.Rebind(q), args...)
	if err != nil {
		return Page{}, fmt.Errorf("invoice: list: %w", err)
	}
	recs, seqs, err := scanRecords(rows)
	if err != nil {
		return Page{}, err
	}
	var page Page
	if len(recs) > limit {
		recs = recs[:limit]
		page.Next = strconv.FormatInt(seqs[limit-1], 10)
	}
	page.Records = recs
	return page, nil
}

// FindByFingerprint returns every stored invoice with this OPRF fingerprint,
// oldest first.
func (r *Repo) FindByFingerprint(ctx context.Context, fingerprint []byte) ([]Record, error) {
	if len(fingerprint) == 0 {
		return nil, nil
	}
	rows, err := r.db.SQL.QueryContext(ctx, r.db.Rebind(
		`SELECT `+recordColumns+` FROM invoices WHERE fingerprint = ? ORDER BY seq`), fingerprint)
	if err != nil {
		return nil, fmt.Errorf("invoice: find by fingerprint: %w", err)
	}
	recs, _, err := scanRecords(rows)
	return recs, err
}

// UpdateStatus moves an invoice from one status to another, atomically: it
// fails with ErrStatusConflict if the invoice is no longer in from, or if the
// lifecycle does not allow the move, and with ErrNotFound for an unknown ID.
func (r *Repo) UpdateStatus(ctx context.Context, id string, from, to Status) error {
	if !CanTransition(from, to) {
		return fmt.Errorf("%w: %s → %s is not allowed", ErrStatusConflict, from, to)
	}
	return r.update(ctx, id, r.db.Rebind(`UPDATE invoices SET status = ?, updated_at = ? WHERE id = ? AND status = ?`),
		string(to), r.now().UnixMicro(), id, string(from))
}

// SetRegistration records the invoice's OPRF fingerprint and the transaction
// that registered it on-chain. It may be called once; a second call fails
// with ErrStatusConflict.
func (r *Repo) SetRegistration(ctx context.Context, id string, fingerprint []byte, txID string) error {
	if len(fingerprint) == 0 || txID == "" {
		return errors.New("invoice: SetRegistration needs a fingerprint and a transaction ID")
	}
	return r.update(ctx, id, r.db.Rebind(`UPDATE invoices SET fingerprint = ?, tx_id = ?, updated_at = ?
		WHERE id = ? AND tx_id = ''`), fingerprint, txID, r.now().UnixMicro(), id)
}

// update runs a conditional single-row UPDATE and tells "no such invoice"
// from "condition no longer holds".
func (r *Repo) update(ctx context.Context, id, query string, args ...any) error {
	return r.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("invoice: update: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("invoice: update: %w", err)
		} else if n == 1 {
			return nil
		}
		var one int
		err = tx.QueryRowContext(ctx, r.db.Rebind(`SELECT 1 FROM invoices WHERE id = ?`), id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("invoice: update: %w", err)
		}
		return ErrStatusConflict
	})
}

// Document returns one of an invoice's stored documents, or ErrNotFound.
func (r *Repo) Document(ctx context.Context, invoiceID string, kind DocumentKind) (*Document, error) {
	d := Document{Kind: kind}
	var sum []byte
	err := r.db.SQL.QueryRowContext(ctx, r.db.Rebind(`SELECT d.media_type, d.sha256, d.content
		FROM invoice_documents d JOIN invoices i ON i.seq = d.invoice_seq
		WHERE i.id = ? AND d.kind = ?`), invoiceID, string(kind)).Scan(&d.MediaType, &sum, &d.Content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("invoice: get document: %w", err)
	}
	if len(sum) != len(d.SHA256) {
		return nil, fmt.Errorf("invoice: stored document hash has %d bytes", len(sum))
	}
	copy(d.SHA256[:], sum)
	return &d, nil
}

func scanRecords(rows *sql.Rows) ([]Record, []int64, error) {
	defer rows.Close()
	var recs []Record
	var seqs []int64
	for rows.Next() {
		var (
			rec              Record
			seq              int64
			issue, due       string
			status, format   string
			docSum           []byte
			created, updated int64
		)
		err := rows.Scan(&seq, &rec.ID, &rec.SupplierID, &rec.SellerID, &rec.BuyerID, &rec.Number,
			&issue, &due, &rec.Currency, &rec.AmountMinor, &status, &format,
			&docSum, &rec.PDFSHA256, &rec.Fingerprint, &rec.TxID, &created, &updated)
		if err != nil {
			return nil, nil, fmt.Errorf("invoice: scan: %w", err)
		}
		if rec.IssueDate, err = time.Parse(DateLayout, issue); err != nil {
			return nil, nil, fmt.Errorf("invoice: stored issue date: %w", err)
		}
		if rec.DueDate, err = time.Parse(DateLayout, due); err != nil {
			return nil, nil, fmt.Errorf("invoice: stored due date: %w", err)
		}
		if len(docSum) != len(rec.DocumentSHA256) {
			return nil, nil, fmt.Errorf("invoice: stored document hash has %d bytes", len(docSum))
		}
		copy(rec.DocumentSHA256[:], docSum)
		rec.Status, rec.Format = Status(status), Format(format)
		rec.CreatedAt, rec.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
		recs = append(recs, rec)
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("invoice: scan: %w", err)
	}
	return recs, seqs, nil
}
