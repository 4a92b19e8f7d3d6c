package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
)

// TxLookup finds a transaction on the ledger as the principal's own
// organisation's peer has it (fabricclient.Client.Transaction through the
// principal's client): fabricclient.ErrTransactionNotFound when the peer
// has no such transaction.
type TxLookup func(ctx context.Context, p Principal, txID string) (*fabricclient.Transaction, error)

// A write whose answer was lost after it was submitted (504
// OUTCOME_UNKNOWN) keeps its Idempotency-Key pending with the transaction
// ID. A retry with the same key and request asks the ledger (Deps.LookupTx)
// and settles it by this table:
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
type resolution int

const (
	resolveResume      resolution = iota + 1 // committed and valid
	resolveRerun                             // definitely not applied
	resolveUnknown                           // not found yet: it may still commit
	resolveUnavailable                       // the ledger did not answer
)

// resolve decides what a lookup's answer means for the key: tx and err are
// LookupTx's, pastBound whether the claim is older than IdempotencyLock.
func resolve(tx *fabricclient.Transaction, err error, pastBound bool) resolution {
	switch {
	case err == nil && tx.Valid():
		return resolveResume
	case err == nil:
		return resolveRerun
	case errors.Is(err, fabricclient.ErrTransactionNotFound) && pastBound:
		return resolveRerun
	case errors.Is(err, fabricclient.ErrTransactionNotFound):
		return resolveUnknown
	}
	return resolveUnavailable
}

// settleLost asks the ledger about a pending key's lost transaction. It
// returns the committed transaction to resume, or nil to run the request
// afresh; answered reports that it answered the request itself (the key
// stays held).
func (s *Server) settleLost(c *gin.Context, principal Principal, key string, p *unresolvedTx) (tx *fabricclient.Transaction, answered bool) {
	ctx := c.Request.Context()
	err := fmt.Errorf("gateway: no transaction lookup configured: %w", fabricclient.ErrTransactionNotFound)
	if s.deps.LookupTx != nil {
		tx, err = s.deps.LookupTx(ctx, principal, p.TxID)
	}
	age := s.now().Sub(p.ClaimedAt)
	r := resolve(tx, err, age >= s.cfg.IdempotencyLock)
	s.log.Info("settling a lost write", "request_id", requestID(c), "tx", p.TxID, "age", age, "resolution", r.String(), "error", err)

	// Bookkeeping outlives the request's deadline or a client that left.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	switch r {
	case resolveResume:
		return tx, false
	case resolveRerun:
		if err := s.idem.rerun(actx, principal.EnterpriseID, key); err != nil {
			fail(c, err)
			return nil, true
		}
		return nil, false
	}
	if err := s.idem.hold(actx, principal.EnterpriseID, key, p.TxID); err != nil {
		s.log.Error("record idempotency key", "request_id", requestID(c), "error", err)
	}
	if r == resolveUnavailable {
		fail(c, &fabricclient.Error{Op: "settle", TxID: p.TxID, Kind: fabricclient.ErrUnavailable, Cause: err})
		return nil, true
	}
	wait := min(max(s.cfg.IdempotencyLock-age, time.Second), 5*time.Second)
	fail(c, problem.New(http.StatusGatewayTimeout, problem.CodeOutcomeUnknown, detailUnknownOutcome).
		WithHeader("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second))))
	return nil, true
}

func (r resolution) String() string {
	switch r {
	case resolveResume:
		return "resume"
	case resolveRerun:
		return "rerun"
	case resolveUnknown:
		return "unknown"
	case resolveUnavailable:
		return "unavailable"
	}
	return "resolution(" + strconv.Itoa(int(r)) + ")"
}

type resumedKey struct{}

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
		return fabricclient.Result{}, fmt.Errorf("gateway: the key's committed transaction %s invoked %q, this request %q", tx.TxID, tx.Function, function)
	}
	return tx.Result(), nil
}

// lostTxID is the transaction a failed write submitted, when its error
// names one (fabricclient errors after the endorsement carry it).
func lostTxID(err error) string {
	var fe *fabricclient.Error
	if errors.As(err, &fe) {
		return fe.TxID
	}
	return ""
}
