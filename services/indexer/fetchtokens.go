package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

// tokenBatch is every token a batch's events name, fetched together:
// GetTokens reads up to rules.MaxTokensPerQuery of them in one evaluation
// (one peer ↔ chaincode round trip and one authorization), where GetToken
// took one each. A token several events name is read once, and must be at
// least as new as the latest of them; the record is the newest the ledger
// has either way (fetch.go), so every event gets the same one.
type tokenBatch struct {
	ids []string // first-named first
	out map[string]*fetched[model.Token]
	at  map[string]time.Time
}

func newTokenBatch() *tokenBatch {
	return &tokenBatch{out: map[string]*fetched[model.Token]{}, at: map[string]time.Time{}}
}

// add names token id in an event of time at and returns its entry.
func (b *tokenBatch) add(id string, at time.Time) *fetched[model.Token] {
	out, ok := b.out[id]
	if !ok {
		out = &fetched[model.Token]{}
		b.out[id] = out
		b.ids = append(b.ids, id)
	}
	if at.After(b.at[id]) {
		b.at[id] = at
	}
	return out
}

// jobs fetch the batch's tokens, rules.MaxTokensPerQuery to a job.
func (b *tokenBatch) jobs(ix *Indexer) []fetchJob {
	var jobs []fetchJob
	for ids := range slices.Chunk(b.ids, rules.MaxTokensPerQuery) {
		jobs = append(jobs, func(ctx context.Context) error { return ix.fetchTokens(ctx, ids, b) })
	}
	return jobs
}

// fetchTokens reads ids into b with GetTokens, waiting as fetchRecord
// does for the ones the ledger does not have yet (NOT_FOUND) or has older
// than their events; each is asked for again alone of the rest. A
// chaincode whose metadata lists no GetTokens (older than it) is read
// token by token with GetToken (caps.go).
func (ix *Indexer) fetchTokens(ctx context.Context, ids []string, b *tokenBatch) error {
	caps, err := ix.capabilities(ctx, nil)
	if err == nil && !caps.getTokens {
		// An upgrade may have added GetTokens since.
		caps, err = ix.capabilities(ctx, olderThan(ix.caps.recheckAfter()))
	}
	if err != nil {
		return err
	}
	if !caps.getTokens {
		return ix.fetchTokensOneByOne(ctx, ids, b)
	}
	deadline := time.Now().Add(ix.opts.StaleWait)
	pause := staleFirstPause
	for {
		arg, err := json.Marshal(ids)
		if err != nil {
			return fmt.Errorf("indexer: GetTokens %v: %w", ids, err)
		}
		raw, err := ix.ledger.Evaluate(ctx, Contract, "GetTokens", string(arg))
		if untypedChaincodeError(err) {
			// No stable code: the chaincode may have lost GetTokens (a
			// downgrade) since its metadata was read; ask it again.
			now, cerr := ix.capabilities(ctx, answer(caps.gen))
			if cerr == nil && !now.getTokens {
				return ix.fetchTokensOneByOne(ctx, ids, b)
			}
		}
		if err != nil {
			return fmt.Errorf("indexer: GetTokens %v: %w", ids, err)
		}
		results, err := decodeTokenResults(raw, ids)
		if err != nil {
			return err
		}
		var again []string
		var missing error
		for i := range results {
			r := &results[i]
			switch {
			case r.Code == model.CodeNotFound:
				again, missing = append(again, r.ID), tokenError(r)
			case r.Code != "":
				return fmt.Errorf("indexer: GetToken %s: %w", r.ID, tokenError(r))
			default:
				rec, err := tokenRecord(r.Token)
				if err != nil {
					return err
				}
				*b.out[r.ID] = rec
				if tokenUpdated(r.Token).Before(b.at[r.ID]) {
					again = append(again, r.ID)
				}
			}
		}
		if len(again) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			if missing != nil {
				return fmt.Errorf("indexer: GetTokens %v: the ledger lacks a record its event changed: %w", again, missing)
			}
			return nil // older than the events: taken as it is (fetchRecord)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, staleMaxPause)
		ids = again
	}
}

// fetchTokensOneByOne reads ids with one GetToken each.
func (ix *Indexer) fetchTokensOneByOne(ctx context.Context, ids []string, b *tokenBatch) error {
	jobs := make([]fetchJob, len(ids))
	for i, id := range ids {
		jobs[i] = func(ctx context.Context) error {
			view, err := fetchRecord(ctx, ix, b.at[id], tokenUpdated, "GetToken", id)
			if err != nil {
				return err
			}
			rec, err := tokenRecord(&view.rec)
			*b.out[id] = rec
			return err
		}
	}
	return runJobs(ctx, ix.opts.Fetchers, jobs)
}

// ErrBadTokenResults reports a GetTokens answer that is not one well-formed
// entry per ID asked, in order.
var ErrBadTokenResults = errors.New("indexer: undecodable GetTokens answer")

// decodeTokenResults decodes GetTokens' answer to ids: one entry per ID,
// in order, each a token of that ID or a typed error.
func decodeTokenResults(raw []byte, ids []string) ([]rules.TokenResult, error) {
	var results []rules.TokenResult
	if err := json.Unmarshal(raw, &results); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTokenResults, err)
	}
	if len(results) != len(ids) {
		return nil, fmt.Errorf("%w: %d entries for %d IDs", ErrBadTokenResults, len(results), len(ids))
	}
	for i := range results {
		r := &results[i]
		switch {
		case r.ID != ids[i]:
			return nil, fmt.Errorf("%w: entry %d is %q, asked %q", ErrBadTokenResults, i, r.ID, ids[i])
		case r.Code != "" && r.Token != nil, r.Code == "" && r.Token == nil:
			return nil, fmt.Errorf("%w: entry %q is neither a token nor an error", ErrBadTokenResults, r.ID)
		case r.Token != nil && r.Token.ID != r.ID:
			return nil, fmt.Errorf("%w: entry %q holds token %q", ErrBadTokenResults, r.ID, r.Token.ID)
		}
	}
	return results, nil
}

// tokenError is an entry's error as GetToken's would have reached the
// indexer: a typed chaincode error (errors.Is matches its model code).
func tokenError(r *rules.TokenResult) error {
	return &fabricclient.ChaincodeError{Op: "evaluate GetTokens", Code: string(r.Code), Message: r.Error, Cause: r.Err()}
}

// untypedChaincodeError: the chaincode refused the call without one of its
// stable codes (contractapi's own answers, such as an unknown function).
func untypedChaincodeError(err error) bool {
	var ce *fabricclient.ChaincodeError
	return errors.As(err, &ce) && !ce.Typed()
}
