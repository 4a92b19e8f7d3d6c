package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway/idempotency"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
)

// HeaderIdempotencyKey names the key every write carries
// (draft-ietf-httpapi-idempotency-key-header).
const HeaderIdempotencyKey = "Idempotency-Key"

// HeaderIdempotentReplayed marks a response replayed from the store.
const HeaderIdempotentReplayed = "Idempotent-Replayed"

// ValidIdempotencyKey reports whether a client's key is acceptable: the
// same alphabet as request IDs (UUIDs qualify).
func ValidIdempotencyKey(k string) bool { return safeID.MatchString(k) }

// idempotent makes a write safe to retry. The first request with a key runs
// and its response (2xx and 4xx) is stored; a retry with the same key and
// the same request gets the stored response back; the same key with another
// request is refused (422); a retry while the first still runs gets 409.
// Failures are settled by settle: released when nothing was applied,
// held when the outcome is unknown, with the submitted transaction's ID
// when the error names it, so that a retry asks the ledger (settleLost)
// and resumes a committed transaction instead of answering 409. The ID is
// recorded with the key before it is submitted, too (Store.RecordTx), so
// that a crash of this process leaves it for the next run to settle. The
// keys, their recovery and the runs live in package idempotency; this is
// their HTTP binding.
func (s *Server) idempotent(c *gin.Context) {
	key := c.GetHeader(HeaderIdempotencyKey)
	if key == "" {
		fail(c, Invalid("writes require an Idempotency-Key header",
			problem.FieldError{Field: HeaderIdempotencyKey, Reason: "required"}))
		return
	}
	if !ValidIdempotencyKey(key) {
		fail(c, Invalid("invalid Idempotency-Key header",
			problem.FieldError{Field: HeaderIdempotencyKey, Reason: "must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit"}))
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(c, err)
		} else {
			fail(c, Invalid("the request body could not be read"))
		}
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	who := PrincipalOf(c)
	principal := who.EnterpriseID
	ctx := c.Request.Context()

	begun, err := s.idem.Begin(ctx, principal, key, idempotency.RequestHash(c.Request, body))
	if err != nil {
		fail(c, err)
		return
	}
	switch begun.Outcome {
	case idempotency.BeginReplay:
		h := c.Writer.Header()
		for k, v := range begun.Stored.Header {
			h[k] = v
		}
		h.Set(HeaderIdempotentReplayed, "true")
		c.Status(begun.Stored.Status)
		c.Writer.Write(begun.Stored.Body)
		c.Abort()
		return
	case idempotency.BeginMismatch:
		fail(c, problem.New(http.StatusUnprocessableEntity, problem.CodeIdempotencyKeyReused,
			"this Idempotency-Key was already used with a different request"))
		return
	case idempotency.BeginInFlight:
		fail(c, problem.New(http.StatusConflict, problem.CodeIdempotencyInFlight,
			"a request with this Idempotency-Key is still being processed").WithHeader("Retry-After", retryAfterSeconds(begun.RetryAfter)))
		return
	case idempotency.BeginResolve:
		resumed, answered := s.settleLost(c, who, key, begun.Lost)
		if answered {
			return
		}
		if resumed != nil {
			ctx = idempotency.WithResumed(ctx, resumed)
			c.Request = c.Request.WithContext(ctx)
		}
	}
	resumed, _ := idempotency.ResumedTransaction(ctx)
	// Every submit under this request records its transaction with the key
	// before the orderer sees it, so that a retry after a crash of this
	// process settles the key through the ledger (Begin, settleLost).
	ctx = fabricclient.WithBeforeSubmit(ctx, func(ctx context.Context, txID string) error {
		return s.idem.RecordTx(ctx, principal, key, txID)
	})
	c.Request = c.Request.WithContext(ctx)

	rec := &recordingWriter{ResponseWriter: c.Writer}
	c.Writer = rec
	// A panic below leaves the key pending, like a crash: the outcome is
	// unknown, so duplicates wait for IdempotencyLock (see settle).
	c.Next()
	s.renderPending(c) // the response must exist before it is stored

	// Bookkeeping outlives the request's deadline or a client that left.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	status := rec.Status()
	var lostTx string // the transaction to ask the ledger about on a retry
	if resumed != nil {
		lostTx = resumed.TxID
	} else if len(c.Errors) > 0 && s.deps.LookupTx != nil {
		lostTx = idempotency.LostTxID(c.Errors.Last().Err)
	}
	switch s.settle(c, status) {
	case settleStore:
		err = s.idem.Complete(actx, principal, key, idempotency.Response{Status: status, Header: rec.Header(), Body: rec.body.Bytes()})
	case settleRelease:
		if resumed == nil {
			err = s.idem.Release(actx, principal, key)
			break
		}
		// A resumed run that failed before its (skipped) submit: the
		// committed transaction is still the key's.
		err = s.idem.Hold(actx, principal, key, resumed.TxID)
	case settleHold:
		if lostTx != "" {
			err = s.idem.Hold(actx, principal, key, lostTx)
			s.log.Warn("write outcome unknown: idempotency key held with its transaction; a retry asks the ledger",
				"request_id", requestID(c), "status", status, "tx", lostTx)
			break
		}
		s.log.Warn("write outcome unknown: idempotency key held until its lock expires",
			"request_id", requestID(c), "status", status, "lock", s.cfg.IdempotencyLock)
	}
	if err != nil {
		s.log.Error("record idempotency key", "request_id", requestID(c), "error", err)
	}
}

// retryAfterSeconds is d as a Retry-After value: whole seconds, rounded up,
// at least 1.
func retryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(int64(max((d+time.Second-1)/time.Second, 1)), 10)
}

type settlement int

const (
	settleStore   settlement = iota + 1 // a definite outcome: replay it
	settleRelease                       // definitely nothing applied: let a retry run
	settleHold                          // maybe applied: block duplicates until the lock expires
)

// settle decides what a write's outcome means for its key. 2xx and 4xx are
// definite (except LEDGER_CONFLICT, an invalidated transaction, which a retry
// may fix). A 5xx is released only when the ledger error says nothing was
// written (fabricclient.Retryable: unreachable before submit, or
// invalidated); any other failure may have come after a commit, so the key
// stays pending until IdempotencyLock and a retry meanwhile gets 409.
func (s *Server) settle(c *gin.Context, status int) settlement {
	var err error
	if len(c.Errors) > 0 {
		err = c.Errors.Last().Err
	}
	switch {
	case c.GetString(ctxProblemCode) == problem.CodeLedgerConflict:
		return settleRelease
	case status < 500 && status != statusClientClosed:
		return settleStore
	case err != nil && fabricclient.Retryable(err):
		return settleRelease
	}
	return settleHold
}

// recordingWriter keeps a copy of the body written through it.
type recordingWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// TxLookup finds a transaction on the ledger as the principal's own
// organisation's peer has it (fabricclient.Client.Transaction through the
// principal's client): fabricclient.ErrTransactionNotFound when the peer
// has no such transaction.
type TxLookup func(ctx context.Context, p Principal, txID string) (*fabricclient.Transaction, error)

// settleLost asks the ledger about a pending key's lost transaction. It
// returns the committed transaction to resume, or nil to run the request
// afresh; answered reports that it answered the request itself (the key
// stays held).
func (s *Server) settleLost(c *gin.Context, principal Principal, key string, p *idempotency.LostTx) (tx *fabricclient.Transaction, answered bool) {
	ctx := c.Request.Context()
	err := fmt.Errorf("gateway: no transaction lookup configured: %w", fabricclient.ErrTransactionNotFound)
	if s.deps.LookupTx != nil {
		tx, err = s.deps.LookupTx(ctx, principal, p.TxID)
	}
	age := s.now().Sub(p.ClaimedAt)
	r := idempotency.Resolve(tx, err, age >= s.cfg.IdempotencyLock)
	s.log.Info("settling a lost write", "request_id", requestID(c), "tx", p.TxID, "age", age, "resolution", r.String(), "error", err)

	// Bookkeeping outlives the request's deadline or a client that left.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	switch r {
	case idempotency.ResolveResume:
		return tx, false
	case idempotency.ResolveRerun:
		if err := s.idem.Rerun(actx, principal.EnterpriseID, key); err != nil {
			fail(c, err)
			return nil, true
		}
		return nil, false
	}
	if err := s.idem.Hold(actx, principal.EnterpriseID, key, p.TxID); err != nil {
		s.log.Error("record idempotency key", "request_id", requestID(c), "error", err)
	}
	if r == idempotency.ResolveUnavailable {
		fail(c, &fabricclient.Error{Op: "settle", TxID: p.TxID, Kind: fabricclient.ErrUnavailable, Cause: err})
		return nil, true
	}
	wait := min(max(s.cfg.IdempotencyLock-age, time.Second), 5*time.Second)
	fail(c, problem.New(http.StatusGatewayTimeout, problem.CodeOutcomeUnknown, detailUnknownOutcome).
		WithHeader("Retry-After", strconv.Itoa(int(wait.Round(time.Second)/time.Second))))
	return nil, true
}

// ResumedTransaction is the committed transaction a retried request
// resumes (idempotency.ResumedTransaction).
func ResumedTransaction(ctx context.Context) (*fabricclient.Transaction, bool) {
	return idempotency.ResumedTransaction(ctx)
}

// Submit runs submit unless the request resumes a committed transaction
// (idempotency.Submit): every write handler submits through it.
func Submit(ctx context.Context, function string, submit func(context.Context) (fabricclient.Result, error)) (fabricclient.Result, error) {
	return idempotency.Submit(ctx, function, submit)
}

// RunStaleAfter is how long a gateway run's silence makes its keys
// abandoned (idempotency.RunStaleAfter).
const RunStaleAfter = idempotency.RunStaleAfter
