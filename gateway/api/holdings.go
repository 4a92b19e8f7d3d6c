package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/indexer"
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

// tokenView adds the amount when the caller's wallet holds the opening,
// and a sealed amount of the token's currency when it does not.
func (a *API) tokenView(c *gin.Context, t model.TokenView) TokenView {
	v := TokenView{TokenView: t, Amount: SealedMoney(t.Currency)}
	ctx, me := c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID
	if o, err := a.d.Wallet.TokenOpening(ctx, me, t.ID); err == nil {
		m := NewMoney(o.Value, t.Currency)
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
	_, t, err := a.pathToken(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, a.tokenView(c, t))
	return nil
}

// provenance: the tree of the token's receivable, from the core's issue to
// tier N.
func (a *API) provenance(c *gin.Context) error {
	_, t, err := a.pathToken(c)
	if err != nil {
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
	k, err := a.open(c, nil)
	if err != nil {
		return err
	}
	if err := noBody(c); err != nil {
		return err
	}
	if err := a.syncWallet(c); err != nil {
		return err
	}
	t, err := a.token(c, k.id)
	if err != nil {
		return err
	}
	v := a.tokenView(c, t)
	if v.Amount.Sealed {
		return problem.New(http.StatusConflict, problem.CodeInvalidState, "this enterprise holds no opening of the token: it is not the holder, or its envelope did not open to the ledger's commitment")
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// tokenAction: a state change of one token with an optional reason or
// payment reference.
func (a *API) tokenAction(fn string) gateway.HandlerFunc {
	return func(c *gin.Context) error {
		k, err := a.open(c, nil)
		if err != nil {
			return err
		}
		reason, err := optionalReason(c)
		if err != nil {
			return err
		}
		return a.submitToken(c, fn, &model.TokenActionRequest{Token: k.id, Reason: reason})
	}
}

// Portfolio is what a bank or supplier holds, with its totals per
// currency and its exposure per core enterprise (the debtor) and
// currency: amounts of two currencies are never summed.
type Portfolio struct {
	Tokens   []TokenView     `json:"tokens"`
	Totals   []CurrencyTotal `json:"totals"`
	Exposure []Exposure      `json:"exposure"`
}

// CurrencyTotal is the sum of the opened amounts of one currency, and how
// many tokens of that currency there are (Sealed of them not opened, so
// not in Amount).
type CurrencyTotal struct {
	Currency string `json:"currency"`
	Tokens   int    `json:"tokens"`
	Sealed   int    `json:"sealed"`
	Amount   Money  `json:"amount"`
}

// Exposure is the amount of one currency owed by one core enterprise.
type Exposure struct {
	Core     string `json:"core"`
	Currency string `json:"currency"`
	Tokens   int    `json:"tokens"`
	Amount   Money  `json:"amount"`
}

func (a *API) portfolio(c *gin.Context) error {
	p := gateway.PrincipalOf(c)
	if err := a.syncWallet(c); err != nil {
		return err
	}
	out := Portfolio{Tokens: []TokenView{}, Totals: []CurrencyTotal{}, Exposure: []Exposure{}}
	byCore := map[[2]string]*Exposure{}
	totals := map[string]*CurrencyTotal{}
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
			k := [2]string{t.Issuer, t.Currency}
			e := byCore[k]
			if e == nil {
				e = &Exposure{Core: t.Issuer, Currency: t.Currency}
				byCore[k] = e
			}
			tot := totals[t.Currency]
			if tot == nil {
				tot = &CurrencyTotal{Currency: t.Currency}
				totals[t.Currency] = tot
			}
			e.Tokens++
			tot.Tokens++
			if v.Amount.Sealed {
				tot.Sealed++
			} else {
				e.Amount.Minor += v.Amount.Minor
				tot.Amount.Minor += v.Amount.Minor
			}
		}
		if pg.Bookmark == "" {
			break
		}
		req.Bookmark = pg.Bookmark
	}
	for _, e := range byCore {
		e.Amount = NewMoney(e.Amount.Minor, e.Currency)
		out.Exposure = append(out.Exposure, *e)
	}
	sort.Slice(out.Exposure, func(i, j int) bool {
		x, y := out.Exposure[i], out.Exposure[j]
		return x.Core < y.Core || (x.Core == y.Core && x.Currency < y.Currency)
	})
	for _, tot := range totals {
		tot.Amount = NewMoney(tot.Amount.Minor, tot.Currency)
		out.Totals = append(out.Totals, *tot)
	}
	sort.Slice(out.Totals, func(i, j int) bool { return out.Totals[i].Currency < out.Totals[j].Currency })
	c.JSON(http.StatusOK, out)
	return nil
}
