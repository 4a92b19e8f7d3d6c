package idempotency

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/tierchain/tierchain/internal/fabricclient"
)

// A write whose answer was lost after it was submitted (504
// OUTCOME_UNKNOWN) keeps its Idempotency-Key pending with the transaction
// ID. A retry with the same key and request asks the ledger (the gateway's
// Deps.LookupTx) and settles it by this table (Resolve):
//
//	committed VALID                       resume: the handler runs, Submit returns the committed result
//	committed, invalidated                rerun: nothing was applied, the request runs again
//	not found, claim younger than the lock still unknown: 504 OUTCOME_UNKNOWN, key held
//	not found, claim older than the lock  rerun: never ordered, and it can no longer be
//	peer unreachable (any other error)    503 UNAVAILABLE, key held
//
// "Not found" becomes "never" at IdempotencyLock after the run that
// submitted claimed the key: the submit came within the route's write
// timeout of the claim, so by then it is at least IdempotencyLock − write
// timeout (30 s by default) old. A Fabric envelope can still commit only
// while it is in the ordering service's pipeline (its batch is cut within
// BatchTimeout, 150 ms on the test network, seconds in production), and
// nobody resubmits it: the gateway's client held it only for the call.
type Resolution int

const (
	ResolveResume      Resolution = iota + 1 // committed and valid
	ResolveRerun                             // definitely not applied
	ResolveUnknown                           // not found yet: it may still commit
	ResolveUnavailable                       // the ledger did not answer
)

// Resolve decides what a lookup's answer means for the key: tx and err are
// the lookup's, pastBound whether the claim is older than the lock.
func Resolve(tx *fabricclient.Transaction, err error, pastBound bool) Resolution {
	switch {
	case err == nil && tx.Valid():
		return ResolveResume
	case err == nil:
		return ResolveRerun
	case errors.Is(err, fabricclient.ErrTransactionNotFound) && pastBound:
		return ResolveRerun
	case errors.Is(err, fabricclient.ErrTransactionNotFound):
		return ResolveUnknown
	}
	return ResolveUnavailable
}

func (r Resolution) String() string {
	switch r {
	case ResolveResume:
		return "resume"
	case ResolveRerun:
		return "rerun"
	case ResolveUnknown:
		return "unknown"
	case ResolveUnavailable:
		return "unavailable"
	}
	return "resolution(" + strconv.Itoa(int(r)) + ")"
}

type resumedKey struct{}

// WithResumed marks ctx as a request resuming tx, committed by its first
// run (ResolveResume).
func WithResumed(ctx context.Context, tx *fabricclient.Transaction) context.Context {
	return context.WithValue(ctx, resumedKey{}, tx)
}

// ResumedTransaction is the committed transaction a retried request
// resumes: its first run submitted it and lost the answer. Handlers that
// check ledger state before they submit (a spend's input must be ACTIVE)
// skip those checks when it is set: the transaction already changed that
// state, and Submit returns its result without submitting anything.
func ResumedTransaction(ctx context.Context) (*fabricclient.Transaction, bool) {
	tx, ok := ctx.Value(resumedKey{}).(*fabricclient.Transaction)
	return tx, ok
}

// Submit runs submit, unless the request resumes a committed transaction
// (ResumedTransaction): then it returns that transaction's result, after
// checking that it invoked function ("contract:Function"). Every write
// handler submits through it, so that a retry never submits twice.
func Submit(ctx context.Context, function string, submit func(context.Context) (fabricclient.Result, error)) (fabricclient.Result, error) {
	tx, ok := ResumedTransaction(ctx)
	if !ok {
		return submit(ctx)
	}
	if tx.Function != function {
		return fabricclient.Result{}, fmt.Errorf("idempotency: the key's committed transaction %s invoked %q, this request %q", tx.TxID, tx.Function, function)
	}
	return tx.Result(), nil
}

// LostTxID is the transaction a failed write submitted, when its error
// names one (fabricclient errors after the endorsement carry it).
func LostTxID(err error) string {
	var fe *fabricclient.Error
	if errors.As(err, &fe) {
		return fe.TxID
	}
	return ""
}
