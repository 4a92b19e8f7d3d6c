package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

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

// requestHash binds a key to one request: method, path and query, content
// type and body.
func requestHash(r *http.Request, body []byte) string {
	h := sha256.New()
	for _, part := range []string{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type")} {
		io.WriteString(h, strconv.Itoa(len(part)))
		io.WriteString(h, ":")
		io.WriteString(h, part)
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// idempotent makes a write safe to retry. The first request with a key runs
// and its response (2xx and 4xx) is stored; a retry with the same key and
// the same request gets the stored response back; the same key with another
// request is refused (422); a retry while the first still runs gets 409.
// Failures are settled by settle: released when nothing was applied,
// held when the outcome is unknown, with the submitted transaction's ID
// when the error names it, so that a retry asks the ledger (settleLost)
// and resumes a committed transaction instead of answering 409. The ID is
// recorded with the key before it is submitted, too (recordTx), so that a
// crash of this process leaves it for the next run to settle.
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

	begun, err := s.idem.begin(ctx, principal, key, requestHash(c.Request, body))
	if err != nil {
		fail(c, err)
		return
	}
	switch begun.outcome {
	case beginReplay:
		h := c.Writer.Header()
		for k, v := range begun.stored.Header {
			h[k] = v
		}
		h.Set(HeaderIdempotentReplayed, "true")
		c.Status(begun.stored.Status)
		c.Writer.Write(begun.stored.Body)
		c.Abort()
		return
	case beginMismatch:
		fail(c, problem.New(http.StatusUnprocessableEntity, problem.CodeIdempotencyKeyReused,
			"this Idempotency-Key was already used with a different request"))
		return
	case beginInFlight:
		fail(c, problem.New(http.StatusConflict, problem.CodeIdempotencyInFlight,
			"a request with this Idempotency-Key is still being processed").WithHeader("Retry-After", retryAfterSeconds(begun.retryAfter)))
		return
	case beginResolve:
		resumed, answered := s.settleLost(c, who, key, begun.lost)
		if answered {
			return
		}
		if resumed != nil {
			ctx = context.WithValue(ctx, resumedKey{}, resumed)
			c.Request = c.Request.WithContext(ctx)
		}
	}
	resumed, _ := ResumedTransaction(ctx)
	// Every submit under this request records its transaction with the key
	// before the orderer sees it, so that a retry after a crash of this
	// process settles the key through the ledger (begin, settleLost).
	ctx = fabricclient.WithBeforeSubmit(ctx, func(ctx context.Context, txID string) error {
		return s.idem.recordTx(ctx, principal, key, txID)
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
		lostTx = lostTxID(c.Errors.Last().Err)
	}
	switch s.settle(c, status) {
	case settleStore:
		err = s.idem.complete(actx, principal, key, storedResponse{Status: status, Header: rec.Header(), Body: rec.body.Bytes()})
	case settleRelease:
		if resumed == nil {
			err = s.idem.release(actx, principal, key)
			break
		}
		// A resumed run that failed before its (skipped) submit: the
		// committed transaction is still the key's.
		err = s.idem.hold(actx, principal, key, resumed.TxID)
	case settleHold:
		if lostTx != "" {
			err = s.idem.hold(actx, principal, key, lostTx)
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
