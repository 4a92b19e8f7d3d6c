package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

// records are the full ledger records of the changes of one event. The
// maps are complete before any fetch starts; each fetch fills its own
// entry, so the fetches of a batch run concurrently.
type records struct {
	enterprises map[string]*fetched[model.Enterprise]
	invoices    map[string]*fetched[model.Invoice]
	creditLines map[creditLineKey]*fetched[model.CreditLine]
	tokens      map[string]*fetched[model.Token]
}

// fetched is a record and the JSON the read model keeps of it.
type fetched[T any] struct {
	rec  T
	json []byte
}

// fetchJob reads one record into its entry.
type fetchJob func(ctx context.Context) error

// fetchRecords reads from the ledger every record the batch's events
// changed, Options.Fetchers at a time. It runs before the SQL transaction
// (which may be retried and must have no effect outside the database).
//
// A Fabric peer delivers a block's events once the block is in its block
// store, which can be a moment before the block's writes reach its state
// database: a query then answers NOT_FOUND for a record the event created,
// or the record as it was before the event. fetchRecord waits for that,
// up to Options.StaleWait. Records read while catching up on old events
// are newer than the events; the columns follow the events, the JSON is
// the newest the ledger had.
func (ix *Indexer) fetchRecords(ctx context.Context, items []pending) error {
	var jobs []fetchJob
	tokens := newTokenBatch()
	for i := range items {
		if items[i].malformed != nil {
			continue
		}
		recs, js := ix.fetchJobs(items[i].e, tokens)
		items[i].recs = recs
		jobs = append(jobs, js...)
	}
	return runJobs(ctx, ix.opts.Fetchers, append(jobs, tokens.jobs(ix)...))
}

// fetchJobs lays out one event's records and the jobs that fetch them;
// its tokens go into the batch's tokens, which fetches them together.
func (ix *Indexer) fetchJobs(e model.Event, tokens *tokenBatch) (*records, []fetchJob) {
	r := &records{
		enterprises: map[string]*fetched[model.Enterprise]{},
		invoices:    map[string]*fetched[model.Invoice]{},
		creditLines: map[creditLineKey]*fetched[model.CreditLine]{},
		tokens:      map[string]*fetched[model.Token]{},
	}
	at := e.Timestamp
	var jobs []fetchJob
	for _, c := range e.Enterprises {
		jobs = addJob(jobs, ix, at, r.enterprises, c.ID, enterpriseUpdated, "GetEnterprise", c.ID)
	}
	for _, c := range e.Invoices {
		jobs = addJob(jobs, ix, at, r.invoices, c.ID, invoiceUpdated, "GetInvoice", c.ID)
	}
	for _, c := range e.CreditLines {
		// A line is per (core, bank, currency); "" reads a legacy line.
		jobs = addJob(jobs, ix, at, r.creditLines, creditLineKey{c.Core, c.Bank, c.Currency}, creditLineUpdated,
			"GetCreditLine", c.Core, c.Bank, c.Currency)
	}
	for _, c := range e.Tokens {
		if _, ok := r.tokens[c.ID]; !ok {
			r.tokens[c.ID] = tokens.add(c.ID, at)
		}
	}
	return r, jobs
}

func enterpriseUpdated(x *model.Enterprise) time.Time { return x.UpdatedAt }
func invoiceUpdated(x *model.Invoice) time.Time       { return x.UpdatedAt }

// creditLineKey names a credit line: core, bank, currency.
type creditLineKey [3]string

func creditLineUpdated(x *model.CreditLine) time.Time { return x.UpdatedAt }
func tokenUpdated(x *model.TokenView) time.Time       { return x.UpdatedAt }

// tokenRecord is the record the read model keeps of a token's view: the
// token with its stored status (GetToken answers the status as seen at the
// query's time, OVERDUE derived, and the stored one apart).
func tokenRecord(view *model.TokenView) (fetched[model.Token], error) {
	out := fetched[model.Token]{rec: view.Token}
	if view.LedgerStatus != "" {
		out.rec.Status = view.LedgerStatus
	}
	var err error
	if out.json, err = json.Marshal(out.rec); err != nil {
		return out, fmt.Errorf("indexer: encode token %s: %w", out.rec.ID, err)
	}
	return out, nil
}

// addJob adds the entry for key to m, once per event, and the job that
// fetches it.
func addJob[K comparable, T any](jobs []fetchJob, ix *Indexer, at time.Time, m map[K]*fetched[T], key K,
	updated func(*T) time.Time, fn string, args ...string) []fetchJob {
	if _, ok := m[key]; ok {
		return jobs
	}
	out := &fetched[T]{}
	m[key] = out
	return append(jobs, func(ctx context.Context) error {
		rec, err := fetchRecord(ctx, ix, at, updated, fn, args...)
		*out = rec
		return err
	})
}

// runJobs runs the jobs, at most n at a time, and returns the first error
// (which cancels the others).
func runJobs(ctx context.Context, n int, jobs []fetchJob) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, max(n, 1))
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for _, job := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := job(ctx); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
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
