package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

// records are the full ledger records of the changes of one event.
type records struct {
	enterprises map[string]fetched[model.Enterprise]
	invoices    map[string]fetched[model.Invoice]
	creditLines map[[2]string]fetched[model.CreditLine]
	tokens      map[string]fetched[model.Token]
}

// fetched is a record and the JSON the read model keeps of it.
type fetched[T any] struct {
	rec  T
	json []byte
}

// fetchRecords reads from the ledger every record an event changed. It
// runs before the SQL transaction (which may be retried and must have no
// effect outside the database).
//
// A Fabric peer delivers a block's events once the block is in its block
// store, which can be a moment before the block's writes reach its state
// database: a query then answers NOT_FOUND for a record the event created,
// or the record as it was before the event. fetchRecord waits for that,
// up to Options.StaleWait. Records read while catching up on old events
// are newer than the events; the columns follow the events, the JSON is
// the newest the ledger had.
func (ix *Indexer) fetchRecords(ctx context.Context, e model.Event) (*records, error) {
	r := &records{
		enterprises: map[string]fetched[model.Enterprise]{},
		invoices:    map[string]fetched[model.Invoice]{},
		creditLines: map[[2]string]fetched[model.CreditLine]{},
		tokens:      map[string]fetched[model.Token]{},
	}
	at := e.Timestamp
	for _, c := range e.Enterprises {
		if err := fetchInto(ctx, ix, at, r.enterprises, c.ID, enterpriseUpdated, "GetEnterprise", c.ID); err != nil {
			return nil, err
		}
	}
	for _, c := range e.Invoices {
		if err := fetchInto(ctx, ix, at, r.invoices, c.ID, invoiceUpdated, "GetInvoice", c.ID); err != nil {
			return nil, err
		}
	}
	for _, c := range e.CreditLines {
		key := [2]string{c.Core, c.Bank}
		if err := fetchInto(ctx, ix, at, r.creditLines, key, creditLineUpdated, "GetCreditLine", c.Core, c.Bank); err != nil {
			return nil, err
		}
	}
	for _, c := range e.Tokens {
		if _, ok := r.tokens[c.ID]; ok {
			continue
		}
		// GetToken answers a view: the status as seen at the query's time
		// (OVERDUE derived) and the stored one apart.
		view, err := fetchRecord(ctx, ix, at, tokenUpdated, "GetToken", c.ID)
		if err != nil {
			return nil, err
		}
		tok := view.rec.Token
		if view.rec.LedgerStatus != "" {
			tok.Status = view.rec.LedgerStatus
		}
		b, err := json.Marshal(tok)
		if err != nil {
			return nil, fmt.Errorf("indexer: encode token %s: %w", c.ID, err)
		}
		r.tokens[c.ID] = fetched[model.Token]{rec: tok, json: b}
	}
	return r, nil
}

func enterpriseUpdated(x *model.Enterprise) time.Time { return x.UpdatedAt }
func invoiceUpdated(x *model.Invoice) time.Time       { return x.UpdatedAt }
func creditLineUpdated(x *model.CreditLine) time.Time { return x.UpdatedAt }
func tokenUpdated(x *model.TokenView) time.Time       { return x.UpdatedAt }

// fetchInto fetches the record named by key into m, once per event.
func fetchInto[K comparable, T any](ctx context.Context, ix *Indexer, at time.Time, m map[K]fetched[T], key K,
	updated func(*T) time.Time, fn string, args ...string) error {
	if _, ok := m[key]; ok {
		return nil
	}
	rec, err := fetchRecord(ctx, ix, at, updated, fn, args...)
	if err != nil {
		return err
	}
	m[key] = rec
	return nil
}

// Stale-record polling: from staleFirstPause, doubling up to staleMaxPause.
const (
	staleFirstPause = 10 * time.Millisecond
	staleMaxPause   = 200 * time.Millisecond
)

// fetchRecord evaluates fn(args) and decodes the record, waiting while the
// ledger does not have it yet (NOT_FOUND) or has it older than at (its
// UpdatedAt before the event's timestamp). After Options.StaleWait a
// missing record is an error (the batch fails and is retried from the
// checkpoint: an event's record must exist), and an older one is taken:
// transaction timestamps come from the submitters' clocks, so a later
// transaction can carry an earlier time.
func fetchRecord[T any](ctx context.Context, ix *Indexer, at time.Time, updated func(*T) time.Time, fn string, args ...string) (fetched[T], error) {
	deadline := time.Now().Add(ix.opts.StaleWait)
	pause := staleFirstPause
	for {
		var out fetched[T]
		b, err := ix.ledger.Evaluate(ctx, Contract, fn, args...)
		stale := false
		switch {
		case isNotFound(err):
			stale = true
		case err != nil:
			return out, fmt.Errorf("indexer: %s %v: %w", fn, args, err)
		default:
			if err := json.Unmarshal(b, &out.rec); err != nil {
				return out, fmt.Errorf("indexer: %s %v: undecodable record: %w", fn, args, err)
			}
			if out.json, err = json.Marshal(&out.rec); err != nil {
				return out, fmt.Errorf("indexer: %s %v: %w", fn, args, err)
			}
			stale = updated(&out.rec).Before(at)
		}
		if !stale {
			return out, nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return out, fmt.Errorf("indexer: %s %v: the ledger lacks the record its event changed: %w", fn, args, err)
			}
			return out, nil
		}
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, staleMaxPause)
	}
}

// isNotFound reports a chaincode NOT_FOUND, typed by fabricclient or not.
func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var ce *fabricclient.ChaincodeError
	if errors.As(err, &ce) {
		return ce.Code == string(model.CodeNotFound)
	}
	return errors.Is(err, model.ErrNotFound)
}
