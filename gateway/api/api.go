// Package api is TierChain's business REST API on the gateway: what
// suppliers, core enterprises, banks, the regulator and the operator do.
// Every handler acts for the authenticated enterprise with that
// enterprise's own Fabric identity (services/directory), builds proofs with
// its wallet (services/wallet) and reaches the ledger only through
// internal/fabricclient, whose typed errors the gateway renders as
// problems.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/services/custody"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/services/webhook"
	"github.com/tierchain/tierchain/zk/oprf"
)

// Contract is the chaincode contract of every business call.
const Contract = "tierchain"

// Deps is what the API needs.
type Deps struct {
	Log       *slog.Logger
	Directory *directory.Directory
	Wallet    *wallet.Wallet
	Invoices  *invoice.Service
	Reuse     *invoice.ReuseLog
	Auditor   *audit.Service   // the regulator's reports; nil when this gateway serves no regulator
	Index     *indexer.Indexer // the SQL read model of the ledger (lists with filters)
	// Tokens issues API tokens for onboarded enterprises.
	Tokens  *gateway.TokenStore
	Context protocol.Context
	// OPRF is the operator's OPRF server: POST /v1/oprf/evaluate serves it to
	// gateways that fingerprint invoices elsewhere; nil when this gateway is
	// not the operator's (the route answers 403 NOT_HOSTED).
	OPRF *oprf.Server
	// Org is the organisation this gateway hosts; the suppliers it
	// onboards get identities of it. Self is its founding enterprise, as
	// which the gateway reads the ledger for itself.
	Org  string
	Self string
	// Onboarding serves onboarding and the enterprises' lifecycle (the
	// operator's gateway); without it those routes answer 403 NOT_HOSTED.
	Onboarding bool
	// Parties finds the enterprise an invoice names by its legal ID, when
	// it is not one this gateway hosts (the operator's gateway knows the
	// founders from their cards); nil: the directory only.
	Parties PartyDirectory
	// Events receives the server-sent events the API raises itself (a bad
	// envelope found by an enterprise's wallet); nil: none are sent. The
	// gateway's *gateway.Broker is one.
	Events Publisher
	// Custody records which enterprises hold their own keys (the relay
	// serves them); nil: every enterprise is hosted.
	Custody *custody.Store
	Now     func() time.Time
}

// Publisher receives server-sent events.
type Publisher interface {
	Publish(ev gateway.Event) (gateway.Event, error)
}

// API holds the dependencies of the handlers.
type API struct {
	d         Deps
	oprfLimit *limiter
	keys      *keyCache
	receipts  chan model.Event // ReceiveEvent's queue for RunReceipts
	webhooks  *webhook.Service // SetWebhooks (webhooks.go)
	// signedSeen remembers the signed requests served, against replays
	// (signed.go).
	signedSeen seenSigned
	// numberPrints remembers invoice numbers' fingerprints for the bank
	// inbox's checks (financing_refs.go).
	numberPrints numberPrintCache
	// enterpriseOf reads a signed request's enterprise from the ledger
	// (signed.go); nil is a.registered. Tests set it.
	enterpriseOf func(ctx context.Context, id string) (model.Enterprise, error)
}

// New returns the API.
func New(d Deps) *API {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &API{d: d, oprfLimit: newLimiter(OPRFPerMinute, time.Minute), keys: newKeyCache(),
		receipts: make(chan model.Event, receiptQueue)}
}

// Register adds every business route.
func (a *API) Register(r *gateway.Routes) {
	a.registerEnterprises(r)
	a.registerInvoices(r)
	a.registerReceivables(r)
	a.registerTokens(r)
	a.registerFinancing(r)
	a.registerQuotes(r)
	a.registerWebhooks(r)
	a.registerDisputes(r)
	a.registerAudit(r)
	a.registerCustody(r)
	a.registerHeight(r)
	if a.d.OPRF != nil {
		r.POST("/oprf/evaluate", a.oprfEvaluate, model.RoleSupplier)
		r.Signed(http.MethodPost, SignedOPRFPath, a.oprfEvaluateSigned)
		r.Signed(http.MethodGet, SignedReusePath, a.reuseAttemptsSigned)
	} else {
		const detail = "the OPRF and the invoice intake's records are served by the operator's gateway only"
		r.NotHosted(http.MethodPost, "/oprf/evaluate", detail)
		r.NotHosted(http.MethodPost, SignedOPRFPath, detail)
		r.NotHosted(http.MethodGet, SignedReusePath, detail)
	}
}

// PartyDirectory finds enterprises by legal ID.
type PartyDirectory interface {
	ByLegalID(ctx context.Context, legalID string) (directory.Member, error)
}

// OPRFRequest is a blinded invoice fingerprint input.
type OPRFRequest struct {
	Blinded []byte `json:"blinded"` // base64
}

// OPRFResponse is the operator's evaluation with its proof.
type OPRFResponse struct {
	Evaluation []byte `json:"evaluation"` // base64
}

// oprfEvaluate: the operator evaluates a blinded input without learning it.
func (a *API) oprfEvaluate(c *gin.Context) error {
	var req OPRFRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	return a.evaluateOPRF(c, gateway.PrincipalOf(c).EnterpriseID, req)
}

// evaluateOPRF evaluates for the enterprise, within its rate.
func (a *API) evaluateOPRF(c *gin.Context, enterprise string, req OPRFRequest) error {
	if !a.oprfLimit.allow(enterprise, a.d.Now()) {
		return problem.New(http.StatusTooManyRequests, problem.CodeRateLimited,
			"too many fingerprint evaluations: the OPRF key guards invoices against guessing, so each enterprise gets a bounded rate").
			WithHeader("Retry-After", "60")
	}
	ev, err := a.d.OPRF.Evaluate(req.Blinded)
	if err != nil {
		return gateway.Invalid("invalid blinded element", problem.FieldError{Field: "blinded", Reason: "a canonical ristretto255 element"})
	}
	c.JSON(http.StatusOK, OPRFResponse{Evaluation: ev})
	return nil
}

// ledger is the client that signs as the request's enterprise.
func (a *API) ledger(c *gin.Context) (*fabricclient.Client, error) {
	p := gateway.PrincipalOf(c)
	cl, err := a.d.Directory.Client(c.Request.Context(), p.EnterpriseID)
	if errors.Is(err, directory.ErrNotFound) && a.d.Custody != nil {
		if mode, merr := a.d.Custody.Mode(c.Request.Context(), p.EnterpriseID); merr == nil && mode == custody.Self {
			return nil, selfCustodyProblem(p.EnterpriseID)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("api: ledger client of %s: %w", p.EnterpriseID, err)
	}
	return cl, nil
}

// call is what a handler on a receivable opens with: the ID its path
// names (a token, RFQ or quote) and the enterprise it acts for.
type call struct {
	ctx context.Context
	id  string // the path's :id; "" on a route without one
	me  string
}

// open reads a handler's opening: the path's :id when the route has one,
// the body into req when req is not nil (strictly, then validated), and
// the principal. Its errors are problems ready to return. The ledger
// client comes later (a.ledger, or a build's argument), after the checks
// that need no ledger.
func (a *API) open(c *gin.Context, req any) (call, error) {
	k := call{ctx: c.Request.Context(), me: gateway.PrincipalOf(c).EnterpriseID}
	if _, ok := c.Params.Get("id"); ok {
		var err error
		if k.id, err = gateway.PathID(c, "id"); err != nil {
			return k, err
		}
	}
	if req != nil {
		if err := gateway.DecodeJSON(c, req); err != nil {
			return k, err
		}
	}
	return k, nil
}

// submit sends fn(req as JSON) as the request's enterprise and decodes the
// changed record into out. A retry that resumes a committed transaction
// (gateway.ResumedTransaction, after a lost answer) submits nothing: it
// gets that transaction's result.
func (a *API) submit(c *gin.Context, fn string, req any, out any) (fabricclient.Result, error) {
	_, res, err := a.write(c, []string{fn}, func(context.Context, wallet.Ledger) (string, any, error) { return fn, req, nil }, out)
	return res, err
}

// submitBuilt is submit of a request the wallet builds (proofs,
// envelopes): build runs only when the request does not resume a
// committed transaction, since the builders check the ledger state that
// transaction changed (its input is spent now, its invoices issued) and
// would refuse, and a resumed write submits nothing anyway.
func (a *API) submitBuilt(c *gin.Context, fn string, build func(context.Context, wallet.Ledger) (any, error), out any) (fabricclient.Result, error) {
	_, res, err := a.write(c, []string{fn}, func(ctx context.Context, l wallet.Ledger) (string, any, error) {
		req, err := build(ctx, l)
		return fn, req, err
	}, out)
	return res, err
}

// submitToken submits fn with req and answers 200 with the token it
// changed.
func (a *API) submitToken(c *gin.Context, fn string, req any) error {
	return a.submitBuiltToken(c, fn, func(context.Context, wallet.Ledger) (any, error) { return req, nil })
}

// submitBuiltToken is submitToken of a request the wallet builds
// (submitBuilt).
func (a *API) submitBuiltToken(c *gin.Context, fn string, build func(context.Context, wallet.Ledger) (any, error)) error {
	var t model.Token
	if _, err := a.submitBuilt(c, fn, build, &t); err != nil {
		return err
	}
	a.written(c, http.StatusOK, t)
	return nil
}

// write submits the function and request that build returns (given the
// ledger client that signs as the request's enterprise) as that
// enterprise, and decodes the changed record into out; fns are the
// functions build may choose (a spend's is the wallet's choice), and fn
// is the one submitted. A retry that resumes a committed transaction runs
// no build and submits nothing: it gets that transaction's result and
// function (gateway.Submit). Handlers never ask which case theirs is.
func (a *API) write(c *gin.Context, fns []string, build func(context.Context, wallet.Ledger) (string, any, error), out any) (string, fabricclient.Result, error) {
	fn := fns[0]
	if tx, ok := gateway.ResumedTransaction(c.Request.Context()); ok {
		if f := strings.TrimPrefix(tx.Function, Contract+":"); slices.Contains(fns, f) {
			fn = f
		}
	}
	res, err := gateway.Submit(c.Request.Context(), Contract+":"+fn, func(ctx context.Context) (fabricclient.Result, error) {
		l, err := a.ledger(c)
		if err != nil {
			return fabricclient.Result{}, err
		}
		f, req, err := build(ctx, l)
		if err != nil {
			return fabricclient.Result{}, err
		}
		arg, err := argument(req)
		if err != nil {
			return fabricclient.Result{}, err
		}
		fn = f
		return l.Submit(ctx, Contract, f, arg)
	})
	if err != nil {
		return fn, res, err
	}
	a.awaitIndexed(c.Request.Context(), res.TxID)
	if out != nil {
		if err := json.Unmarshal(res.Payload, out); err != nil {
			return fn, res, fmt.Errorf("api: %s result: %w", fn, err)
		}
	}
	return fn, res, nil
}

// indexWait bounds how long a write waits for the read model to apply it.
const indexWait = 3 * time.Second

// awaitIndexed gives read-your-writes: a committed write returns once the
// read model has applied it too, so the caller's next list shows it. The
// wait is bounded: a lagging read model delays lists, never writes.
func (a *API) awaitIndexed(ctx context.Context, txID string) {
	if a.d.Index == nil || txID == "" {
		return
	}
	deadline := time.Now().Add(indexWait)
	for delay := 2 * time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		ok, err := a.d.Index.Applied(ctx, txID)
		if ok || err != nil || ctx.Err() != nil {
			return
		}
		if time.Now().After(deadline) {
			a.d.Log.Warn("read model behind a committed write", "tx", txID, "waited", indexWait)
			return
		}
		time.Sleep(delay)
	}
}

// pathToken opens a handler on the token its path names (open, with no
// body) and reads that token from the ledger.
func (a *API) pathToken(c *gin.Context) (call, model.TokenView, error) {
	k, err := a.open(c, nil)
	if err != nil {
		return k, model.TokenView{}, err
	}
	t, err := a.token(c, k.id)
	return k, t, err
}

// token reads a token from the ledger as the request's enterprise.
func (a *API) token(c *gin.Context, id string) (model.TokenView, error) {
	var t model.TokenView
	err := a.evaluate(c, &t, "GetToken", id)
	return t, err
}

// evaluate runs query fn as the request's enterprise and decodes its
// result into out.
func (a *API) evaluate(c *gin.Context, out any, fn string, args ...any) error {
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	return evaluateWith(c.Request.Context(), l, out, fn, args...)
}

func evaluateWith(ctx context.Context, l wallet.Ledger, out any, fn string, args ...any) error {
	strs := make([]string, len(args))
	for i, v := range args {
		s, err := argument(v)
		if err != nil {
			return err
		}
		strs[i] = s
	}
	b, err := l.Evaluate(ctx, Contract, fn, strs...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("api: %s result: %w", fn, err)
	}
	return nil
}

// argument is a string as is, anything else as JSON.
func argument(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// syncWallet refreshes the request enterprise's openings from the ledger.
func (a *API) syncWallet(c *gin.Context) error {
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	me := gateway.PrincipalOf(c).EnterpriseID
	rep, err := a.d.Wallet.Sync(c.Request.Context(), me, l)
	a.announceBad(me, rep)
	return err
}

// noBody refuses a body on a write that takes none, rather than ignoring
// whatever was sent.
func noBody(c *gin.Context) error {
	if c.Request.ContentLength != 0 {
		return gateway.Invalid("this operation takes no request body", problem.FieldError{Field: "", Reason: "send an empty body"})
	}
	return nil
}

// viewPage maps a ledger page's records to their API views.
func viewPage[T, V any](pg model.Page[T], view func(T) V) model.Page[V] {
	out := model.Page[V]{Items: make([]V, len(pg.Items)), Bookmark: pg.Bookmark}
	for i, x := range pg.Items {
		out.Items[i] = view(x)
	}
	return out
}

// answer runs query fn with arg as the request's enterprise and answers
// 200 with what view makes of its result.
func answer[T, V any](a *API, c *gin.Context, fn string, arg any, view func(T) V) error {
	var out T
	if err := a.evaluate(c, &out, fn, arg); err != nil {
		return err
	}
	c.JSON(http.StatusOK, view(out))
	return nil
}

// answerPage answers a list: the page the query asks for of owner's
// records from query fn, each item as view makes it.
func answerPage[T, V any](a *API, c *gin.Context, owner, fn string, view func(T) V) error {
	req, err := page(c, owner)
	if err != nil {
		return err
	}
	return answer(a, c, fn, req, func(pg model.Page[T]) model.Page[V] { return viewPage(pg, view) })
}

// page reads the pagination query (pageSize, bookmark).
func page(c *gin.Context, owner string) (model.PageRequest, error) {
	req := model.PageRequest{Owner: owner, Bookmark: c.Query("bookmark")}
	if s := c.Query("pageSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > model.MaxPageSize {
			return req, gateway.Invalid("invalid page size", problem.FieldError{Field: "pageSize",
				Reason: fmt.Sprintf("an integer from 1 to %d", model.MaxPageSize)})
		}
		req.PageSize = n
	}
	if len(req.Bookmark) > model.MaxBookmarkLength {
		return req, gateway.Invalid("invalid bookmark", problem.FieldError{Field: "bookmark", Reason: "too long"})
	}
	return req, nil
}

func created(c *gin.Context, location string, body any) {
	if location != "" {
		c.Header("Location", location)
	}
	c.JSON(http.StatusCreated, body)
}
