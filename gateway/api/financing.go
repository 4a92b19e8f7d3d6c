package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/wallet"
)

// registerFinancing adds the financing routes: requests with and without
// terms, the bank's decision, the channel's policy, default and recourse.
func (a *API) registerFinancing(r *gateway.Routes) {
	r.POST("/tokens/:id/financing", a.requestFinancing, model.RoleSupplier)
	r.POST("/tokens/:id/financing/quote", a.quoteFinancing, model.RoleSupplier)
	r.POST("/tokens/:id/financing/terms", a.requestTermFinancing, model.RoleSupplier)
	r.GET("/tokens/:id/financing", a.getFinancing, model.RoleSupplier, model.RoleBank)
	r.POST("/tokens/:id/financing/cancel", a.tokenAction("CancelFinancing"), model.RoleSupplier)
	r.POST("/tokens/:id/financing/approve", a.approveFinancing, model.RoleBank)
	r.POST("/tokens/:id/financing/reject", a.tokenAction("RejectFinancing"), model.RoleBank)
	r.POST("/tokens/:id/default", a.tokenAction("DeclareDefault"), model.RoleSupplier, model.RoleBank, model.RoleOperator)
	r.POST("/tokens/:id/recourse", a.withReference("ExerciseRecourse", "the bank's claim reference"), model.RoleBank)
	r.POST("/tokens/:id/recourse/repaid", a.withReference("SettleRecourse", "the seller's repayment reference"), model.RoleBank)
	r.GET("/financing-requests", a.financingRequests, model.RoleBank)
	r.GET("/financing/policy", a.getFinancingPolicy)
	r.PUT("/financing/policy", a.setFinancingPolicy, model.RoleOperator)
	a.registerResale(r)
}

// FinancingRequest asks a bank to finance a token.
type FinancingRequest struct {
	Bank string `json:"bank"`
}

// Validate checks the request's shape.
func (r *FinancingRequest) Validate() []problem.FieldError {
	if model.ValidateID("bank", r.Bank) != nil {
		return []problem.FieldError{{Field: "bank", Reason: "an enterprise ID"}}
	}
	return nil
}

func (a *API) requestFinancing(c *gin.Context) error {
	var req FinancingRequest
	k, err := a.open(c, &req)
	if err != nil {
		return err
	}
	return a.submitBuiltToken(c, "RequestFinancing", func(ctx context.Context, l wallet.Ledger) (any, error) {
		bank, err := a.keys.recipient(ctx, l, req.Bank)
		if err != nil {
			return nil, err
		}
		if err := a.ensureOpening(c, l, k.id); err != nil {
			return nil, err
		}
		return a.d.Wallet.BuildFinance(ctx, l, k.me, k.id, bank)
	})
}

// ApproveRequest records the bank's disbursement.
type ApproveRequest struct {
	DisbursementRef string `json:"disbursementRef"`
	AgreementHash   string `json:"agreementHash"` // hex SHA-256 of the financing agreement
}

// Validate checks the request's shape.
func (r *ApproveRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if r.DisbursementRef == "" || len(r.DisbursementRef) > model.MaxTextLength {
		errs = append(errs, problem.FieldError{Field: "disbursementRef", Reason: fmt.Sprintf("1 to %d bytes", model.MaxTextLength)})
	}
	if len(r.AgreementHash) != 64 {
		errs = append(errs, problem.FieldError{Field: "agreementHash", Reason: "64 hex digits (SHA-256 of the agreement)"})
	}
	return errs
}

func (a *API) approveFinancing(c *gin.Context) error {
	var req ApproveRequest
	k, err := a.open(c, &req)
	if err != nil {
		return err
	}
	hash, err := hexBytes("agreementHash", req.AgreementHash, 32)
	if err != nil {
		return err
	}
	return a.submitToken(c, "ApproveFinancing", &model.ApproveFinancingRequest{Token: k.id,
		DisbursementRef: req.DisbursementRef, AgreementHash: hash})
}

// financingRequests: a bank's pending requests with the amounts disclosed
// to it and the underlying invoices' numbers, checked against the ledger's
// records (read from the bank's read model, the ledger when it lacks one;
// financing_refs.go).
func (a *API) financingRequests(c *gin.Context) error {
	p := gateway.PrincipalOf(c)
	req, err := page(c, p.EnterpriseID)
	if err != nil {
		return err
	}
	if err := a.syncWallet(c); err != nil {
		return err
	}
	var pg model.Page[model.TokenView]
	if err := a.evaluate(c, &pg, "FinancingRequests", req); err != nil {
		return err
	}
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, a.financingRequestViews(c, l, pg))
	return nil
}

// TermFinancingRequest asks a bank to finance a token, or a piece of it,
// under the bank's terms: the wallet computes the advance, commits to it
// and to the fee, and proves them to the chaincode.
type TermFinancingRequest struct {
	Bank  string      `json:"bank"`
	Terms terms.Terms `json:"terms"`
	Fee   string      `json:"fee,omitempty"`   // decimal; empty: no fee
	Piece string      `json:"piece,omitempty"` // decimal; empty: the whole token
}

// Validate checks the request's shape; the terms' own bounds are checked
// with them.
func (r *TermFinancingRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if model.ValidateID("bank", r.Bank) != nil {
		errs = append(errs, problem.FieldError{Field: "bank", Reason: "an enterprise ID"})
	}
	if err := r.Terms.Validate(); err != nil {
		errs = append(errs, problem.FieldError{Field: "terms", Reason: err.Error()})
	}
	return errs
}

// AdvanceView is what a financing pays, in minor units and decimals:
// advance = gross − discount − fee (docs/crypto/financing.md).
type AdvanceView struct {
	Face     Money `json:"face"`
	Days     int   `json:"days"`
	Gross    Money `json:"gross"`
	Discount Money `json:"discount"`
	Fee      Money `json:"fee"`
	Advance  Money `json:"advance"`
	// WithinCap: the advance is within the channel's policy cap (a
	// request above it is refused).
	WithinCap    bool  `json:"withinCap"`
	MaxAdvanceBP int64 `json:"maxAdvanceBp"`
}

// advanceView renders a financing's figures in the token's currency.
func advanceView(v terms.Advance, capBP int64, currency string) AdvanceView {
	ok, err := terms.WithinCap(capBP, v.Face, v.Advance)
	m := func(x uint64) Money { return NewMoney(x, currency) }
	return AdvanceView{Face: m(v.Face), Days: int(v.Days), Gross: m(v.Gross), Discount: m(v.Discount),
		Fee: m(v.Fee), Advance: m(v.Advance), WithinCap: ok && err == nil, MaxAdvanceBP: capBP}
}

// termSpec opens a handler on a TermFinancingRequest for the token in the
// path and decodes it into the wallet's spec (bank and auditor keys are
// the caller's to add); the bank is the request's.
func (a *API) termSpec(c *gin.Context) (call, wallet.TermFinanceSpec, string, error) {
	var req TermFinancingRequest
	k, err := a.open(c, &req)
	if err != nil {
		return k, wallet.TermFinanceSpec{}, "", err
	}
	spec := wallet.TermFinanceSpec{Holder: k.me, Token: k.id, Terms: req.Terms}
	if req.Fee == "" && req.Piece == "" {
		return k, spec, req.Bank, nil
	}
	for _, f := range [][2]string{{"fee", req.Fee}, {"piece", req.Piece}} {
		if f[1] == "" {
			continue
		}
		if err := amountSyntax(f[0], f[1]); err != nil {
			return k, spec, "", err
		}
	}
	// The fee and the piece are amounts of the token's currency.
	cur, err := a.tokenCurrency(c, k.id)
	if err != nil {
		return k, spec, "", err
	}
	for _, f := range []struct {
		name, text string
		into       *uint64
	}{{"fee", req.Fee, &spec.Fee}, {"piece", req.Piece, &spec.Piece}} {
		if f.text == "" {
			continue
		}
		if *f.into, err = parseAmount(f.name, f.text, cur); err != nil {
			return k, spec, "", err
		}
	}
	return k, spec, req.Bank, nil
}

// quoteFinancing: the advance the caller would receive for its token (or
// a piece) under the terms, against the channel's cap, without asking.
func (a *API) quoteFinancing(c *gin.Context) error {
	k, spec, _, err := a.termSpec(c)
	if err != nil {
		return err
	}
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	if err := a.ensureOpening(c, l, spec.Token); err != nil {
		return err
	}
	q, err := a.d.Wallet.QuoteTermFinance(k.ctx, l, spec)
	if err != nil {
		return err
	}
	cur, err := a.tokenCurrency(c, spec.Token)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, advanceView(q.Advance, q.MaxAdvanceBP, cur))
	return nil
}

// FinancingResult is a financing requested with terms: the token (or
// piece) now FINANCING, the change a partial financing left with the
// caller, and the advance the caller will receive.
type FinancingResult struct {
	TxID    string      `json:"txId"`
	Token   TokenView   `json:"token"`
	Change  *TokenView  `json:"change,omitempty"`
	Advance AdvanceView `json:"advance"`
}

func (a *API) requestTermFinancing(c *gin.Context) error {
	k, spec, bank, err := a.termSpec(c)
	if err != nil {
		return err
	}
	ctx, me := k.ctx, k.me
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	var out []model.Token
	res, err := a.submitBuilt(c, "RequestTermFinancing", func(ctx context.Context, l wallet.Ledger) (any, error) {
		if spec.Bank, err = a.keys.recipient(ctx, l, bank); err != nil {
			return nil, err
		}
		if spec.Auditor, err = a.keys.auditorOf(ctx, l); err != nil {
			return nil, err
		}
		if err := a.ensureOpening(c, l, spec.Token); err != nil {
			return nil, err
		}
		built, _, err := a.d.Wallet.BuildTermFinance(ctx, l, spec)
		return built, err
	}, &out)
	if err != nil {
		return err
	}
	if len(out) == 0 {
		return fmt.Errorf("api: RequestTermFinancing returned no token")
	}
	// The wallet learns the piece and the change from the ledger, then
	// opens the advance as the requester sees it.
	rep, err := a.d.Wallet.Receive(ctx, me, l, out)
	a.announceBad(me, rep)
	if err != nil {
		return err
	}
	now := a.d.Now()
	view := out[0].View(now)
	amounts, err := a.d.Wallet.OpenFinancing(ctx, me, &view)
	if err != nil {
		return err
	}
	result := FinancingResult{TxID: res.TxID, Token: a.tokenView(c, view),
		Advance: advanceView(amounts.Quote, out[0].Financing.Terms.MaxAdvanceBP, out[0].Currency)}
	if len(out) > 1 {
		ch := a.tokenView(c, out[1].View(now))
		result.Change = &ch
	}
	c.JSON(http.StatusOK, result)
	return nil
}

// FinancingView is a token's financing with terms as its requester or its
// bank opens it: the terms, the cap proven against, and the amounts.
type FinancingView struct {
	Token        TokenView   `json:"token"`
	Terms        terms.Terms `json:"terms"`
	MaxAdvanceBP int64       `json:"maxAdvanceBp"`
	Advance      AdvanceView `json:"advance"`
	// Matches: the advance and fee on the ledger are the terms' own
	// figures for the face (the chaincode proved it; the wallet checks).
	Matches bool `json:"matches"`
	// OverdueInterest accrues at the terms' penalty rate on the face
	// after maturity, as of now.
	OverdueInterest Money `json:"overdueInterest"`
}

func (a *API) getFinancing(c *gin.Context) error {
	k, t, err := a.pathToken(c)
	if err != nil {
		return err
	}
	amounts, err := a.d.Wallet.OpenFinancing(k.ctx, k.me, &t)
	if err != nil {
		return err
	}
	now := a.d.Now()
	overdue, err := terms.OverdueInterest(&amounts.Terms, amounts.Face, t.Maturity, now)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, FinancingView{Token: a.tokenView(c, t), Terms: amounts.Terms, MaxAdvanceBP: amounts.MaxAdvanceBP,
		Advance:         advanceView(amounts.Quote, amounts.MaxAdvanceBP, t.Currency),
		Matches:         amounts.Quote.Advance == amounts.Advance && amounts.Quote.Fee == amounts.Fee,
		OverdueInterest: NewMoney(overdue, t.Currency)})
	return nil
}

// withReference: a state change of one token whose reason (a reference)
// is required: the bank's recourse claim, the seller's repayment.
func (a *API) withReference(fn, what string) gateway.HandlerFunc {
	return func(c *gin.Context) error {
		var req ReasonRequest
		k, err := a.open(c, &req)
		if err != nil {
			return err
		}
		if req.Reason == "" {
			return gateway.Invalid("invalid reason", problem.FieldError{Field: "reason", Reason: what})
		}
		return a.submitToken(c, fn, &model.TokenActionRequest{Token: k.id, Reason: req.Reason})
	}
}

func (a *API) getFinancingPolicy(c *gin.Context) error {
	var p model.FinancingPolicy
	if err := a.evaluate(c, &p, "GetFinancingPolicy"); err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

// FinancingPolicyRequest sets the channel's financing policy.
type FinancingPolicyRequest struct {
	MaxAdvanceBP int64 `json:"maxAdvanceBp"`
	GraceDays    int   `json:"graceDays"`
}

// Validate checks the request's shape.
func (r *FinancingPolicyRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if r.MaxAdvanceBP < 1 || r.MaxAdvanceBP > terms.BP {
		errs = append(errs, problem.FieldError{Field: "maxAdvanceBp", Reason: fmt.Sprintf("1 to %d basis points (at most 100 %% of face)", terms.BP)})
	}
	if r.GraceDays < 0 || r.GraceDays > model.MaxGraceDays {
		errs = append(errs, problem.FieldError{Field: "graceDays", Reason: fmt.Sprintf("0 to %d", model.MaxGraceDays)})
	}
	return errs
}

func (a *API) setFinancingPolicy(c *gin.Context) error {
	var req FinancingPolicyRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	var p model.FinancingPolicy
	if _, err := a.submit(c, "SetFinancingPolicy", &model.SetFinancingPolicyRequest{MaxAdvanceBP: req.MaxAdvanceBP, GraceDays: req.GraceDays}, &p); err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}
