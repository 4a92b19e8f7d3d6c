package api

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/wallet"
)

func (a *API) registerReceivables(r *gateway.Routes) {
	r.POST("/credit-lines", a.grantCreditLine, model.RoleBank)
	r.GET("/credit-lines", a.listCreditLines, model.RoleCore, model.RoleBank)
	r.POST("/receivables", a.issue, model.RoleCore)
}

// CreditLineRequest is a bank's limit for a core enterprise in one
// currency: a core has one line per bank and currency.
type CreditLineRequest struct {
	Core     string    `json:"core"`
	Currency string    `json:"currency"` // ISO 4217
	Limit    string    `json:"limit"`    // decimal amount of Currency
	Expiry   time.Time `json:"expiry"`
}

// Validate checks the request's shape.
func (r *CreditLineRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if model.ValidateID("core", r.Core) != nil {
		errs = append(errs, problem.FieldError{Field: "core", Reason: "an enterprise ID"})
	}
	if !model.ValidCurrency(r.Currency) {
		errs = append(errs, problem.FieldError{Field: "currency", Reason: "an ISO 4217 currency code such as CNY or USD"})
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
	limit, err := parseAmount("limit", req.Limit, req.Currency)
	if err != nil {
		return err
	}
	var out model.CreditLine
	if _, err := a.submit(c, "GrantCreditLine", &model.GrantCreditLineRequest{Core: req.Core, Currency: req.Currency,
		Limit: limit, Expiry: req.Expiry.UTC().Truncate(time.Second)}, &out); err != nil {
		return err
	}
	created(c, "", a.creditLineView(c, out))
	return nil
}

// CreditLineView is a credit line with its limit as money and, for the
// core, the opened outstanding sum; for the line's bank, Used and Left:
// the sum of the unsettled roots issued against the line that the bank's
// wallet opened (their bank envelopes), and the limit less that. Partial
// says SealedRoots unsettled roots could not be opened (issued without a
// bank envelope, or with one that lied): Used is then a lower bound and
// Left an upper one.
type CreditLineView struct {
	model.CreditLine
	LimitAmount Money  `json:"limitAmount"`
	Outstanding *Money `json:"outstandingAmount,omitempty"`
	Available   *Money `json:"availableAmount,omitempty"`
	Used        *Money `json:"used,omitempty"`
	Left        *Money `json:"left,omitempty"`
	Partial     bool   `json:"partial,omitempty"`
	SealedRoots int    `json:"sealedRoots,omitempty"`
}

func (a *API) creditLineView(c *gin.Context, cl model.CreditLine) CreditLineView {
	// The outstanding sum is a commitment only the core's wallet opens:
	// sealed to anyone else.
	v := CreditLineView{CreditLine: cl, LimitAmount: NewMoney(cl.Limit, cl.Currency), Outstanding: SealedMoney(cl.Currency)}
	p := gateway.PrincipalOf(c)
	if p.EnterpriseID == cl.Bank {
		return a.lineUsageView(c, v)
	}
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
	out := NewMoney(o.Value, cl.Currency)
	v.Outstanding = &out
	if o.Value <= cl.Limit {
		avail := NewMoney(cl.Limit-o.Value, cl.Currency)
		v.Available = &avail
	}
	return v
}

// lineUsageView adds, for the line's bank, how much of the line is used
// and left as its wallet opened it (as of its last Sync).
func (a *API) lineUsageView(c *gin.Context, v CreditLineView) CreditLineView {
	l, err := a.ledger(c)
	if err != nil {
		return v
	}
	u, err := a.d.Wallet.LineUsage(c.Request.Context(), v.Bank, v.Core, v.Currency, l)
	if err != nil {
		a.d.Log.Warn("line use not opened", "core", v.Core, "bank", v.Bank, "error", err)
		return v
	}
	used, left := NewMoney(u.Used, v.Currency), NewMoney(0, v.Currency)
	if u.Used <= v.Limit {
		left = NewMoney(v.Limit-u.Used, v.Currency)
	}
	v.Used, v.Left, v.Partial, v.SealedRoots = &used, &left, u.Sealed > 0, u.Sealed
	return v
}

// listCreditLines: a core's lines at every bank and in every currency
// (with its opened outstanding), or one bank's lines for ?core= (one per
// currency; ?currency= picks one).
func (a *API) listCreditLines(c *gin.Context) error {
	p := gateway.PrincipalOf(c)
	if p.Role == model.RoleBank {
		return a.bankCreditLines(c, p.EnterpriseID)
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

// bankCreditLines lists the bank's lines for ?core=: in ?currency= only,
// or in every currency the read model has seen a line in (each read from
// the ledger, so limits and counts are current), each with its use as the
// bank's wallet opens it (synced first).
func (a *API) bankCreditLines(c *gin.Context, bank string) error {
	core, cur := c.Query("core"), c.Query("currency")
	if model.ValidateID("core", core) != nil {
		return gateway.Invalid("a bank lists its lines of one core", problem.FieldError{Field: "core", Reason: "an enterprise ID"})
	}
	if cur != "" && !model.ValidCurrency(cur) {
		return gateway.Invalid("invalid currency", problem.FieldError{Field: "currency", Reason: "an ISO 4217 currency code such as CNY or USD"})
	}
	currencies := []string{cur}
	if cur == "" {
		if a.d.Index == nil {
			return gateway.Invalid("name the line's currency", problem.FieldError{Field: "currency",
				Reason: "this gateway keeps no read model to list every currency: an ISO 4217 code"})
		}
		pg, err := a.d.Index.CreditLines(c.Request.Context(), indexer.CreditLineQuery{Core: core, Bank: bank, Limit: indexer.MaxPageSize})
		if err != nil {
			return err
		}
		currencies = currencies[:0]
		for _, l := range pg.Items {
			currencies = append(currencies, l.Currency)
		}
		slices.Sort(currencies)
	}
	if err := a.syncWallet(c); err != nil {
		// The lines are still the ledger's; their use stays as last opened.
		a.d.Log.Warn("bank wallet not synced", "bank", bank, "error", err)
	}
	out := model.Page[CreditLineView]{Items: []CreditLineView{}}
	for _, cc := range currencies {
		var cl model.CreditLine
		err := a.evaluate(c, &cl, "GetCreditLine", core, bank, cc)
		var ce *fabricclient.ChaincodeError
		if errors.As(err, &ce) && ce.Code == string(model.CodeNotFound) && cur == "" {
			continue // the read model is ahead of this peer, or the line is gone
		}
		if err != nil {
			return err
		}
		out.Items = append(out.Items, a.creditLineView(c, cl))
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// IssueRequest is a core's issue of a receivable to a supplier.
type IssueRequest struct {
	Holder   string    `json:"holder"`
	Bank     string    `json:"bank"`     // whose credit line backs it
	Invoices []string  `json:"invoices"` // confirmed invoice IDs (fingerprints)
	Amount   string    `json:"amount"`   // decimal; at most the invoices' total
	Maturity time.Time `json:"maturity"`
	// Currency is optional: the invoices' currency; when given it must
	// be theirs.
	Currency string `json:"currency,omitempty"`
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
	if r.Currency != "" && !model.ValidCurrency(r.Currency) {
		errs = append(errs, problem.FieldError{Field: "currency", Reason: "an ISO 4217 currency code such as CNY or USD"})
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
	cur, err := a.invoicesCurrency(c, req.Invoices, req.Currency)
	if err != nil {
		return err
	}
	amount, err := parseAmount("amount", req.Amount, cur)
	if err != nil {
		return err
	}
	me := gateway.PrincipalOf(c).EnterpriseID
	var tok model.TokenView
	if _, err := a.submitBuilt(c, "Issue", func(ctx context.Context, l wallet.Ledger) (any, error) {
		return a.buildIssue(ctx, l, me, req, amount, cur)
	}, &tok); err != nil {
		return err
	}
	m := NewMoney(amount, tok.Currency)
	created(c, "/v1/tokens/"+tok.ID, TokenView{TokenView: tok, Amount: &m})
	return nil
}

// buildIssue syncs the core's wallet and builds its issue.
func (a *API) buildIssue(ctx context.Context, l wallet.Ledger, me string, req IssueRequest, amount uint64, currency string) (*model.IssueRequest, error) {
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
	return a.d.Wallet.BuildIssue(ctx, l, wallet.IssueSpec{Core: me, Bank: req.Bank, Currency: currency, Invoices: req.Invoices,
		Amount: amount, Holder: holder, Auditor: aud, Maturity: req.Maturity.UTC().Truncate(time.Second),
		Numbers: a.issueNumbers(ctx, l, me, req.Invoices)})
}

// hexBytes decodes a hex field of exactly n bytes.
func hexBytes(field, s string, n int) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != n {
		return nil, gateway.Invalid("invalid "+field, problem.FieldError{Field: field, Reason: fmt.Sprintf("%d hex digits", 2*n)})
	}
	return b, nil
}

// invoicesCurrency is the one currency of the invoices an issue cites
// (read from the ledger); stated, when not empty, is the request's. A mix
// of currencies, or a stated currency not theirs, is refused with 422
// CURRENCY_MISMATCH before anything is built.
func (a *API) invoicesCurrency(c *gin.Context, ids []string, stated string) (string, error) {
	cur, first := "", ""
	for i, id := range ids {
		var inv model.Invoice
		if err := a.evaluate(c, &inv, "GetInvoice", id); err != nil {
			return "", err
		}
		if i == 0 {
			cur, first = inv.Currency, id
			continue
		}
		if inv.Currency != cur {
			return "", currencyMismatch(fmt.Sprintf("invoice %s… is in %s, invoice %s… in %s: one receivable is in one currency",
				first[:12], currencyName(cur), id[:12], currencyName(inv.Currency)),
				problem.FieldError{Field: fmt.Sprintf("invoices[%d]", i), Reason: "in " + currencyName(inv.Currency) + ", not " + currencyName(cur)})
		}
	}
	if stated != "" && stated != cur {
		return "", currencyMismatch("the receivable is in its invoices' currency, "+currencyName(cur),
			problem.FieldError{Field: "currency", Reason: "the invoices are in " + currencyName(cur)})
	}
	return cur, nil
}
