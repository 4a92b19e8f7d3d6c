package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
)

// statusClientClosed is logged (never sent) when the client went away.
const statusClientClosed = 499

// Generic details for server-side failures: the client learns the class and
// the request ID, the log gets the error.
const (
	detailInternal    = "The request could not be completed. Quote the request ID when reporting this."
	detailUnavailable = "A service the request needs is unavailable. Retry later."
	detailTimeout     = "The request ran out of time. A write may still complete: retry with the same Idempotency-Key."
	detailLedger      = "The ledger did not accept the transaction. Quote the request ID when reporting this."
	// detailUnknownOutcome: the transaction was ordered, or on its way, when
	// the answer was lost.
	detailUnknownOutcome = "The transaction reached the ordering service but its outcome was lost; it may have committed. Retry with the same Idempotency-Key: the retry returns the committed result, or runs the request again once the ledger shows nothing was applied."
)

// chaincodeStatus maps the contract's stable codes to HTTP.
var chaincodeStatus = map[model.Code]int{
	// The caller authenticated to the gateway; the ledger does not know its
	// identity as an active enterprise (suspended, not registered): 403, not
	// 401, because new credentials for the gateway would not help.
	model.CodeUnauthorized:     http.StatusForbidden,
	model.CodeForbidden:        http.StatusForbidden,
	model.CodeNotFound:         http.StatusNotFound,
	model.CodeConflict:         http.StatusConflict,
	model.CodeInvalidProof:     http.StatusUnprocessableEntity,
	model.CodeInvalidArgument:  http.StatusBadRequest,
	model.CodeInvalidState:     http.StatusConflict,
	model.CodeInvoiceMismatch:  http.StatusConflict,
	model.CodeInternal:         http.StatusInternalServerError,
	model.CodeCurrencyMismatch: http.StatusUnprocessableEntity,
}

// toProblem classifies err. It never copies a 5xx error's text into the
// problem.
func toProblem(err error) *problem.Problem {
	var p *problem.Problem
	if errors.As(err, &p) {
		cp := *p
		if cp.Status >= 500 {
			// Even a handler's own 5xx problem gets the generic detail.
			cp.Detail = genericDetail(cp.Status, cp.Code)
		}
		return &cp
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return problem.New(http.StatusRequestEntityTooLarge, problem.CodePayloadTooLarge, "the request body is larger than this route accepts")
	}

	// A chaincode rejection: from the ledger (fabricclient) or from a
	// service running the same rules locally.
	var cc *fabricclient.ChaincodeError
	if errors.As(err, &cc) && cc.Typed() {
		return chaincodeProblem(model.Code(cc.Code), cc.Message)
	}
	var me *model.Error
	if errors.As(err, &me) {
		return chaincodeProblem(me.Code, me.Message)
	}
	// A service's typed error that speaks the chaincode's codes (the
	// wallet refusing to build a proof that could not verify, …).
	var ce codedError
	if errors.As(err, &ce) {
		return chaincodeProblem(ce.Code(), ce.Error())
	}

	var nc *fabricclient.NotCommittedError
	switch {
	case errors.Is(err, fabricclient.ErrMVCCConflict):
		return problem.New(http.StatusConflict, problem.CodeLedgerConflict,
			"A concurrent transaction changed the records this one read. Retry the request.").
			WithHeader("Retry-After", "1")
	case errors.As(err, &nc):
		return problem.New(http.StatusBadGateway, problem.CodeNotCommitted, detailLedger)
	case errors.Is(err, fabricclient.ErrForbidden):
		return problem.New(http.StatusForbidden, problem.CodeForbidden, "the ledger refuses writes from this enterprise")
	case errors.Is(err, fabricclient.ErrUnavailable):
		return problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable, detailUnavailable).WithHeader("Retry-After", "5")
	case errors.Is(err, fabricclient.ErrUnknownOutcome):
		return problem.New(http.StatusGatewayTimeout, problem.CodeOutcomeUnknown, detailUnknownOutcome).WithHeader("Retry-After", "5")
	case errors.Is(err, fabricclient.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return problem.New(http.StatusGatewayTimeout, problem.CodeTimeout, detailTimeout)
	case errors.Is(err, context.Canceled):
		p := problem.New(statusClientClosed, problem.CodeInternal, "")
		p.Title = "Client Closed Request"
		return p
	case cc != nil, errors.Is(err, fabricclient.ErrRejected):
		// Untyped chaincode failure (its text may describe internals) or a
		// refusal with no reason the client can act on.
		return problem.New(http.StatusBadGateway, problem.CodeLedgerRejected, detailLedger)
	}
	return problem.New(http.StatusInternalServerError, problem.CodeInternal, detailInternal)
}

// codedError is an error that carries a chaincode code.
type codedError interface {
	error
	Code() model.Code
}

func genericDetail(status int, code string) string {
	if code == problem.CodeOutcomeUnknown {
		return detailUnknownOutcome
	}
	switch status {
	case http.StatusServiceUnavailable:
		return detailUnavailable
	case http.StatusGatewayTimeout:
		return detailTimeout
	case http.StatusBadGateway:
		return detailLedger
	}
	return detailInternal
}

func chaincodeProblem(code model.Code, msg string) *problem.Problem {
	status, ok := chaincodeStatus[code]
	if !ok {
		// A code newer than this gateway: the ledger refused, for a reason
		// the client may read.
		status = http.StatusUnprocessableEntity
	}
	if status >= 500 {
		return problem.New(status, problem.CodeInternal, detailInternal)
	}
	return problem.New(status, string(code), msg)
}

// successHeaders describe a representation; a problem drops them.
var successHeaders = []string{"Location", "ETag", "Last-Modified", "Content-Disposition", "Content-Language", "Cache-Control"}

// render writes err as a problem for the current request, and logs it: 5xx
// at error level with the full error, 4xx at debug.
func (s *Server) render(c *gin.Context, err error) {
	p := toProblem(err)
	p.Instance = c.Request.URL.Path
	p.RequestID = requestID(c)
	c.Set(ctxProblemCode, p.Code)
	level := slog.LevelDebug
	if p.Status >= 500 && p.Status != statusClientClosed {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "request failed",
		slog.String("request_id", p.RequestID), slog.Int("status", p.Status),
		slog.String("code", p.Code), slog.String("error", err.Error()))
	if p.Status == statusClientClosed {
		c.Status(statusClientClosed) // for the access log; nobody reads it
		return
	}
	// Headers a handler set for the success it did not reach must not
	// describe the problem.
	for _, h := range successHeaders {
		c.Writer.Header().Del(h)
	}
	// The title in the caller's language (Accept-Language: zh → Chinese).
	p.Localize(c.GetHeader("Accept-Language"))
	if err := problem.Write(c.Writer, p); err != nil {
		s.log.Debug("write problem", "request_id", p.RequestID, "error", err)
	}
}

// Context keys set by the renderer.
const (
	ctxRendered    = "tierchain.rendered"
	ctxProblemCode = "tierchain.problemCode"
)

// renderErrors is the one place handler and middleware errors become
// responses: after the chain, the last recorded error is rendered unless a
// response was already written.
func (s *Server) renderErrors(c *gin.Context) {
	c.Next()
	s.renderPending(c)
}

// renderPending renders the last recorded error, once. The idempotency
// middleware calls it early, to store the rendered response.
func (s *Server) renderPending(c *gin.Context) {
	if len(c.Errors) == 0 || c.GetBool(ctxRendered) {
		return
	}
	c.Set(ctxRendered, true)
	err := c.Errors.Last().Err
	if c.Writer.Written() {
		s.log.Warn("error after the response was written", "request_id", requestID(c), "error", err.Error())
		return
	}
	s.render(c, err)
}
