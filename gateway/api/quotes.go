package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/wallet"
)

// registerQuotes adds the requests for quotes: the holder asks several
// banks at once, each bank answers with a sealed quote, the holder
// accepts one (docs/crypto/financing.md, "Requests for quotes").
func (a *API) registerQuotes(r *gateway.Routes) {
	r.POST("/tokens/:id/rfq", a.requestQuotes, model.RoleSupplier)
	r.GET("/rfqs", a.listRFQs, model.RoleSupplier, model.RoleBank)
	r.GET("/rfqs/:id", a.getRFQ, model.RoleSupplier, model.RoleBank)
	r.POST("/rfqs/:id/cancel", a.cancelRFQ, model.RoleSupplier)
	r.POST("/rfqs/:id/quotes", a.submitQuote, model.RoleBank)
	r.POST("/quotes/:id/accept", a.acceptQuote, model.RoleSupplier)
	r.POST("/quotes/:id/withdraw", a.quoteAction("WithdrawQuote"), model.RoleBank)
}

// RFQRequest asks banks for quotes on a token until Expiry.
type RFQRequest struct {
	Banks  []string  `json:"banks"`
	Expiry time.Time `json:"expiry"`
	// Piece asks for quotes on this much of the token (decimal; empty:
	// all of it): the accepted quote's transaction splits the piece off,
	// the change stays with the holder.
	Piece string `json:"piece,omitempty"`
}

// Validate checks the request's shape.
func (r *RFQRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if len(r.Banks) < 1 || len(r.Banks) > model.MaxRFQBanks {
		errs = append(errs, problem.FieldError{Field: "banks", Reason: fmt.Sprintf("1 to %d bank IDs", model.MaxRFQBanks)})
	}
	seen := map[string]bool{}
	for i, b := range r.Banks {
		if model.ValidateID("bank", b) != nil || seen[b] {
			errs = append(errs, problem.FieldError{Field: fmt.Sprintf("banks[%d]", i), Reason: "a distinct enterprise ID"})
		}
		seen[b] = true
	}
	if r.Expiry.IsZero() || r.Expiry.Nanosecond() != 0 {
		errs = append(errs, problem.FieldError{Field: "expiry", Reason: "an RFC 3339 time in whole seconds"})
	}
	return errs
}

func (a *API) requestQuotes(c *gin.Context) error {
	var req RFQRequest
	k, err := a.open(c, &req)
	if err != nil {
		return err
	}
	var rfq model.RFQ
	if _, err := a.submitBuilt(c, "RequestQuotes", func(ctx context.Context, l wallet.Ledger) (any, error) {
		banks := make([]protocol.Recipient, len(req.Banks))
		for i, b := range req.Banks {
			if banks[i], err = a.keys.recipient(ctx, l, b); err != nil {
				return nil, err
			}
		}
		if err := a.ensureOpening(c, l, k.id); err != nil {
			return nil, err
		}
		if req.Piece == "" {
			return a.d.Wallet.BuildRequestQuotes(ctx, l, k.me, k.id, banks, req.Expiry.UTC())
		}
		return a.buildPieceRFQ(c, l, k.id, req, banks)
	}, &rfq); err != nil {
		return err
	}
	c.JSON(http.StatusOK, rfqView(model.RFQView{RFQ: rfq, Status: rfq.EffectiveStatus(a.d.Now())}, nil))
	return nil
}

// buildPieceRFQ builds a request for quotes on part of the token.
func (a *API) buildPieceRFQ(c *gin.Context, l wallet.Ledger, id string, req RFQRequest, banks []protocol.Recipient) (*model.RequestQuotesRequest, error) {
	if err := amountSyntax("piece", req.Piece); err != nil {
		return nil, err
	}
	cur, err := a.tokenCurrency(c, id)
	if err != nil {
		return nil, err
	}
	piece, err := parseAmount("piece", req.Piece, cur)
	if err != nil {
		return nil, err
	}
	ctx, me := c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID
	self, err := a.keys.recipient(ctx, l, me)
	if err != nil {
		return nil, err
	}
	aud, err := a.keys.auditorOf(ctx, l)
	if err != nil {
		return nil, err
	}
	return a.d.Wallet.BuildRequestQuotesPiece(ctx, l, self, id, piece, banks, req.Expiry.UTC(), aud)
}

// RFQView is a request for quotes with the quotes its reader may see,
// opened by the reader's wallet.
type RFQView struct {
	ID        string          `json:"id"`
	Token     string          `json:"token"`
	Requester string          `json:"requester"`
	Banks     []string        `json:"banks"`
	Expiry    time.Time       `json:"expiry"`
	Status    model.RFQStatus `json:"status"`
	Accepted  string          `json:"accepted,omitempty"`
	// Face and Maturity are what the quotes are priced on: the face opened
	// by the reader (the requester's wallet, or the invited bank's from its
	// envelope) and the token's maturity. Absent from lists.
	Face     *Money     `json:"face,omitempty"`
	Maturity *time.Time `json:"maturity,omitempty"`
	// Partial: the request is for a piece of the token (Face), split off
	// when a quote is accepted.
	Partial bool        `json:"partial,omitempty"`
	Quotes  []QuoteView `json:"quotes"`
	// InvoiceRefs, for an invited bank: the invoices under the receivable
	// with the numbers the requester sealed to it, checked against the
	// ledger as in the inbox (financing_refs.go). Absent from lists.
	InvoiceRefs []InvoiceRefView `json:"invoiceRefs,omitempty"`
}

// QuoteView is one quote: its public fields and, opened by the reader's
// wallet, its sealed terms and the advance it pays. Valid: the sealed
// terms open to the quote's digest and the committed advance and fee are
// what they pay on the face; only a valid quote can be accepted here.
type QuoteView struct {
	ID       string            `json:"id"`
	RFQ      string            `json:"rfq"`
	Bank     string            `json:"bank"`
	Status   model.QuoteStatus `json:"status"`
	Expiry   time.Time         `json:"expiry"`
	Recourse bool              `json:"recourse"`
	Terms    *terms.Terms      `json:"terms,omitempty"`
	Advance  *AdvanceView      `json:"advance,omitempty"`
	Valid    bool              `json:"valid"`
	Problem  string            `json:"problem,omitempty"`
}

func rfqView(v model.RFQView, quotes []QuoteView) RFQView {
	out := RFQView{ID: v.RFQ.ID, Token: v.RFQ.Token, Requester: v.RFQ.Requester, Expiry: v.RFQ.Expiry, Status: v.Status,
		Accepted: v.RFQ.Accepted, Banks: make([]string, len(v.RFQ.Banks)), Quotes: quotes, Partial: len(v.RFQ.Piece) > 0}
	for i, b := range v.RFQ.Banks {
		out.Banks[i] = b.Bank
	}
	if out.Quotes == nil {
		out.Quotes = []QuoteView{}
	}
	return out
}

// quoteView renders a quote on a token whose amount is in currency.
func quoteView(q wallet.OpenedQuote, currency string) QuoteView {
	v := QuoteView{ID: q.Quote.ID, RFQ: q.Quote.RFQ, Bank: q.Quote.Bank, Status: q.Status, Expiry: q.Quote.Expiry,
		Recourse: q.Quote.Recourse, Valid: q.Valid, Problem: q.Problem}
	if q.Valid {
		tm := q.Terms
		adv := advanceView(q.Figures, q.Quote.MaxAdvanceBP, currency)
		v.Terms, v.Advance = &tm, &adv
	}
	return v
}

// openedRFQ reads an RFQ and opens its quotes with the caller's wallet.
func (a *API) openedRFQ(c *gin.Context, id string) (RFQView, error) {
	l, err := a.ledger(c)
	if err != nil {
		return RFQView{}, err
	}
	me := gateway.PrincipalOf(c).EnterpriseID
	o, err := a.d.Wallet.OpenRFQ(c.Request.Context(), l, me, id)
	if err != nil {
		return RFQView{}, err
	}
	cur, err := a.tokenCurrency(c, o.View.RFQ.Token)
	if err != nil {
		return RFQView{}, err
	}
	qs := make([]QuoteView, len(o.Quotes))
	for i, q := range o.Quotes {
		qs[i] = quoteView(q, cur)
	}
	v := rfqView(*o.View, qs)
	face, maturity := NewMoney(o.Face, cur), o.Maturity
	v.Face, v.Maturity = &face, &maturity
	if o.View.RFQ.Invited(me) != nil {
		v.InvoiceRefs = a.rfqRefs(c.Request.Context(), l, me, &o.View.RFQ)
	}
	return v, nil
}

func (a *API) getRFQ(c *gin.Context) error {
	k, err := a.open(c, nil)
	if err != nil {
		return err
	}
	if err := a.syncWallet(c); err != nil {
		return err
	}
	v, err := a.openedRFQ(c, k.id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (a *API) listRFQs(c *gin.Context) error {
	return answerPage(a, c, gateway.PrincipalOf(c).EnterpriseID, "RFQs", func(v model.RFQView) RFQView {
		qs := make([]QuoteView, len(v.Quotes))
		for i, q := range v.Quotes {
			qs[i] = QuoteView{ID: q.Quote.ID, RFQ: q.Quote.RFQ, Bank: q.Quote.Bank, Status: q.Status, Expiry: q.Quote.Expiry, Recourse: q.Quote.Recourse}
		}
		return rfqView(v, qs)
	})
}

func (a *API) cancelRFQ(c *gin.Context) error {
	k, err := a.open(c, nil)
	if err != nil {
		return err
	}
	var rfq model.RFQ
	if _, err := a.submit(c, "CancelQuotes", &model.RFQActionRequest{RFQ: k.id}, &rfq); err != nil {
		return err
	}
	c.JSON(http.StatusOK, rfqView(model.RFQView{RFQ: rfq, Status: rfq.EffectiveStatus(a.d.Now())}, nil))
	return nil
}

// QuoteRequest is a bank's quote: its terms (their expiry is the quote's,
// their recourse flag public) and fee, sealed to the holder and the
// regulator; the bank's wallet commits to the advance they pay.
type QuoteRequest struct {
	Terms terms.Terms `json:"terms"`
	Fee   string      `json:"fee,omitempty"` // decimal; empty: no fee
}

// Validate checks the request's shape; the terms' own bounds with them.
func (r *QuoteRequest) Validate() []problem.FieldError {
	if err := r.Terms.Validate(); err != nil {
		return []problem.FieldError{{Field: "terms", Reason: err.Error()}}
	}
	return nil
}

func (a *API) submitQuote(c *gin.Context) error {
	var req QuoteRequest
	k, err := a.open(c, &req)
	if err != nil {
		return err
	}
	id := k.id
	spec := wallet.QuoteSpec{Bank: k.me, RFQ: id, Terms: req.Terms}
	if req.Fee != "" {
		if err := amountSyntax("fee", req.Fee); err != nil {
			return err
		}
		// The fee is in the currency of the token the RFQ is on.
		var rfq model.RFQView
		if err := a.evaluate(c, &rfq, "GetRFQ", id); err != nil {
			return err
		}
		cur, err := a.tokenCurrency(c, rfq.RFQ.Token)
		if err != nil {
			return err
		}
		if spec.Fee, err = parseAmount("fee", req.Fee, cur); err != nil {
			return err
		}
	}
	var q model.Quote
	if _, err := a.submitBuilt(c, "SubmitQuote", func(ctx context.Context, l wallet.Ledger) (any, error) {
		var rfq model.RFQView
		if err := evaluateWith(ctx, l, &rfq, "GetRFQ", id); err != nil {
			return nil, err
		}
		if spec.Holder, err = a.keys.recipient(ctx, l, rfq.RFQ.Requester); err != nil {
			return nil, err
		}
		if spec.Auditor, err = a.keys.auditorOf(ctx, l); err != nil {
			return nil, err
		}
		built, _, err := a.d.Wallet.BuildQuote(ctx, l, spec)
		return built, err
	}, &q); err != nil {
		return err
	}
	v, err := a.openedRFQ(c, q.RFQ)
	if err != nil {
		return err
	}
	for _, qv := range v.Quotes {
		if qv.ID == q.ID {
			c.JSON(http.StatusOK, qv)
			return nil
		}
	}
	return fmt.Errorf("api: quote %s not on its RFQ", q.ID)
}

// AcceptResult is an accepted quote: the token, FINANCING at the quote's
// bank, and the advance the holder will receive.
type AcceptResult struct {
	TxID  string    `json:"txId"`
	Token TokenView `json:"token"`
	// Change is what stays with the holder when the quote was on part of
	// the token (split off in the acceptance's transaction).
	Change  *TokenView  `json:"change,omitempty"`
	Quote   QuoteView   `json:"quote"`
	Advance AdvanceView `json:"advance"`
}

// acceptQuote: the holder's wallet opens the quote and checks that the
// committed advance is what its sealed terms pay before the acceptance
// is submitted (the chaincode cannot: the terms are secret to it).
func (a *API) acceptQuote(c *gin.Context) error {
	k, err := a.open(c, nil)
	if err != nil {
		return err
	}
	ctx, me, id := k.ctx, k.me, k.id
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	var t model.Token
	res, err := a.submitBuilt(c, "AcceptQuote", func(ctx context.Context, l wallet.Ledger) (any, error) {
		if _, err := a.d.Wallet.CheckAcceptable(ctx, l, me, id); err != nil {
			return nil, err
		}
		return &model.QuoteActionRequest{Quote: id}, nil
	}, &t)
	if err != nil {
		return err
	}
	var change *TokenView
	if from := t.Financing.Quote.SplitFrom; from != "" {
		// The wallet learns the piece and the change from the ledger.
		out, err := a.splitOutputs(c, t, from)
		if err != nil {
			return err
		}
		rep, err := a.d.Wallet.Receive(ctx, me, l, out)
		a.announceBad(me, rep)
		if err != nil {
			return err
		}
		ch := a.tokenView(c, out[1].View(a.d.Now()))
		change = &ch
	}
	view := t.View(a.d.Now())
	amounts, err := a.d.Wallet.OpenFinancing(ctx, me, &view)
	if err != nil {
		return err
	}
	var qv model.QuoteView
	if err := a.evaluate(c, &qv, "GetQuote", id); err != nil {
		return err
	}
	c.JSON(http.StatusOK, AcceptResult{TxID: res.TxID, Token: a.tokenView(c, view), Change: change,
		Quote: QuoteView{ID: qv.Quote.ID, RFQ: qv.Quote.RFQ, Bank: qv.Quote.Bank, Status: qv.Status, Expiry: qv.Quote.Expiry,
			Recourse: qv.Quote.Recourse, Terms: &amounts.Terms, Valid: true},
		Advance: advanceView(amounts.Quote, amounts.MaxAdvanceBP, t.Currency)})
	return nil
}

// splitOutputs reads the two children of the token an accepted quote on
// part of it split: the piece financed (t) and the change.
func (a *API) splitOutputs(c *gin.Context, t model.Token, from string) ([]model.Token, error) {
	parent, err := a.token(c, from)
	if err != nil {
		return nil, err
	}
	if len(parent.Children) != 2 || parent.Children[0] != t.ID {
		return nil, fmt.Errorf("api: token %s was not split into %s and its change", from, t.ID)
	}
	ch, err := a.token(c, parent.Children[1])
	if err != nil {
		return nil, err
	}
	return []model.Token{t, ch.Token}, nil
}

// quoteAction: a state change of one quote by its bank.
func (a *API) quoteAction(fn string) gateway.HandlerFunc {
	return func(c *gin.Context) error {
		k, err := a.open(c, nil)
		if err != nil {
			return err
		}
		var q model.Quote
		if _, err := a.submit(c, fn, &model.QuoteActionRequest{Quote: k.id}, &q); err != nil {
			return err
		}
		c.JSON(http.StatusOK, QuoteView{ID: q.ID, RFQ: q.RFQ, Bank: q.Bank, Status: q.EffectiveStatus(a.d.Now()),
			Expiry: q.Expiry, Recourse: q.Recourse})
		return nil
	}
}
