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
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/store"
)

// applyResult counts what one batch did.
type applyResult struct {
	applied, duplicates int
	rejected            []*MalformedEventError
	// valid are the batch's well-formed TierChain events in block order,
	// applied now or before: what the read model holds of the batch.
	valid []model.Event
}

// pending is one TierChain event of a batch, decoded and with its records,
// or malformed.
type pending struct {
	ev        fabricclient.Event
	e         model.Event
	recs      *records
	malformed *MalformedEventError
}

// apply writes a batch of events and the checkpoint after its last event
// in one SQL transaction.
func (ix *Indexer) apply(ctx context.Context, batch []fabricclient.Event) (applyResult, error) {
	return ix.applyBatch(ctx, batch, true)
}

// applyBatch writes a batch of events in one SQL transaction, and with
// advance the checkpoint after its last event. Events of other names only
// move the checkpoint; events already in the log are skipped; malformed
// ones are logged as rejected. A ledger or database error leaves the read
// model and the checkpoint as they were.
func (ix *Indexer) applyBatch(ctx context.Context, batch []fabricclient.Event, advance bool) (applyResult, error) {
	if len(batch) == 0 {
		return applyResult{}, nil
	}
	known, err := ix.knownTxs(ctx, batch)
	if err != nil {
		return applyResult{}, err
	}
	var items []pending
	var valid []model.Event
	seen := 0
	for _, ev := range batch {
		if ev.Name != model.EventName {
			continue
		}
		p := pending{ev: ev}
		e, err := decodeEvent(ev)
		if err != nil && !errors.As(err, &p.malformed) {
			return applyResult{}, err
		}
		if p.malformed == nil {
			valid = append(valid, e)
		}
		if known[ev.TxID] {
			seen++
			continue
		}
		p.e = e
		items = append(items, p)
	}
	if err := ix.fetchRecords(ctx, items); err != nil {
		return applyResult{}, err
	}
	last := batch[len(batch)-1]
	var res applyResult
	err = ix.db.InTx(ctx, func(tx *sql.Tx) error {
		res = applyResult{duplicates: seen, valid: valid} // InTx may run this again
		st := &stmts{ctx: ctx, tx: tx, db: ix.db}
		for _, p := range items {
			logged, err := logEvent(st, p)
			if err != nil {
				return err
			}
			switch {
			case !logged:
				res.duplicates++
			case p.malformed != nil:
				res.rejected = append(res.rejected, p.malformed)
			default:
				if err := write(st, p); err != nil {
					return fmt.Errorf("indexer: apply tx %s: %w", p.ev.TxID, err)
				}
				res.applied++
			}
		}
		if !advance {
			return nil
		}
		return ix.saveCheckpoint(ctx, tx, Checkpoint{Block: last.BlockNumber, TxID: last.TxID})
	})
	return res, err
}

// knownTxs returns which of the batch's transactions the events log holds.
func (ix *Indexer) knownTxs(ctx context.Context, batch []fabricclient.Event) (map[string]bool, error) {
	ids := make([]any, 0, len(batch))
	for _, ev := range batch {
		if ev.Name == model.EventName {
			ids = append(ids, ev.TxID)
		}
	}
	known := map[string]bool{}
	if len(ids) == 0 {
		return known, nil
	}
	q := `SELECT tx_id FROM indexer_events WHERE tx_id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
	rows, err := ix.db.SQL.QueryContext(ctx, ix.db.Rebind(q), ids...)
	if err != nil {
		return nil, fmt.Errorf("indexer: known events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		known[id] = true
	}
	return known, rows.Err()
}

// logEvent adds the event to the log, and reports false when the log
// already had its transaction (then nothing else is written).
func logEvent(st *stmts, p pending) (bool, error) {
	outcome, reason := "applied", ""
	if p.malformed != nil {
		outcome, reason = "rejected", p.malformed.Reason
	}
	payload := p.ev.Payload
	if payload == nil {
		payload = []byte{}
	}
	r, err := st.exec(`INSERT INTO indexer_events
		(tx_id, block_number, kind, actor, tx_time, outcome, reason, payload, indexed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tx_id) DO NOTHING`,
		p.ev.TxID, p.ev.BlockNumber, p.e.Kind, p.e.Actor, micros(p.e.Timestamp), outcome, reason, payload, time.Now().UnixMicro())
	if err != nil {
		return false, fmt.Errorf("indexer: log event %s: %w", p.ev.TxID, err)
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// write applies one event's changes: statuses, holders and amounts'
// commitments from the event, everything else from the ledger's records.
func write(st *stmts, p pending) error {
	e, block, at := p.e, p.ev.BlockNumber, micros(p.e.Timestamp)
	exec := func(query string, args ...any) error {
		_, err := st.exec(query, args...)
		return err
	}
	for _, c := range e.Enterprises {
		r := p.recs.enterprises[c.ID]
		if err := exec(upsertEnterprise, c.ID, r.rec.Name, c.Role, r.rec.MSPID, c.Status,
			micros(r.rec.RegisteredAt), at, e.TxID, block, string(r.json)); err != nil {
			return fmt.Errorf("enterprise %s: %w", c.ID, err)
		}
	}
	for _, c := range e.Invoices {
		r := p.recs.invoices[c.ID]
		if err := exec(upsertInvoice, c.ID, c.Supplier, c.Buyer, c.Status, micros(r.rec.DueDate), r.rec.UsedBy,
			micros(r.rec.RegisteredAt), at, e.TxID, block, string(r.json), r.rec.Currency); err != nil {
			return fmt.Errorf("invoice %s: %w", c.ID, err)
		}
	}
	for _, c := range e.CreditLines {
		r := p.recs.creditLines[creditLineKey{c.Core, c.Bank, c.Currency}]
		outstanding := c.Outstanding
		if outstanding == nil {
			outstanding = []byte{}
		}
		if err := exec(upsertCreditLine, c.Core, c.Bank, strconv.FormatUint(c.Limit, 10), micros(r.rec.Expiry), outstanding,
			clampInt64(r.rec.Issued), clampInt64(r.rec.Settled), micros(r.rec.GrantedAt), at, e.TxID, block, string(r.json),
			c.Currency); err != nil {
			return fmt.Errorf("credit line %s/%s/%s: %w", c.Core, c.Bank, c.Currency, err)
		}
	}
	for _, c := range e.Tokens {
		r := p.recs.tokens[c.ID]
		parents, err := json.Marshal(r.rec.Parents)
		if err != nil {
			return err
		}
		commitment := c.Commitment
		if commitment == nil {
			commitment = r.rec.Commitment
		}
		if commitment == nil {
			commitment = []byte{}
		}
		// The creating transaction's block is known when this is it; a
		// token first seen later (a read model started past its creation)
		// gets 0.
		var created uint64
		if r.rec.TxID == e.TxID {
			created = block
		}
		if err := exec(upsertToken, c.ID, c.Root, string(parents), r.rec.Tier, r.rec.Issuer, r.rec.Bank, c.Holder, c.Status,
			c.Bank, micros(r.rec.Maturity), commitment, micros(r.rec.CreatedAt), at, r.rec.TxID, created, e.TxID, block,
			string(r.json), r.rec.Currency); err != nil {
			return fmt.Errorf("token %s: %w", c.ID, err)
		}
	}
	return writeFinancing(st, p)
}

// writeFinancing keeps the financing requests: one row per request, from
// PENDING to the bank's or the holder's decision.
func writeFinancing(st *stmts, p pending) error {
	e, block, at := p.e, p.ev.BlockNumber, micros(p.e.Timestamp)
	var decided FinancingStatus
	switch e.Kind {
	case protocol.KindRequestFinancing, protocol.KindFinanceTerms, protocol.KindAcceptQuote:
		for _, c := range e.Tokens {
			if c.Status != model.TokenFinancing {
				continue
			}
			if _, err := st.exec(`INSERT INTO indexer_financing_requests
				(token_id, bank, requester, status, requested_at, decided_at, request_tx, request_block, decision_tx, decision_block)
				VALUES (?, ?, ?, 'PENDING', ?, 0, ?, ?, '', 0) ON CONFLICT (request_tx, token_id) DO NOTHING`,
				c.ID, c.Bank, e.Actor, at, e.TxID, block); err != nil {
				return fmt.Errorf("financing request %s: %w", c.ID, err)
			}
		}
		return nil
	case protocol.KindApproveFinancing:
		decided = FinancingApproved
	case protocol.KindRejectFinancing:
		decided = FinancingRejected
	case protocol.KindCancelFinancing:
		decided = FinancingCancelled
	default:
		return nil
	}
	for _, c := range e.Tokens {
		if _, err := st.exec(`UPDATE indexer_financing_requests
			SET status = ?, decided_at = ?, decision_tx = ?, decision_block = ?
			WHERE token_id = ? AND status = 'PENDING'`, decided, at, e.TxID, block, c.ID); err != nil {
			return fmt.Errorf("financing decision %s: %w", c.ID, err)
		}
	}
	return nil
}

// stmts runs one batch's statements in its SQL transaction, each through
// the statement the store keeps prepared for its text (store.DB.Exec).
type stmts struct {
	ctx context.Context
	tx  *sql.Tx
	db  *store.DB
}

func (s *stmts) exec(query string, args ...any) (sql.Result, error) {
	return s.db.Exec(s.ctx, s.tx, query, args...)
}

const upsertEnterprise = `INSERT INTO indexer_enterprises
	(id, name, role, msp_id, status, registered_at, updated_at, tx_id, block_number, record)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, msp_id = excluded.msp_id,
	status = excluded.status, registered_at = excluded.registered_at, updated_at = excluded.updated_at,
	tx_id = excluded.tx_id, block_number = excluded.block_number, record = excluded.record`

const upsertInvoice = `INSERT INTO indexer_invoices
	(id, supplier, buyer, status, due_date, used_by, registered_at, updated_at, tx_id, block_number, record, currency)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET supplier = excluded.supplier, buyer = excluded.buyer, status = excluded.status,
	due_date = excluded.due_date, used_by = excluded.used_by, registered_at = excluded.registered_at,
	updated_at = excluded.updated_at, tx_id = excluded.tx_id, block_number = excluded.block_number, record = excluded.record,
	currency = excluded.currency`

const upsertCreditLine = `INSERT INTO indexer_credit_lines
	(core, bank, credit_limit, expiry, outstanding, issued, settled, granted_at, updated_at, tx_id, block_number, record, currency)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (core, bank, currency) DO UPDATE SET credit_limit = excluded.credit_limit, expiry = excluded.expiry,
	outstanding = excluded.outstanding, issued = excluded.issued, settled = excluded.settled,
	granted_at = excluded.granted_at, updated_at = excluded.updated_at, tx_id = excluded.tx_id,
	block_number = excluded.block_number, record = excluded.record`

// upsertToken keeps tx_id and block_number, the creating transaction, on
// update; last_tx_id and last_block follow every change.
const upsertToken = `INSERT INTO indexer_tokens
	(id, root, parents, tier, issuer, bank, holder, status, financing_bank, maturity, commitment,
	 created_at, updated_at, tx_id, block_number, last_tx_id, last_block, record, currency)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET root = excluded.root, parents = excluded.parents, tier = excluded.tier,
	issuer = excluded.issuer, bank = excluded.bank, holder = excluded.holder, status = excluded.status,
	financing_bank = excluded.financing_bank, maturity = excluded.maturity, updated_at = excluded.updated_at,
	last_tx_id = excluded.last_tx_id, last_block = excluded.last_block, record = excluded.record, currency = excluded.currency`

// micros is a time as stored: Unix microseconds, 0 for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros, in UTC.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func clampInt64(v uint64) int64 {
	return int64(min(v, 1<<63-1))
}
