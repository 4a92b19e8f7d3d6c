package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/wallet"
)

func (a *API) registerTokens(r *gateway.Routes) {
	r.GET("/tokens", a.listTokens, model.RoleSupplier, model.RoleBank, model.RoleCore)
	r.GET("/tokens/:id", a.getToken)
	r.GET("/tokens/:id/provenance", a.provenance)
	r.POST("/tokens/:id/accept", a.accept, model.RoleSupplier, model.RoleBank)
	r.POST("/tokens/:id/split", a.split, model.RoleSupplier)
	r.POST("/tokens/:id/payment", a.tokenAction("DeclarePayment"), model.RoleCore)
	r.POST("/tokens/:id/payment/confirm", a.tokenAction("ConfirmPayment"), model.RoleSupplier, model.RoleBank)
	r.GET("/portfolio", a.portfolio, model.RoleBank, model.RoleSupplier)
}

// tokenView adds the amount when the caller's wallet holds the opening.
func (a *API) tokenView(c *gin.Context, t model.TokenView) TokenView {
	v := TokenView{TokenView: t}
	ctx, me := c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID
	if o, err := a.d.Wallet.TokenOpening(ctx, me, t.ID); err == nil {
		m := a.money(o.Value)
		v.Amount = &m
	} else if b, err := a.d.Wallet.TokenBadEnvelope(ctx, me, t.ID); err == nil {
		v.BadEnvelope = &b
	}
	return v
}

func (a *API) written(c *gin.Context, status int, t model.Token) {
	c.JSON(status, a.tokenView(c, t.View(a.d.Now())))
}

// listTokens: the tokens a supplier or bank holds, or a core issued, from
// the read model (newest first, filtered by ?status= and ?root=), with the
// amounts the caller's wallet opened.
func (a *API) listTokens(c *gin.Context) error {
	p := gateway.PrincipalOf(c)
	req, err := page(c, p.EnterpriseID)
	if err != nil {
		return err
	}
	q := indexer.TokenQuery{Holder: p.EnterpriseID, Cursor: req.Bookmark, Limit: req.PageSize, Now: a.d.Now()}
	if p.Role == model.RoleCore {
		q.Holder, q.Issuer = "", p.EnterpriseID
	}
	if s := c.Query("status"); s != "" {
		if !validTokenStatus(model.TokenStatus(s)) {
			return gateway.Invalid("invalid status", problem.FieldError{Field: "status",
				Reason: "ACTIVE, SPLIT, FINANCING, FINANCED, PAYING, SETTLED, FROZEN, DEFAULTED, RECOURSE or OVERDUE"})
		}
		q.Status = model.TokenStatus(s)
	}
	if s := c.Query("root"); s != "" {
		if model.ValidateID("root", s) != nil {
			return gateway.Invalid("invalid root", problem.FieldError{Field: "root", Reason: "a token ID"})
		}
		q.Root = s
	}
	if err := a.syncWallet(c); err != nil {
		return err
	}
	pg, err := a.d.Index.Tokens(c.Request.Context(), q)
	if errors.Is(err, indexer.ErrBadCursor) {
		return gateway.Invalid("invalid bookmark", problem.FieldError{Field: "bookmark", Reason: "not one this API returned"})
	}
	if err != nil {
		return err
	}
	out := model.Page[TokenView]{Items: make([]TokenView, 0, len(pg.Items)), Bookmark: pg.Next}
	for _, t := range pg.Items {
		var rec model.TokenView
		if err := json.Unmarshal(t.Record, &rec); err != nil {
			return fmt.Errorf("api: read model record of %s: %w", t.ID, err)
		}
		rec.Status, rec.LedgerStatus = t.Status, t.LedgerStatus
		out.Items = append(out.Items, a.tokenView(c, rec))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func validTokenStatus(s model.TokenStatus) bool {
	switch s {
	case model.TokenActive, model.TokenSplit, model.TokenFinancing, model.TokenFinanced, model.TokenPaying,
		model.TokenSettled, model.TokenFrozen, model.TokenOverdue, model.TokenDefaulted, model.TokenRecourse:
		return true
	}
	return false
}

func (a *API) getToken(c *gin.Context) error {
	id, err := gateway.PathID(c, "id")
	if err != nil {
		return err
	}
	var t model.TokenView
	if err := a.evaluate(c, &t, "GetToken", id); err != nil {
		return err
	}
	c.JSON(http.StatusOK, a.tokenView(c, t))
	return nil
}

// provenance: the tree of the token's receivable, from the core's issue to
// tier N.
func (a *API) provenance(c *gin.Context) error {
	id, err := gateway.PathID(c, "id")
	if err != nil {
		return err
	}
	var t model.TokenView
	if err := a.evaluate(c, &t, "GetToken", id); err != nil {
		return err
	}
	var tree model.ProvenanceNode
	if err := a.evaluate(c, &tree, "Provenance", t.Root); err != nil {
		return err
	}
	c.JSON(http.StatusOK, tree)
	return nil
}

// accept: the holder's wallet opens the token's envelope and checks it
// against the ledger's commitment; the response says what it is worth.
func (a *API) accept(c *gin.Context) error {
	id, err := gateway.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := noBody(c); err != nil {
		return err
	}
	if err := a.syncWallet(c); err != nil {
		return err
	}
	var t model.TokenView
	if err := a.evaluate(c, &t, "GetToken", id); err != nil {
		return err
	}
	v := a.tokenView(c, t)
	if v.Amount == nil {
		return problem.New(http.StatusConflict, problem.CodeInvalidState, "this enterprise holds no opening of the token: it is not the holder, or its envelope did not open to the ledger's commitment")
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// SplitRequest pays parts of a token to other suppliers; the rest comes
// back to the holder as change. One output of the whole value is a
// transfer.
type SplitRequest struct {
	Outputs []SplitOutput `json:"outputs"`
}

// SplitOutput is one payment of a split.
type SplitOutput struct {
	To     string `json:"to"`
	Amount string `json:"amount"` // decimal
}

// Validate checks the request's shape.
func (r *SplitRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if len(r.Outputs) == 0 || len(r.Outputs) >= model.MaxOutputs {
		errs = append(errs, problem.FieldError{Field: "outputs", Reason: fmt.Sprintf("1 to %d outputs (one more is the change)", model.MaxOutputs-1)})
	}
	for i, o := range r.Outputs {
		if model.ValidateID("to", o.To) != nil {
			errs = append(errs, problem.FieldError{Field: fmt.Sprintf("outputs[%d].to", i), Reason: "an enterprise ID"})
		}
	}
	return errs
}

// SplitResponse lists the new tokens.
type SplitResponse struct {
	Kind   string      `json:"kind"`
	TxID   string      `json:"txId"`
	Tokens []TokenView `json:"tokens"`
}

func (a *API) split(c *gin.Context) error {
	id, err := gateway.PathID(c, "id")
	if err != nil {
		return err
	}
	var req SplitRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	me := gateway.PrincipalOf(c).EnterpriseID
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	spec := wallet.SpendSpec{Holder: me, Inputs: []string{id}}
	for i, o := range req.Outputs {
		v, err := a.parseAmount(fmt.Sprintf("outputs[%d].amount", i), o.Amount)
		if err != nil {
			return err
		}
		to, err := a.keys.recipient(ctx, l, o.To)
		if err != nil {
			return err
		}
		spec.Outputs = append(spec.Outputs, wallet.Payment{To: to, Amount: v})
	}
	built := &wallet.Spend{}
	if fn, ok := resumed(c); ok {
		built.Function, built.Kind = fn, spendKinds[fn]
	} else {
		if spec.Auditor, err = a.keys.auditorOf(ctx, l); err != nil {
			return err
		}
		if err := a.ensureOpening(c, l, id); err != nil {
			return err
		}
		if built, err = a.d.Wallet.BuildSpend(ctx, l, spec); err != nil {
			return err
		}
	}
	var toks []model.Token
	res, err := a.submit(c, built.Function, built.Request, &toks)
	if err != nil {
		return err
	}
	// The change comes back to this wallet: store its opening from the
	// result, so spending it next needs no Sync.
	rep, err := a.d.Wallet.Receive(ctx, me, l, toks)
	if err != nil || len(rep.Refused) > 0 {
		a.d.Log.Warn("split's change not stored in the wallet", "holder", me, "error", err)
	}
	a.announceBad(me, rep)
	// The spender knows every output: what it paid, in order, and the
	// change (the input's value less the payments) last.
	amounts := make([]uint64, 0, len(spec.Outputs)+1)
	var paid uint64
	for _, o := range spec.Outputs {
		amounts = append(amounts, o.Amount)
		paid += o.Amount
	}
	if in, err := a.d.Wallet.TokenOpening(ctx, me, id); err == nil && in.Value > paid {
		amounts = append(amounts, in.Value-paid)
	}
	out := SplitResponse{Kind: built.Kind, TxID: res.TxID, Tokens: make([]TokenView, 0, len(toks))}
	for i, t := range toks {
		v := a.tokenView(c, t.View(a.d.Now()))
		if v.Amount == nil && i < len(amounts) && len(toks) == len(amounts) {
			m := a.money(amounts[i])
			v.Amount = &m
		}
		out.Tokens = append(out.Tokens, v)
	}
	created(c, "", out)
	return nil
}

// spendKinds names the spend a chaincode function commits (the wallet's
// choice, read back from a resumed transaction).
var spendKinds = map[string]string{"Split": protocol.KindSplit, "Merge": protocol.KindMerge, "Transfer": protocol.KindTransfer}

// ensureOpening gets the caller's wallet an opening of the token when it
// holds none yet (a token received since the last sync): from the token
// alone (one query), or, when that opens nothing (a bank's financed
// holding, or the ledger refused), from a full sync. The builders check
// the ledger facts they rely on either way.
func (a *API) ensureOpening(c *gin.Context, l wallet.Ledger, tokenID string) error {
	ctx := c.Request.Context()
	me := gateway.PrincipalOf(c).EnterpriseID
	if _, err := a.d.Wallet.TokenOpening(ctx, me, tokenID); err == nil {
		return nil
	}
	rep, err := a.d.Wallet.ReceiveToken(ctx, me, l, tokenID)
	a.announceBad(me, rep)
	if err == nil && rep.Opened > 0 {
		return nil
	}
	rep, err = a.d.Wallet.Sync(ctx, me, l)
	a.announceBad(me, rep)
	return err
}

// tokenAction: a state change of one token with an optional reason or
// payment reference.
func (a *API) tokenAction(fn string) gateway.HandlerFunc {
	return func(c *gin.Context) error {
		id, err := gateway.PathID(c, "id")
		if err != nil {
			return err
		}
		reason, err := optionalReason(c)
		if err != nil {
			return err
		}
		var t model.Token
		if _, err := a.submit(c, fn, &model.TokenActionRequest{Token: id, Reason: reason}, &t); err != nil {
			return err
		}
		a.written(c, http.StatusOK, t)
		return nil
	}
}

// Portfolio is what a bank or supplier holds, with its exposure per core
// enterprise (the debtor).
type Portfolio struct {
	Tokens   []TokenView `json:"tokens"`
	Total    Money       `json:"total"`
	Exposure []Exposure  `json:"exposure"`
}

// Exposure is the amount owed by one core enterprise.
type Exposure struct {
	Core   string `json:"core"`
	Tokens int    `json:"tokens"`
	Amount Money  `json:"amount"`
}

func (a *API) portfolio(c *gin.Context) error {
	p := gateway.PrincipalOf(c)
	if err := a.syncWallet(c); err != nil {
		return err
	}
	out := Portfolio{Tokens: []TokenView{}, Exposure: []Exposure{}}
	byCore := map[string]*Exposure{}
	var total uint64
	req := model.PageRequest{Owner: p.EnterpriseID, PageSize: model.MaxPageSize}
	for {
		var pg model.Page[model.TokenView]
		if err := a.evaluate(c, &pg, "TokensByHolder", req); err != nil {
			return err
		}
		for _, t := range pg.Items {
			if t.LedgerStatus == model.TokenSplit || t.LedgerStatus == model.TokenSettled {
				continue
			}
			v := a.tokenView(c, t)
			out.Tokens = append(out.Tokens, v)
			e := byCore[t.Issuer]
			if e == nil {
				e = &Exposure{Core: t.Issuer}
				byCore[t.Issuer] = e
			}
			e.Tokens++
			if v.Amount != nil {
				e.Amount.Minor += v.Amount.Minor
				total += v.Amount.Minor
			}
		}
		if pg.Bookmark == "" {
			break
		}
		req.Bookmark = pg.Bookmark
	}
	for _, e := range byCore {
		e.Amount = a.money(e.Amount.Minor)
		out.Exposure = append(out.Exposure, *e)
	}
	sort.Slice(out.Exposure, func(i, j int) bool { return out.Exposure[i].Core < out.Exposure[j].Core })
	out.Total = a.money(total)
	c.JSON(http.StatusOK, out)
	return nil
}
