package indexer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

// Listing bounds, as the chaincode's (model.DefaultPageSize, MaxPageSize).
const (
	DefaultPageSize = model.DefaultPageSize
	MaxPageSize     = model.MaxPageSize
)

// Page is one page of a listing, newest first. Next is the cursor of the
// following page, "" on the last. Pages are keyset pages: stable while new
// rows arrive.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface{ Scan(dest ...any) error }

// where collects a listing's conditions.
type where struct {
	conds []string
	args  []any
}

// eq adds column = v when v is not empty.
func (w *where) eq(column, v string) {
	if v != "" {
		w.add(column+" = ?", v)
	}
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// match is the one condition of a single-row lookup.
func match(cond string, args ...any) where {
	return where{conds: []string{cond}, args: args}
}

// microsCol scans a column of Unix microseconds into a time (zero for 0).
type microsCol struct{ t *time.Time }

func (m microsCol) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("indexer: a time column holds %T", src)
	}
	*m.t = fromMicros(v)
	return nil
}

// rawJSON scans a TEXT column holding a ledger record.
type rawJSON struct{ m *json.RawMessage }

func (j rawJSON) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*j.m = json.RawMessage(v)
	case []byte:
		*j.m = append(json.RawMessage(nil), v...)
	default:
		return fmt.Errorf("indexer: a record column holds %T", src)
	}
	return nil
}

// list runs one keyset page of SELECT seq, columns FROM table WHERE w,
// newest first; scan reads the columns after seq.
func list[T any](ctx context.Context, ix *Indexer, table, columns string, w where, cursor string, limit int,
	scan func(rowScanner, *int64) (T, error)) (Page[T], error) {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	if cursor != "" {
		seq, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || seq <= 0 || strconv.FormatInt(seq, 10) != cursor {
			return Page[T]{}, ErrBadCursor
		}
		w.add("seq < ?", seq)
	}
	q := `SELECT seq, ` + columns + ` FROM ` + table
	if len(w.conds) > 0 {
		q += ` WHERE ` + strings.Join(w.conds, ` AND `)
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	rows, err := ix.db.SQL.QueryContext(ctx, ix.db.Rebind(q), append(w.args, limit+1)...)
	if err != nil {
		return Page[T]{}, fmt.Errorf("indexer: list %s: %w", table, err)
	}
	defer rows.Close()
	var page Page[T]
	var seqs []int64
	for rows.Next() {
		var seq int64
		item, err := scan(rows, &seq)
		if err != nil {
			return Page[T]{}, fmt.Errorf("indexer: list %s: %w", table, err)
		}
		page.Items = append(page.Items, item)
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return Page[T]{}, fmt.Errorf("indexer: list %s: %w", table, err)
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.Next = strconv.FormatInt(seqs[limit-1], 10)
	}
	return page, nil
}

// one reads the single row of table matching w.
func one[T any](ctx context.Context, ix *Indexer, table, columns string, w where, scan func(rowScanner, *int64) (T, error)) (T, error) {
	q := `SELECT seq, ` + columns + ` FROM ` + table + ` WHERE ` + strings.Join(w.conds, ` AND `)
	var seq int64
	item, err := scan(ix.db.SQL.QueryRowContext(ctx, ix.db.Rebind(q), w.args...), &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return item, ErrNotFound
	}
	if err != nil {
		return item, fmt.Errorf("indexer: get from %s: %w", table, err)
	}
	return item, nil
}

// Token is a token of the read model.
type Token struct {
	ID      string   `json:"id"`
	Root    string   `json:"root"`
	Parents []string `json:"parents,omitempty"`
	Tier    int      `json:"tier"`
	Issuer  string   `json:"issuer"` // the core enterprise (debtor)
	Bank    string   `json:"bank"`   // the credit line's bank
	Holder  string   `json:"holder"`
	// Currency is the amount's ISO 4217 code ("" for a legacy token).
	Currency string `json:"currency"`
	// Status is the effective status at the query's time (OVERDUE when
	// unpaid past maturity), LedgerStatus the stored one.
	Status        model.TokenStatus `json:"status"`
	LedgerStatus  model.TokenStatus `json:"ledgerStatus"`
	FinancingBank string            `json:"financingBank,omitempty"` // the bank of a pending or approved financing
	Maturity      time.Time         `json:"maturity"`
	Commitment    []byte            `json:"commitment"`
	CreatedAt     time.Time         `json:"createdAt"`
	UpdatedAt     time.Time         `json:"updatedAt"`
	TxID          string            `json:"txId"`        // the creating transaction
	BlockNumber   uint64            `json:"blockNumber"` // its block (0 if before the read model's start)
	LastTxID      string            `json:"lastTxId"`    // the latest transaction that changed it
	LastBlock     uint64            `json:"lastBlock"`
	// Record is the ledger's model.Token (stored status), envelopes,
	// handle, financing and payment included.
	Record json.RawMessage `json:"record"`
}

// TokenQuery selects tokens; set fields are ANDed, empty ones match all.
type TokenQuery struct {
	Holder, Issuer, Root, Bank, Currency string
	// Status is a stored status or OVERDUE, compared as the effective
	// status at Now: ACTIVE excludes overdue tokens, OVERDUE is any unpaid
	// (ACTIVE, FINANCING, FINANCED) token whose maturity is before Now.
	Status model.TokenStatus
	Now    time.Time // when OVERDUE is judged; time.Now() if zero
	Cursor string
	Limit  int
}

const tokenColumns = `id, root, parents, tier, issuer, bank, holder, status, financing_bank, maturity, commitment,
	created_at, updated_at, tx_id, block_number, last_tx_id, last_block, record, currency`

// unpaidStatuses are the stored statuses that can become OVERDUE.
const unpaidStatuses = `('ACTIVE', 'FINANCING', 'FINANCED')`

// Tokens lists tokens, newest first.
func (ix *Indexer) Tokens(ctx context.Context, q TokenQuery) (Page[Token], error) {
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	var w where
	w.eq("holder", q.Holder)
	w.eq("issuer", q.Issuer)
	w.eq("root", q.Root)
	w.eq("bank", q.Bank)
	w.eq("currency", q.Currency)
	switch {
	case q.Status == "":
	case q.Status == model.TokenOverdue:
		w.add("status IN "+unpaidStatuses+" AND maturity < ?", now.UnixMicro())
	case q.Status.Unpaid():
		w.add("status = ? AND maturity >= ?", q.Status, now.UnixMicro())
	default:
		w.add("status = ?", q.Status)
	}
	return list(ctx, ix, "indexer_tokens", tokenColumns, w, q.Cursor, q.Limit, tokenScanner(now))
}

// Token returns one token, its status judged at now (time.Now() if zero).
func (ix *Indexer) Token(ctx context.Context, id string, now time.Time) (Token, error) {
	if now.IsZero() {
		now = time.Now()
	}
	return one(ctx, ix, "indexer_tokens", tokenColumns, match("id = ?", id), tokenScanner(now))
}

func tokenScanner(now time.Time) func(rowScanner, *int64) (Token, error) {
	return func(r rowScanner, seq *int64) (Token, error) {
		var t Token
		var parents string
		if err := r.Scan(seq, &t.ID, &t.Root, &parents, &t.Tier, &t.Issuer, &t.Bank, &t.Holder, &t.LedgerStatus,
			&t.FinancingBank, microsCol{&t.Maturity}, &t.Commitment, microsCol{&t.CreatedAt}, microsCol{&t.UpdatedAt}, &t.TxID,
			&t.BlockNumber, &t.LastTxID, &t.LastBlock, rawJSON{&t.Record}, &t.Currency); err != nil {
			return t, err
		}
		if err := json.Unmarshal([]byte(parents), &t.Parents); err != nil {
			return t, fmt.Errorf("token %s parents: %w", t.ID, err)
		}
		t.Status = t.LedgerStatus
		if t.LedgerStatus.Unpaid() && now.After(t.Maturity) {
			t.Status = model.TokenOverdue
		}
		return t, nil
	}
}

// FinancingStatus is where a financing request stands.
type FinancingStatus string

// Financing request statuses.
const (
	FinancingPending   FinancingStatus = "PENDING"
	FinancingApproved  FinancingStatus = "APPROVED"
	FinancingRejected  FinancingStatus = "REJECTED"  // by the bank
	FinancingCancelled FinancingStatus = "CANCELLED" // by the holder
)

// FinancingRequest is one request of a token's holder to a bank. The
// amount is the token's, disclosed to the bank in the token record's
// financing envelope.
type FinancingRequest struct {
	Token         string          `json:"token"`
	Bank          string          `json:"bank"`
	Requester     string          `json:"requester"`
	Status        FinancingStatus `json:"status"`
	RequestedAt   time.Time       `json:"requestedAt"`
	DecidedAt     time.Time       `json:"decidedAt,omitzero"`
	RequestTxID   string          `json:"requestTxId"`
	RequestBlock  uint64          `json:"requestBlock"`
	DecisionTxID  string          `json:"decisionTxId,omitempty"`
	DecisionBlock uint64          `json:"decisionBlock,omitempty"`
}

// FinancingQuery selects financing requests; set fields are ANDed.
type FinancingQuery struct {
	Bank, Token, Requester string
	Status                 FinancingStatus
	Cursor                 string
	Limit                  int
}

// FinancingRequests lists financing requests, newest first.
func (ix *Indexer) FinancingRequests(ctx context.Context, q FinancingQuery) (Page[FinancingRequest], error) {
	var w where
	w.eq("bank", q.Bank)
	w.eq("token_id", q.Token)
	w.eq("requester", q.Requester)
	w.eq("status", string(q.Status))
	return list(ctx, ix, "indexer_financing_requests",
		`token_id, bank, requester, status, requested_at, decided_at, request_tx, request_block, decision_tx, decision_block`,
		w, q.Cursor, q.Limit, func(r rowScanner, seq *int64) (FinancingRequest, error) {
			var f FinancingRequest
			err := r.Scan(seq, &f.Token, &f.Bank, &f.Requester, &f.Status, microsCol{&f.RequestedAt}, microsCol{&f.DecidedAt},
				&f.RequestTxID, &f.RequestBlock, &f.DecisionTxID, &f.DecisionBlock)
			return f, err
		})
}

// Invoice is an invoice of the read model (its amount is a commitment in
// Record, opened by the buyer's and the regulator's envelopes).
type Invoice struct {
	ID           string              `json:"id"` // the hex OPRF fingerprint
	Supplier     string              `json:"supplier"`
	Buyer        string              `json:"buyer"`
	Status       model.InvoiceStatus `json:"status"`
	Currency     string              `json:"currency"` // ISO 4217 ("" for a legacy invoice)
	DueDate      time.Time           `json:"dueDate"`
	UsedBy       string              `json:"usedBy,omitempty"` // the root token it backs
	RegisteredAt time.Time           `json:"registeredAt"`
	UpdatedAt    time.Time           `json:"updatedAt"`
	TxID         string              `json:"txId"` // the latest transaction that changed it
	BlockNumber  uint64              `json:"blockNumber"`
	Record       json.RawMessage     `json:"record"` // the ledger's model.Invoice
}

// InvoiceQuery selects invoices; set fields are ANDed.
type InvoiceQuery struct {
	Supplier, Buyer string
	Currency        string
	Status          model.InvoiceStatus
	Cursor          string
	Limit           int
}

const invoiceColumns = `id, supplier, buyer, status, due_date, used_by, registered_at, updated_at, tx_id, block_number, record, currency`

// Invoices lists invoices, newest first.
func (ix *Indexer) Invoices(ctx context.Context, q InvoiceQuery) (Page[Invoice], error) {
	var w where
	w.eq("supplier", q.Supplier)
	w.eq("buyer", q.Buyer)
	w.eq("status", string(q.Status))
	w.eq("currency", q.Currency)
	return list(ctx, ix, "indexer_invoices", invoiceColumns, w, q.Cursor, q.Limit, scanInvoice)
}

// Invoice returns one invoice by its hex fingerprint.
func (ix *Indexer) Invoice(ctx context.Context, id string) (Invoice, error) {
	return one(ctx, ix, "indexer_invoices", invoiceColumns, match("id = ?", id), scanInvoice)
}

func scanInvoice(r rowScanner, seq *int64) (Invoice, error) {
	var i Invoice
	err := r.Scan(seq, &i.ID, &i.Supplier, &i.Buyer, &i.Status, microsCol{&i.DueDate}, &i.UsedBy, microsCol{&i.RegisteredAt},
		microsCol{&i.UpdatedAt}, &i.TxID, &i.BlockNumber, rawJSON{&i.Record}, &i.Currency)
	return i, err
}

// CreditLine is a bank's credit line for a core enterprise in one
// currency. Outstanding is the commitment to the sum of the core's
// unsettled receivables on it.
type CreditLine struct {
	Core        string          `json:"core"`
	Bank        string          `json:"bank"`
	Currency    string          `json:"currency"` // ISO 4217 ("" for a legacy line)
	Limit       uint64          `json:"limit"`
	Expiry      time.Time       `json:"expiry"`
	Outstanding []byte          `json:"outstanding"`
	Issued      uint64          `json:"issued"`  // receivables issued against it
	Settled     uint64          `json:"settled"` // of which fully settled
	GrantedAt   time.Time       `json:"grantedAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
	TxID        string          `json:"txId"` // the latest transaction that changed it
	BlockNumber uint64          `json:"blockNumber"`
	Record      json.RawMessage `json:"record"` // the ledger's model.CreditLine
}

// CreditLineQuery selects credit lines; set fields are ANDed.
type CreditLineQuery struct {
	Core, Bank, Currency string
	Cursor               string
	Limit                int
}

const creditLineColumns = `core, bank, credit_limit, expiry, outstanding, issued, settled, granted_at, updated_at, tx_id, block_number, record, currency`

// CreditLines lists credit lines, newest first.
func (ix *Indexer) CreditLines(ctx context.Context, q CreditLineQuery) (Page[CreditLine], error) {
	var w where
	w.eq("core", q.Core)
	w.eq("bank", q.Bank)
	w.eq("currency", q.Currency)
	return list(ctx, ix, "indexer_credit_lines", creditLineColumns, w, q.Cursor, q.Limit, scanCreditLine)
}

// CreditLine returns a bank's credit line for a core enterprise in
// currency ("" for a legacy line).
func (ix *Indexer) CreditLine(ctx context.Context, core, bank, currency string) (CreditLine, error) {
	return one(ctx, ix, "indexer_credit_lines", creditLineColumns,
		match("core = ? AND bank = ? AND currency = ?", core, bank, currency), scanCreditLine)
}

func scanCreditLine(r rowScanner, seq *int64) (CreditLine, error) {
	var c CreditLine
	var limit string
	var issued, settled int64
	if err := r.Scan(seq, &c.Core, &c.Bank, &limit, microsCol{&c.Expiry}, &c.Outstanding, &issued, &settled,
		microsCol{&c.GrantedAt}, microsCol{&c.UpdatedAt}, &c.TxID, &c.BlockNumber, rawJSON{&c.Record}, &c.Currency); err != nil {
		return c, err
	}
	var err error
	if c.Limit, err = strconv.ParseUint(limit, 10, 64); err != nil {
		return c, fmt.Errorf("credit line %s/%s limit: %w", c.Core, c.Bank, err)
	}
	c.Issued, c.Settled = uint64(issued), uint64(settled)
	return c, nil
}

// Enterprise is a registered enterprise (keys and certificate hash in
// Record).
type Enterprise struct {
	ID           string                 `json:"id"`
	Name         string                 `json:"name"`
	Role         model.Role             `json:"role"`
	MSPID        string                 `json:"mspId"`
	Status       model.EnterpriseStatus `json:"status"`
	RegisteredAt time.Time              `json:"registeredAt"`
	UpdatedAt    time.Time              `json:"updatedAt"`
	TxID         string                 `json:"txId"` // the latest transaction that changed it
	BlockNumber  uint64                 `json:"blockNumber"`
	Record       json.RawMessage        `json:"record"` // the ledger's model.Enterprise
}

// EnterpriseQuery selects enterprises; set fields are ANDed.
type EnterpriseQuery struct {
	Role   model.Role
	Status model.EnterpriseStatus
	Cursor string
	Limit  int
}

const enterpriseColumns = `id, name, role, msp_id, status, registered_at, updated_at, tx_id, block_number, record`

// Enterprises lists enterprises, newest first.
func (ix *Indexer) Enterprises(ctx context.Context, q EnterpriseQuery) (Page[Enterprise], error) {
	var w where
	w.eq("role", string(q.Role))
	w.eq("status", string(q.Status))
	return list(ctx, ix, "indexer_enterprises", enterpriseColumns, w, q.Cursor, q.Limit, scanEnterprise)
}

// Enterprise returns one enterprise.
func (ix *Indexer) Enterprise(ctx context.Context, id string) (Enterprise, error) {
	return one(ctx, ix, "indexer_enterprises", enterpriseColumns, match("id = ?", id), scanEnterprise)
}

func scanEnterprise(r rowScanner, seq *int64) (Enterprise, error) {
	var e Enterprise
	err := r.Scan(seq, &e.ID, &e.Name, &e.Role, &e.MSPID, &e.Status, microsCol{&e.RegisteredAt}, microsCol{&e.UpdatedAt},
		&e.TxID, &e.BlockNumber, rawJSON{&e.Record})
	return e, err
}

// Outcome is what the indexer did with a transaction's event.
type Outcome string

// Outcomes.
const (
	Applied  Outcome = "applied"
	Rejected Outcome = "rejected" // malformed: recorded, not applied
)

// Event is one transaction of the events log.
type Event struct {
	TxID        string    `json:"txId"`
	BlockNumber uint64    `json:"blockNumber"`
	Kind        string    `json:"kind"`  // "" when rejected undecoded
	Actor       string    `json:"actor"` // ditto
	Timestamp   time.Time `json:"timestamp,omitzero"`
	Outcome     Outcome   `json:"outcome"`
	Reason      string    `json:"reason,omitempty"` // why it was rejected
	// Payload is the chaincode event as received (a model.Event when
	// applied; any bytes when rejected).
	Payload   []byte    `json:"payload"`
	IndexedAt time.Time `json:"indexedAt"`
}

// EventQuery selects events of the log; set fields are ANDed.
type EventQuery struct {
	Kind, Actor string
	Outcome     Outcome
	Cursor      string
	Limit       int
}

// Events lists the events log, newest first.
func (ix *Indexer) Events(ctx context.Context, q EventQuery) (Page[Event], error) {
	var w where
	w.eq("kind", q.Kind)
	w.eq("actor", q.Actor)
	w.eq("outcome", string(q.Outcome))
	return list(ctx, ix, "indexer_events", `tx_id, block_number, kind, actor, tx_time, outcome, reason, payload, indexed_at`,
		w, q.Cursor, q.Limit, func(r rowScanner, seq *int64) (Event, error) {
			var e Event
			err := r.Scan(seq, &e.TxID, &e.BlockNumber, &e.Kind, &e.Actor, microsCol{&e.Timestamp}, &e.Outcome, &e.Reason,
				&e.Payload, microsCol{&e.IndexedAt})
			return e, err
		})
}
