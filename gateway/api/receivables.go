package api

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/wallet"
)

func (a *API) registerReceivables(r *gateway.Routes) {
	r.POST("/credit-lines", a.grantCreditLine, model.RoleBank)
	r.GET("/credit-lines", a.listCreditLines, model.RoleCore, model.RoleBank)
	r.POST("/receivables", a.issue, model.RoleCore)
}

// CreditLineRequest is a bank's limit for a core enterprise.
type CreditLineRequest struct {
	Core   string    `json:"core"`
	Limit  string    `json:"limit"` // decimal amount
	Expiry time.Time `json:"expiry"`
}

// Validate checks the request's shape.
func (r *CreditLineRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if model.ValidateID("core", r.Core) != nil {
		errs = append(errs, problem.FieldError{Field: "core", Reason: "an enterprise ID"})
	}
	if r.Expiry.IsZero() {
		errs = append(errs, problem.FieldError{Field: "expiry", Reason: "required (RFC 3339)"})
	}
	return errs
}

func (a *API) grantCreditLine(c *gin.Context) error {
	var req CreditLineRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	limit, err := a.parseAmount("limit", req.Limit)
	if err != nil {
		return err
	}
	var out model.CreditLine
	if _, err := a.submit(c, "GrantCreditLine", &model.GrantCreditLineRequest{Core: req.Core, Currency: a.d.Currency, Limit: limit,
		Expiry: req.Expiry.UTC().Truncate(time.Second)}, &out); err != nil {
		return err
	}
	created(c, "", a.creditLineView(c, out))
	return nil
}

// CreditLineView is a credit line with its limit as money and, for the
// core, the opened outstanding sum.
type CreditLineView struct {
	model.CreditLine
	LimitAmount Money  `json:"limitAmount"`
	Outstanding *Money `json:"outstandingAmount,omitempty"`
	Available   *Money `json:"availableAmount,omitempty"`
}

func (a *API) creditLineView(c *gin.Context, cl model.CreditLine) CreditLineView {
	v := CreditLineView{CreditLine: cl, LimitAmount: a.money(cl.Limit)}
	p := gateway.PrincipalOf(c)
	if p.EnterpriseID != cl.Core {
		return v
	}
	l, err := a.ledger(c)
	if err != nil {
		return v
	}
	o, _, err := a.d.Wallet.OutstandingOpening(c.Request.Context(), cl.Core, cl.Bank, cl.Currency, l)
	if err != nil {
		a.d.Log.Warn("outstanding not opened", "core", cl.Core, "bank", cl.Bank, "error", err)
		return v
	}
	out := a.money(o.Value)
	v.Outstanding = &out
	if o.Value <= cl.Limit {
		avail := a.money(cl.Limit - o.Value)
		v.Available = &avail
	}
	return v
}

// listCreditLines: a core's lines at every bank (with its opened
// outstanding), or one bank's line for ?core=.
func (a *API) listCreditLines(c *gin.Context) error {
	p := gateway.PrincipalOf(c)
	if p.Role == model.RoleBank {
		core := c.Query("core")
		if model.ValidateID("core", core) != nil {
			return gateway.Invalid("a bank lists its line of one core", problem.FieldError{Field: "core", Reason: "an enterprise ID"})
		}
		var cl model.CreditLine
		if err := a.evaluate(c, &cl, "GetCreditLine", core, p.EnterpriseID, a.d.Currency); err != nil {
			return err
		}
		c.JSON(http.StatusOK, model.Page[CreditLineView]{Items: []CreditLineView{a.creditLineView(c, cl)}})
		return nil
	}
	req, err := page(c, p.EnterpriseID)
	if err != nil {
		return err
	}
	var pg model.Page[model.CreditLine]
	if err := a.evaluate(c, &pg, "CreditLinesByCore", req); err != nil {
		return err
	}
	if err := a.syncWallet(c); err != nil {
		return err
	}
	c.JSON(http.StatusOK, viewPage(pg, func(cl model.CreditLine) CreditLineView { return a.creditLineView(c, cl) }))
	return nil
}

// IssueRequest is a core's issue of a receivable to a supplier.
type IssueRequest struct {
	Holder   string    `json:"holder"`
	Bank     string    `json:"bank"`     // whose credit line backs it
	Invoices []string  `json:"invoices"` // confirmed invoice IDs (fingerprints)
	Amount   string    `json:"amount"`   // decimal; at most the invoices' total
	Maturity time.Time `json:"maturity"`
}

// Validate checks the request's shape.
func (r *IssueRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if model.ValidateID("holder", r.Holder) != nil {
		errs = append(errs, problem.FieldError{Field: "holder", Reason: "an enterprise ID"})
	}
	if model.ValidateID("bank", r.Bank) != nil {
		errs = append(errs, problem.FieldError{Field: "bank", Reason: "an enterprise ID"})
	}
	if len(r.Invoices) == 0 || len(r.Invoices) > model.MaxInvoices {
		errs = append(errs, problem.FieldError{Field: "invoices", Reason: fmt.Sprintf("1 to %d invoice IDs", model.MaxInvoices)})
	}
	for i, id := range r.Invoices {
		if model.ValidateInvoiceID("invoice", id) != nil {
			errs = append(errs, problem.FieldError{Field: fmt.Sprintf("invoices[%d]", i), Reason: "128 lower-case hex digits"})
		}
	}
	if r.Maturity.IsZero() {
		errs = append(errs, problem.FieldError{Field: "maturity", Reason: "required (RFC 3339)"})
	}
	return errs
}

// TokenView is a token as the API shows it: the ledger record and, where
// the caller's wallet (or the regulator) opened it, its amount.
type TokenView struct {
	model.TokenView
	Amount *Money `json:"amount,omitempty"`
	// BadEnvelope is set when the caller's wallet found that the token's
	// envelope to it does not open its commitment (docs/wallet.md).
	BadEnvelope *wallet.BadEnvelope `json:"badEnvelope,omitempty"`
}

func (a *API) issue(c *gin.Context) error {
	var req IssueRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	amount, err := a.parseAmount("amount", req.Amount)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	me := gateway.PrincipalOf(c).EnterpriseID
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	var built *model.IssueRequest
	if _, ok := resumed(c); !ok {
		if built, err = a.buildIssue(ctx, l, me, req, amount); err != nil {
			return err
		}
	}
	var tok model.TokenView
	if _, err := a.submit(c, "Issue", built, &tok); err != nil {
		return err
	}
	m := a.money(amount)
	created(c, "/v1/tokens/"+tok.ID, TokenView{TokenView: tok, Amount: &m})
	return nil
}

// buildIssue syncs the core's wallet and builds its issue.
func (a *API) buildIssue(ctx context.Context, l wallet.Ledger, me string, req IssueRequest, amount uint64) (*model.IssueRequest, error) {
	rep, err := a.d.Wallet.Sync(ctx, me, l)
	if err != nil {
		return nil, err
	}
	a.announceBad(me, rep)
	holder, err := a.keys.recipient(ctx, l, req.Holder)
	if err != nil {
		return nil, err
	}
	aud, err := a.keys.auditorOf(ctx, l)
	if err != nil {
		return nil, err
	}
	return a.d.Wallet.BuildIssue(ctx, l, wallet.IssueSpec{Core: me, Bank: req.Bank, Currency: a.d.Currency, Invoices: req.Invoices,
		Amount: amount, Holder: holder, Auditor: aud, Maturity: req.Maturity.UTC().Truncate(time.Second)})
}

// hexBytes decodes a hex field of exactly n bytes.
func hexBytes(field, s string, n int) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != n {
		return nil, gateway.Invalid("invalid "+field, problem.FieldError{Field: field, Reason: fmt.Sprintf("%d hex digits", 2*n)})
	}
	return b, nil
}
