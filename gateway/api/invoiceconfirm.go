package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/invoice"
)

// The buyer's side of an invoice. The core's gateway sees only the ledger:
// it opens the seller's sealed filing to show the confirmer the invoice as
// filed, holds a near-duplicate of another invoice of the same seller until
// the buyer records a review, and confirms with the fingerprint recomputed
// from the buyer's own copy of the number and the seller's legal ID, which
// the chaincode compares with the registered one.

// FilingView is the invoice as its seller filed it, as the buyer sees it.
type FilingView struct {
	Number         string    `json:"number"`
	IssueDate      string    `json:"issueDate"`
	DueDate        string    `json:"dueDate"`
	Amount         Money     `json:"amount"`
	Seller         PartyView `json:"seller"`
	Buyer          PartyView `json:"buyer"`
	DocumentSHA256 string    `json:"documentSha256"`
	MediaType      string    `json:"mediaType"`
	Document       string    `json:"document,omitempty"` // the document's text, when carried
	PDFSHA256      string    `json:"pdfSha256,omitempty"`
	// AmountMatches reports whether the filed amount is the amount the
	// seller committed to on the ledger (opened from the buyer's envelope);
	// a confirmation is refused when it is not.
	AmountMatches bool `json:"amountMatches"`
}

// PartyView is a party as the filing names it.
type PartyView struct {
	LegalID string `json:"legalId"`
	Name    string `json:"name"`
}

// Hold is a registered invoice held as a near-duplicate: invoices of the
// same seller to this buyer with an amount within 1 % and an issue date
// within 7 days. It may be confirmed only with a recorded review.
type Hold struct {
	Reason         string           `json:"reason"` // "near-duplicate"
	NearDuplicates []string         `json:"nearDuplicates"`
	Reviews        []invoice.Review `json:"reviews"`
}

// ConfirmInvoiceRequest is the buyer's confirmation: its own copy of the
// fields that identify the invoice, from its records (not from the
// filing), and, for a held invoice, its review decision.
type ConfirmInvoiceRequest struct {
	Number string         `json:"number"` // the invoice number as the buyer's records hold it
	Seller string         `json:"seller"` // the seller's legal ID as the buyer's records hold it
	Reason string         `json:"reason,omitempty"`
	Review *ReviewRequest `json:"review,omitempty"`
}

// ReviewRequest is a buyer's decision on a held near-duplicate.
type ReviewRequest struct {
	Decision string `json:"decision"` // "distinct"
	Note     string `json:"note"`     // what the buyer checked
}

// Validate checks the request's shape.
func (r *ConfirmInvoiceRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if r.Number == "" || len(r.Number) > 128 {
		errs = append(errs, problem.FieldError{Field: "number", Reason: "1-128 bytes: the invoice number as your records hold it"})
	}
	if r.Seller == "" || len(r.Seller) > 64 {
		errs = append(errs, problem.FieldError{Field: "seller", Reason: "1-64 bytes: the seller's legal ID as your records hold it"})
	}
	if len(r.Reason) > model.MaxTextLength {
		errs = append(errs, problem.FieldError{Field: "reason", Reason: fmt.Sprintf("at most %d bytes", model.MaxTextLength)})
	}
	if r.Review != nil {
		if r.Review.Decision != invoice.ReviewDistinct {
			errs = append(errs, problem.FieldError{Field: "review.decision", Reason: `"distinct": you checked that the invoices are different invoices`})
		}
		if r.Review.Note == "" || len(r.Review.Note) > model.MaxTextLength {
			errs = append(errs, problem.FieldError{Field: "review.note", Reason: fmt.Sprintf("1-%d bytes: what you checked", model.MaxTextLength)})
		}
	}
	return errs
}

// buyerFiling is one invoice owed by the buyer with its opened filing.
type buyerFiling struct {
	inv    model.Invoice
	filing *invoice.Filing // nil when it did not open
	err    error
}

const ctxBuyerFilings = "tierchain.buyerFilings"

// buyerFilings reads every invoice owed by the calling core and opens its
// filing, once per request.
func (a *API) buyerFilings(c *gin.Context) ([]buyerFiling, error) {
	if v, ok := c.Get(ctxBuyerFilings); ok {
		return v.([]buyerFiling), nil
	}
	ctx := c.Request.Context()
	me := gateway.PrincipalOf(c).EnterpriseID
	key, err := a.d.Wallet.PrivateKey(ctx, me)
	if err != nil {
		return nil, err
	}
	var out []buyerFiling
	req := model.PageRequest{Owner: me, PageSize: model.MaxPageSize}
	for range 64 { // at most 64 × 200 invoices are compared
		var pg model.Page[model.Invoice]
		if err := a.evaluate(c, &pg, "InvoicesByBuyer", req); err != nil {
			return nil, err
		}
		for _, inv := range pg.Items {
			f, err := invoice.OpenFiling(key, &inv)
			out = append(out, buyerFiling{inv: inv, filing: f, err: err})
		}
		if pg.Bookmark == "" {
			break
		}
		req.Bookmark = pg.Bookmark
	}
	c.Set(ctxBuyerFilings, out)
	return out, nil
}

// nearDuplicates lists the invoices of the same seller owed by this buyer,
// still alive (registered, confirmed or used), that look like f.
func nearDuplicates(all []buyerFiling, inv *model.Invoice, f *invoice.Filing) []string {
	near := []string{}
	for _, o := range all {
		if o.inv.ID == inv.ID || o.filing == nil || o.inv.Supplier != inv.Supplier ||
			!slices.Contains([]model.InvoiceStatus{model.InvoiceRegistered, model.InvoiceConfirmed, model.InvoiceUsed}, o.inv.Status) {
			continue
		}
		if invoice.NearDuplicate(f, o.filing) {
			near = append(near, o.inv.ID)
		}
	}
	return near
}

// buyerView adds the filing and the hold to the buyer's view of v.
func (a *API) buyerView(c *gin.Context, v *InvoiceResponse) {
	ctx := c.Request.Context()
	all, err := a.buyerFilings(c)
	if err != nil {
		a.d.Log.Warn("buyer's filings not read", "error", err)
		v.FilingProblem = "the filings could not be read just now"
		return
	}
	i := slices.IndexFunc(all, func(b buyerFiling) bool { return b.inv.ID == v.ID })
	var f *invoice.Filing
	if i >= 0 {
		f, err = all[i].filing, all[i].err
	} else if key, kerr := a.d.Wallet.PrivateKey(ctx, v.Buyer); kerr == nil {
		f, err = invoice.OpenFiling(key, &v.Invoice)
	} else {
		err = kerr
	}
	if err != nil {
		v.FilingProblem = filingProblem(err)
		return
	}
	v.Filing = a.filingView(f, v.Amount)
	if v.Status != model.InvoiceRegistered {
		return
	}
	if near := nearDuplicates(all, &v.Invoice, f); len(near) > 0 {
		reviews := []invoice.Review{}
		if a.d.Reuse != nil {
			if reviews, err = a.d.Reuse.Reviews(ctx, v.ID, v.Buyer); err != nil {
				a.d.Log.Warn("reviews not read", "error", err)
			}
		}
		v.Hold = &Hold{Reason: "near-duplicate", NearDuplicates: near, Reviews: reviews}
	}
}

func filingProblem(err error) string {
	if errors.Is(err, invoice.ErrFiling) {
		return "the seller's filing does not open with your key or does not match the ledger record"
	}
	return "the seller's filing could not be opened"
}

func (a *API) filingView(f *invoice.Filing, committed *Money) *FilingView {
	amount := NewMoney(uint64(max(f.AmountMinor, 0)), f.Currency)
	return &FilingView{
		Number: f.Number, IssueDate: f.IssueDate, DueDate: f.DueDate, Amount: amount,
		Seller: PartyView{LegalID: f.SellerID, Name: f.SellerName}, Buyer: PartyView{LegalID: f.BuyerID, Name: f.BuyerName},
		DocumentSHA256: f.DocumentSHA256, MediaType: f.MediaType, Document: string(f.Document), PDFSHA256: f.PDFSHA256,
		AmountMatches: committed != nil && !committed.Sealed && committed.Minor == amount.Minor &&
			committed.Currency == amount.Currency,
	}
}

// confirmInvoice: the buyer confirms with its own copy of the identifying
// fields. Refused before the ledger when the filing does not open or its
// amount is not the committed one, or when the invoice is held as a
// near-duplicate without a review; refused by the chaincode when the
// recomputed fingerprint is not the registered one.
func (a *API) confirmInvoice(c *gin.Context) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	var req ConfirmInvoiceRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	me := gateway.PrincipalOf(c).EnterpriseID
	self, err := a.d.Directory.Get(ctx, me)
	if err != nil {
		return err
	}
	if self.LegalID == "" {
		return problem.New(http.StatusForbidden, problem.CodeForbidden,
			"your enterprise has no registered legal ID: the operator records it before you can confirm invoices")
	}
	if err := a.syncWallet(c); err != nil {
		return err
	}
	var inv model.Invoice
	if err := a.evaluate(c, &inv, "GetInvoice", id); err != nil {
		return err
	}
	if inv.Buyer != me {
		return problem.New(http.StatusForbidden, problem.CodeForbidden, "only the invoice's buyer confirms it")
	}
	v := InvoiceResponse{Invoice: inv, Amount: SealedMoney(inv.Currency)}
	if o, err := a.d.Wallet.InvoiceOpening(ctx, me, inv.ID); err == nil {
		m := NewMoney(o.Value, inv.Currency)
		v.Amount = &m
	}
	a.buyerView(c, &v)
	switch {
	case v.Filing == nil:
		return problem.New(http.StatusConflict, problem.CodeInvoiceMismatch,
			"the invoice carries no filing you can read ("+v.FilingProblem+"): reject it, or ask the seller to file it again")
	case !v.Filing.AmountMatches:
		return problem.New(http.StatusConflict, problem.CodeInvoiceMismatch,
			"the amount the seller filed is not the amount it committed on the ledger: reject the invoice")
	case v.Hold != nil && req.Review == nil:
		p := problem.New(http.StatusConflict, problem.CodeHeldForReview,
			"this invoice looks like another of the same seller (amount within 1 %, issue date within 7 days): check your records and confirm with a review decision, or reject it")
		for _, n := range v.Hold.NearDuplicates {
			p.WithErrors(problem.FieldError{Field: "review", Reason: "near-duplicate of invoice " + n})
		}
		return p
	}
	if v.Hold != nil {
		if a.d.Reuse == nil {
			return errors.New("api: no review log to record the review in")
		}
		if err := a.d.Reuse.RecordReview(ctx, invoice.Review{Invoice: inv.ID, Reviewer: me,
			Decision: req.Review.Decision, Note: req.Review.Note, NearDuplicates: v.Hold.NearDuplicates}); err != nil {
			return err
		}
	}
	fps, err := invoice.Fingerprints(ctx, a.d.Invoices.Fingerprinter, invoice.KeysFor(req.Seller, self.LegalID, req.Number))
	if err != nil {
		return err
	}
	var out model.Invoice
	if _, err := a.submit(c, "ConfirmInvoice", &model.InvoiceActionRequest{Invoice: id, Reason: req.Reason,
		Fingerprint: fps[0], Aliases: fps[1:]}, &out); err != nil {
		var cc *fabricclient.ChaincodeError
		if errors.As(err, &cc) && cc.Code == string(model.CodeInvoiceMismatch) {
			return problem.New(http.StatusConflict, problem.CodeInvoiceMismatch,
				"the invoice number and seller you hold do not key the invoice the seller registered: check them against your records, or reject the invoice")
		}
		return err
	}
	c.JSON(http.StatusOK, a.invoiceView(c, out))
	return nil
}
