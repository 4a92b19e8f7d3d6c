package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/services/invoice"
)

// The regulator's routes read its own peer through the audit service; the
// regulator's identity can write nothing (the channel refuses it), and
// these routes are reads only.
func (a *API) registerAudit(r *gateway.Routes) {
	if a.d.Auditor == nil {
		// Only the regulator's gateway holds the audit key.
		r.NotHosted(http.MethodGet, "/audit/*report", "audit reports are served by the regulator's gateway only: no other gateway holds the audit key")
		return
	}
	reg := model.RoleRegulator
	r.GET("/audit/report", oneHeight(a.auditReport), reg)
	r.GET("/audit/reconciliation", oneHeight(a.reconciliation), reg)
	r.GET("/audit/tokens.csv", oneHeight(a.tokensCSV), reg)
	r.GET("/audit/receivables/:root", oneHeight(a.trace), reg)
	r.GET("/audit/overdue", oneHeight(a.overdue), reg)
	r.GET("/audit/concentration", oneHeight(a.concentration), reg)
	r.GET("/audit/credit-lines", oneHeight(a.auditCreditLines), reg)
	r.GET("/audit/reuse-attempts", oneHeight(a.reuseAttempts), reg)
	r.GET("/audit/financing", oneHeight(a.auditFinancing), reg)
}

// errLedgerMoving answers a report refused because blocks kept committing
// while its queries ran (audit.ErrLedgerMoving): nothing is wrong but
// timing, so retry.
var errLedgerMoving = problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable,
	"blocks kept committing while the report was read; no single block height could be read").WithHeader("Retry-After", "1")

// oneHeight maps audit.ErrLedgerMoving to errLedgerMoving.
func oneHeight(h func(*gin.Context) error) func(*gin.Context) error {
	return func(c *gin.Context) error {
		err := h(c)
		if errors.Is(err, audit.ErrLedgerMoving) {
			return errLedgerMoving
		}
		return err
	}
}

// auditTime reads ?at= (RFC 3339), default now.
func (a *API) auditTime(c *gin.Context) (time.Time, error) {
	s := c.Query("at")
	if s == "" {
		return a.d.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, gateway.Invalid("invalid time", problem.FieldError{Field: "at", Reason: "RFC 3339, e.g. 2026-06-30T00:00:00Z"})
	}
	return t, nil
}

func (a *API) auditReport(c *gin.Context) error {
	at, err := a.auditTime(c)
	if err != nil {
		return err
	}
	rep, err := a.d.Auditor.Report(c.Request.Context(), at)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, rep)
	return nil
}

// Reconciliation is the outcome of opening every amount on the ledger.
type Reconciliation struct {
	ReadAt   time.Time     `json:"readAt"`
	AsOf     audit.AsOf    `json:"asOf"` // the block height every amount was read at
	Summary  audit.Summary `json:"summary"`
	Breaks   []audit.Break `json:"breaks"`
	Problems int           `json:"problems"` // envelope mismatches + unopenable + conservation breaks (disputes: Summary.Disputes)
	Items    []ReconItem   `json:"items"`
	// Disputes are the holders' disputes of their envelopes, each with the
	// amount the regulator opened itself.
	Disputes []audit.DisputeItem `json:"disputes"`
}

// ReconItem is one amount's reconciliation.
type ReconItem struct {
	Kind   string       `json:"kind"` // token, invoice, advance, fee or price
	ID     string       `json:"id"`
	Amount audit.Amount `json:"amount"`
	// Token and Root link the row to its token and that token's
	// receivable (GET /v1/audit/receivables/{root}): the token itself, the
	// financed token of an advance, fee or price, the root an invoice
	// backs; empty for an invoice that backs none yet.
	Token string `json:"token,omitempty"`
	Root  string `json:"root,omitempty"`
}

// reconItems lists every amount of the snapshot: tokens, invoices, and the
// financings' advances, fees and resale prices, each with its token.
func reconItems(snap *audit.Snapshot) []ReconItem {
	items := []ReconItem{}
	for _, t := range snap.Tokens {
		items = append(items, ReconItem{Kind: "token", ID: t.Token.ID, Amount: t.Amount, Token: t.Token.ID, Root: t.Token.Root})
	}
	for _, inv := range snap.Invoices {
		items = append(items, ReconItem{Kind: "invoice", ID: inv.Invoice.ID, Amount: inv.Amount, Token: inv.Invoice.UsedBy, Root: inv.Invoice.UsedBy})
	}
	// A financing's advance and fee, and each resale's price, by token.
	for _, f := range snap.Financing {
		if f.Advance != nil {
			items = append(items, ReconItem{Kind: "advance", ID: f.Token, Amount: *f.Advance, Token: f.Token, Root: f.Root})
		}
		if f.Fee != nil {
			items = append(items, ReconItem{Kind: "fee", ID: f.Token, Amount: *f.Fee, Token: f.Token, Root: f.Root})
		}
		for _, r := range f.Resales {
			items = append(items, ReconItem{Kind: "price", ID: f.Token, Amount: r.Price, Token: f.Token, Root: f.Root})
		}
	}
	return items
}

func (a *API) reconciliation(c *gin.Context) error {
	snap, err := a.d.Auditor.Snapshot(c.Request.Context())
	if err != nil {
		return err
	}
	s := snap.Summary
	out := Reconciliation{ReadAt: snap.ReadAt, AsOf: snap.AsOf, Summary: s, Breaks: snap.Breaks,
		Problems: s.EnvelopeMismatch + s.Unopenable + s.Breaks + s.FinancingBreaks, Items: reconItems(snap), Disputes: snap.Disputes}
	if out.Breaks == nil {
		out.Breaks = []audit.Break{}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (a *API) tokensCSV(c *gin.Context) error {
	snap, err := a.d.Auditor.Snapshot(c.Request.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := snap.WriteTokensCSV(&buf, a.d.Now()); err != nil {
		return err
	}
	c.Header("Content-Disposition", `attachment; filename="tierchain-tokens.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	return nil
}

func (a *API) trace(c *gin.Context) error {
	root, err := gateway.PathID(c, "root")
	if err != nil {
		return err
	}
	tr, err := a.d.Auditor.Trace(c.Request.Context(), root)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, tr)
	return nil
}

func (a *API) overdue(c *gin.Context) error {
	at, err := a.auditTime(c)
	if err != nil {
		return err
	}
	snap, err := a.d.Auditor.Snapshot(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, snap.Overdue(at))
	return nil
}

func (a *API) concentration(c *gin.Context) error {
	snap, err := a.d.Auditor.Snapshot(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, snap.Concentration())
	return nil
}

func (a *API) auditCreditLines(c *gin.Context) error {
	snap, err := a.d.Auditor.Snapshot(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"asOf": snap.AsOf, "items": snap.CreditLines})
	return nil
}

func (a *API) reuseAttempts(c *gin.Context) error {
	snap, err := a.d.Auditor.Snapshot(c.Request.Context())
	if err != nil {
		return err
	}
	items, err := a.d.Auditor.Reuse(c.Request.Context(), snap)
	if err != nil {
		return err
	}
	if items == nil {
		items = []audit.ReuseItem{}
	}
	c.JSON(http.StatusOK, gin.H{"asOf": snap.AsOf, "items": items})
	return nil
}

// ReuseSource adapts the invoice service's log of refused uploads to the
// audit service.
type ReuseSource struct{ Log *invoice.ReuseLog }

// ReuseAttempts lists the recorded attempts.
func (r ReuseSource) ReuseAttempts(ctx context.Context) ([]audit.ReuseAttempt, error) {
	list, err := r.Log.ReuseAttempts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]audit.ReuseAttempt, len(list))
	for i, x := range list {
		out[i] = audit.ReuseAttempt{At: x.At, Supplier: x.SupplierID, Buyer: x.BuyerID, Number: x.Number,
			Fingerprint: x.Fingerprint, Reason: x.Reason}
	}
	return out, nil
}

// auditFinancing: every financed piece reconciled (advance and fee against
// the terms, resale prices against the face) and each bank's book:
// financed volume, pieces bought and sold, defaults and recourse.
func (a *API) auditFinancing(c *gin.Context) error {
	snap, err := a.d.Auditor.Snapshot(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, snap.FinancingReport())
	return nil
}
