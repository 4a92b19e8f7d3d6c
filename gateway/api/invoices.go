package api

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/wallet"
)

// maxUploadBytes bounds an upload: the document, a PDF and multipart
// framing.
const maxUploadBytes = invoice.MaxDocumentSize + invoice.MaxPDFSize + 64<<10

func (a *API) registerInvoices(r *gateway.Routes) {
	r.Handle(http.MethodPost, "/invoices", gateway.Options{Roles: []model.Role{model.RoleSupplier}, MaxBodyBytes: maxUploadBytes}, a.uploadInvoice)
	r.GET("/invoices", a.listInvoices, model.RoleSupplier, model.RoleCore)
	r.GET("/invoices/:id", a.getInvoice)
	r.POST("/invoices/:id/confirm", a.confirmInvoice, model.RoleCore)
	r.POST("/invoices/:id/reject", a.invoiceAction("RejectInvoice"), model.RoleCore)
	r.POST("/invoices/:id/revoke", a.invoiceAction("RevokeInvoice"), model.RoleSupplier)
}

// InvoiceResponse is an invoice as its supplier or buyer sees it: the
// ledger record and, where this gateway knows it, the amount.
type InvoiceResponse struct {
	model.Invoice
	Amount   *Money `json:"amount,omitempty"`
	Number   string `json:"number,omitempty"`
	UploadID string `json:"uploadId,omitempty"`
	// Buyer only: the invoice as its seller filed it, opened from the
	// ledger, or why it could not be; and the invoice's review hold.
	Filing        *FilingView `json:"filing,omitempty"`
	FilingProblem string      `json:"filingProblem,omitempty"`
	Hold          *Hold       `json:"hold,omitempty"`
}

// upload reads the request: a JSON or UBL document as the body, or
// multipart/form-data with a "document" part, an optional "pdf" part and an
// optional "dueDate" field. The due date agreed outside the document (for
// UBL invoices that carry none) may also come as the dueDate query
// parameter; given twice it is refused. The invoice service checks it.
func upload(c *gin.Context, supplier string) (invoice.Upload, error) {
	up := invoice.Upload{SupplierID: supplier}
	dues := c.QueryArray("dueDate")
	ct := c.ContentType()
	if ct == "multipart/form-data" {
		form, err := c.MultipartForm()
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return up, err
			}
			return up, gateway.Invalid("malformed multipart body")
		}
		part := func(name string) ([]byte, string, error) {
			files := form.File[name]
			if len(files) == 0 {
				return nil, "", nil
			}
			if len(files) > 1 {
				return nil, "", gateway.Invalid("one file per part", problem.FieldError{Field: name, Reason: "given more than once"})
			}
			f, err := files[0].Open()
			if err != nil {
				return nil, "", err
			}
			defer f.Close()
			b, err := io.ReadAll(f)
			return b, files[0].Header.Get("Content-Type"), err
		}
		doc, docType, err := part("document")
		if err != nil {
			return up, err
		}
		if doc == nil {
			return up, gateway.Invalid("no invoice document", problem.FieldError{Field: "document", Reason: "required"})
		}
		mt, _, _ := mime.ParseMediaType(docType)
		format, ok := invoice.FormatForMediaType(mt)
		if !ok {
			return up, gateway.Invalid("unsupported document type", problem.FieldError{Field: "document",
				Reason: "application/json (TierChain invoice) or application/xml (UBL 2.1 / Peppol BIS 3)"})
		}
		pdf, _, err := part("pdf")
		if err != nil {
			return up, err
		}
		up.Format, up.Document, up.PDF = format, doc, pdf
		dues = append(dues, form.Value["dueDate"]...)
	} else {
		format, ok := invoice.FormatForMediaType(ct)
		if !ok {
			return up, problem.New(http.StatusUnsupportedMediaType, problem.CodeUnsupportedMedia,
				"send application/json, application/xml or multipart/form-data")
		}
		doc, err := io.ReadAll(c.Request.Body)
		if err != nil {
			return up, err
		}
		up.Format, up.Document = format, doc
	}
	switch {
	case len(dues) > 1:
		return up, gateway.Invalid("one due date", problem.FieldError{Field: "dueDate", Reason: "given more than once"})
	case len(dues) == 1:
		if up.DueDate = dues[0]; up.DueDate == "" {
			return up, gateway.Invalid("empty due date", problem.FieldError{Field: "dueDate", Reason: "a date written YYYY-MM-DD"})
		}
	}
	return up, nil
}

// invoiceProblem maps the invoice service's errors.
func invoiceProblem(err error) error {
	var ve *invoice.ValidationError
	switch {
	case errors.As(err, &ve):
		fe := make([]problem.FieldError, len(ve.Fields))
		for i, f := range ve.Fields {
			fe[i] = problem.FieldError{Field: f.Field, Reason: f.Reason}
		}
		return gateway.Invalid("the invoice is not valid", fe...)
	case errors.Is(err, invoice.ErrTooLarge):
		return problem.New(http.StatusRequestEntityTooLarge, problem.CodePayloadTooLarge, err.Error())
	case errors.Is(err, invoice.ErrMalformed), errors.Is(err, invoice.ErrNotPDF):
		return gateway.Invalid(err.Error())
	case errors.Is(err, invoice.ErrNotSeller):
		return problem.New(http.StatusForbidden, problem.CodeForbidden,
			"the invoice's seller is not your enterprise: only the seller files its own invoice")
	case errors.Is(err, invoice.ErrUnknownBuyer):
		return unknownBuyer()
	}
	return err
}

// unknownBuyer is the one answer for a buyer legal ID that is unknown,
// invalid, or registered to an enterprise that is not a core: it neither
// echoes the ID nor says which case it is, so that an upload cannot be used
// to learn which enterprise owns a legal ID.
func unknownBuyer() error {
	return gateway.Invalid("unknown buyer", problem.FieldError{Field: "invoice.buyer.id",
		Reason: "not the legal ID of a core enterprise you can invoice on this platform"})
}

// invoiceParties checks that the uploader is the invoice's seller (its
// registered legal ID, compared canonically) and resolves the buyer, a core
// enterprise, by its legal ID. It sets up.Seller and up.Buyer to the
// registered legal IDs, which key the fingerprint.
func (a *API) invoiceParties(c *gin.Context, up *invoice.Upload, inv *invoice.Invoice) (directory.Member, error) {
	ctx := c.Request.Context()
	self, err := a.d.Directory.Get(ctx, up.SupplierID)
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return directory.Member{}, err
	}
	if self.LegalID == "" {
		return directory.Member{}, problem.New(http.StatusForbidden, problem.CodeForbidden,
			"your enterprise has no registered legal ID: the operator records it before you can file invoices")
	}
	if !invoice.SamePartyID(inv.Seller.ID, self.LegalID) {
		a.recordImpostor(c, inv)
		return directory.Member{}, invoiceProblem(invoice.ErrNotSeller)
	}
	buyer, err := a.buyerByLegalID(c, inv.Buyer.ID)
	if err != nil {
		return directory.Member{}, err
	}
	up.Seller, up.Buyer = self.LegalID, buyer.LegalID
	inv.Seller.ID, inv.Buyer.ID = self.LegalID, buyer.LegalID
	return buyer, nil
}

// buyerByLegalID finds the core enterprise an invoice names as its buyer.
func (a *API) buyerByLegalID(c *gin.Context, docID string) (directory.Member, error) {
	ctx := c.Request.Context()
	id, err := invoice.CanonicalPartyID(docID)
	if err != nil {
		// A legal ID recorded before identifiers were checked is matched
		// as written, folded.
		id = invoice.PartyKey(docID)
	}
	m, err := a.memberByLegalID(ctx, id)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && m.Role != model.RoleCore) {
		return directory.Member{}, unknownBuyer()
	}
	return m, err
}

func (a *API) uploadInvoice(c *gin.Context) error {
	ctx := c.Request.Context()
	me := gateway.PrincipalOf(c).EnterpriseID
	up, err := upload(c, me)
	if err != nil {
		return err
	}
	inv, err := invoice.ParseUpload(up)
	if err != nil {
		return invoiceProblem(err)
	}
	v1 := invoice.FingerprintInputV1(inv) // before the parties are replaced
	buyer, err := a.invoiceParties(c, &up, inv)
	if err != nil {
		return err
	}
	if err := a.registeredUnderV1(c, inv, v1); err != nil {
		return err
	}
	rec, _, err := a.d.Invoices.Submit(ctx, up)
	if errors.Is(err, invoice.ErrDuplicate) {
		rec, err = a.resumableUpload(c, inv, up.Document)
	}
	if err != nil {
		return invoiceProblem(err)
	}
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	to, err := a.keys.recipient(ctx, l, buyer.ID)
	if err != nil {
		return err
	}
	aud, err := a.keys.auditorOf(ctx, l)
	if err != nil {
		return err
	}
	doc, err := a.d.Invoices.Repo.Document(ctx, rec.ID, invoice.DocumentOriginal)
	if err != nil {
		return err
	}
	filing, err := invoice.SealFiling(to.Key, invoice.NewFiling(rec, inv, doc.Content), rec.Fingerprint, buyer.ID, nil)
	if err != nil {
		return err
	}
	aliases, err := invoice.Fingerprints(ctx, a.d.Invoices.Fingerprinter, invoice.KeysFor(inv.Seller.ID, inv.Buyer.ID, inv.Number)[1:])
	if err != nil {
		return err
	}
	req, err := a.d.Wallet.BuildInvoice(ctx, wallet.InvoiceSpec{
		Supplier: me, Currency: inv.Currency, Buyer: to, Auditor: aud, Amount: uint64(inv.AmountMinor), Fingerprint: rec.Fingerprint,
		DocumentHash: rec.DocumentSHA256[:], DueDate: inv.DueDate.UTC().Truncate(time.Second), FilingEnvelope: filing,
		Aliases: aliases,
	})
	if err != nil {
		return err
	}
	var out model.Invoice
	res, err := a.submit(c, "RegisterInvoice", req, &out)
	if err != nil {
		var cc *fabricclient.ChaincodeError
		if errors.As(err, &cc) && cc.Code == string(model.CodeConflict) {
			a.recordReuse(c, inv, rec.Fingerprint, invoice.ReuseOnLedger)
			_ = a.d.Invoices.Repo.UpdateStatus(ctx, rec.ID, invoice.StatusRegistered, invoice.StatusRejected)
			return problem.New(http.StatusConflict, problem.CodeConflict,
				"this invoice is already registered on the ledger: one invoice backs one receivable")
		}
		return err
	}
	if err := a.d.Invoices.Repo.SetRegistration(ctx, rec.ID, rec.Fingerprint, res.TxID); err != nil {
		a.d.Log.Error("invoice registered on the ledger but not marked locally", "upload", rec.ID, "tx", res.TxID, "error", err)
	}
	amount := NewMoney(uint64(inv.AmountMinor), inv.Currency)
	created(c, "/v1/invoices/"+out.ID, InvoiceResponse{Invoice: out, Amount: &amount, Number: inv.Number, UploadID: rec.ID})
	return nil
}

// registeredUnderV1 refuses an invoice already on the ledger under the
// first fingerprint encoding (which keyed the document's IDs, the date,
// the currency and the amount as written): the v2 key differs, so without
// this check an invoice registered before v2 could be registered again.
func (a *API) registeredUnderV1(c *gin.Context, inv *invoice.Invoice, v1 []byte) error {
	f := a.d.Invoices.Fingerprinter
	if f == nil {
		return nil
	}
	fp, err := f.Fingerprint(c.Request.Context(), v1)
	if err != nil {
		return err
	}
	var old model.Invoice
	err = a.evaluate(c, &old, "GetInvoice", hex.EncodeToString(fp))
	var cc *fabricclient.ChaincodeError
	switch {
	case err == nil:
		a.recordReuse(c, inv, fp, invoice.ReuseOnLedger)
		return problem.New(http.StatusConflict, problem.CodeConflict,
			"this invoice is already registered on the ledger: one invoice backs one receivable")
	case errors.As(err, &cc) && cc.Code == string(model.CodeNotFound):
		return nil
	default:
		return err
	}
}

// resumableUpload handles an invoice this supplier uploaded before: if
// that upload never reached the ledger (the registration failed) and this
// is the same document, it is resumed; otherwise the upload is a reuse
// attempt (the same invoice, perhaps retyped).
func (a *API) resumableUpload(c *gin.Context, inv *invoice.Invoice, document []byte) (*invoice.Record, error) {
	ctx := c.Request.Context()
	me := gateway.PrincipalOf(c).EnterpriseID
	fp, err := a.d.Invoices.Fingerprinter.Fingerprint(ctx, invoice.FingerprintInput(inv))
	if err != nil {
		return nil, err
	}
	recs, err := a.d.Invoices.Repo.FindByFingerprint(ctx, fp)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if recs[i].SupplierID == me && recs[i].TxID == "" && recs[i].Status == invoice.StatusRegistered &&
			recs[i].DocumentSHA256 == invoice.DocumentHash(document) {
			return &recs[i], nil
		}
	}
	a.recordReuse(c, inv, fp, invoice.ReuseDuplicateUpload)
	return nil, problem.New(http.StatusConflict, problem.CodeConflict, "this invoice was already uploaded: one invoice backs one receivable")
}

// recordImpostor records an upload that names another enterprise as the
// seller, under the fingerprint the named seller's invoice has (or would
// have) on the ledger, so the regulator's reuse report joins the two.
func (a *API) recordImpostor(c *gin.Context, inv *invoice.Invoice) {
	ctx := c.Request.Context()
	claimed := *inv
	if m, err := a.buyerByLegalID(c, inv.Buyer.ID); err == nil {
		claimed.Buyer.ID = m.LegalID
	}
	var fp []byte
	if f := a.d.Invoices.Fingerprinter; f != nil {
		var err error
		if fp, err = f.Fingerprint(ctx, invoice.FingerprintInput(&claimed)); err != nil {
			a.d.Log.Error("impostor upload's fingerprint not computed", "error", err)
		}
	}
	a.recordReuse(c, inv, fp, invoice.ReuseNotSeller)
}

func (a *API) recordReuse(c *gin.Context, inv *invoice.Invoice, fp []byte, reason string) {
	err := a.d.Reuse.Record(c.Request.Context(), invoice.ReuseAttempt{SupplierID: gateway.PrincipalOf(c).EnterpriseID,
		Number: inv.Number, BuyerID: inv.Buyer.ID, Reason: reason}, fp)
	if err != nil {
		a.d.Log.Error("reuse attempt not recorded", "error", err)
	}
}

// listInvoices: a supplier's own invoices, or those a core owes, with the
// amounts a core's wallet opened.
func (a *API) listInvoices(c *gin.Context) error {
	p := gateway.PrincipalOf(c)
	req, err := page(c, p.EnterpriseID)
	if err != nil {
		return err
	}
	fn := "InvoicesBySupplier"
	if p.Role == model.RoleCore {
		fn = "InvoicesByBuyer"
		if err := a.syncWallet(c); err != nil {
			return err
		}
	}
	return answer(a, c, fn, req, func(pg model.Page[model.Invoice]) model.Page[InvoiceResponse] {
		return viewPage(pg, func(inv model.Invoice) InvoiceResponse { return a.invoiceView(c, inv) })
	})
}

// invoiceView adds what this gateway knows of an invoice: its amount, from
// the buyer's wallet or the supplier's upload.
func (a *API) invoiceView(c *gin.Context, inv model.Invoice) InvoiceResponse {
	ctx := c.Request.Context()
	p := gateway.PrincipalOf(c)
	v := InvoiceResponse{Invoice: inv, Amount: SealedMoney(inv.Currency)}
	switch p.EnterpriseID {
	case inv.Buyer:
		if o, err := a.d.Wallet.InvoiceOpening(ctx, p.EnterpriseID, inv.ID); err == nil {
			m := NewMoney(o.Value, inv.Currency)
			v.Amount = &m
		}
		a.buyerView(c, &v)
	case inv.Supplier:
		if recs, err := a.d.Invoices.Repo.FindByFingerprint(ctx, inv.Fingerprint); err == nil {
			for _, r := range recs {
				if r.SupplierID == p.EnterpriseID && r.TxID == inv.TxID {
					m := NewMoney(uint64(r.AmountMinor), r.Currency)
					v.Amount, v.Number, v.UploadID = &m, r.Number, r.ID
				}
			}
		}
	}
	return v
}

func invoiceID(c *gin.Context) (string, error) {
	id := c.Param("id")
	if err := model.ValidateInvoiceID("id", id); err != nil {
		return "", gateway.Invalid("invalid invoice ID", problem.FieldError{Field: "id", Reason: "128 lower-case hex digits (the fingerprint)"})
	}
	return id, nil
}

func (a *API) getInvoice(c *gin.Context) error {
	id, err := invoiceID(c)
	if err != nil {
		return err
	}
	return answer(a, c, "GetInvoice", id, func(inv model.Invoice) InvoiceResponse { return a.invoiceView(c, inv) })
}

// ReasonRequest carries an optional reason or reference.
type ReasonRequest struct {
	Reason string `json:"reason,omitempty"`
}

// Validate bounds the reason.
func (r *ReasonRequest) Validate() []problem.FieldError {
	if len(r.Reason) > model.MaxTextLength {
		return []problem.FieldError{{Field: "reason", Reason: fmt.Sprintf("at most %d bytes", model.MaxTextLength)}}
	}
	return nil
}

// optionalReason decodes a ReasonRequest when there is a body.
func optionalReason(c *gin.Context) (string, error) {
	if c.Request.ContentLength == 0 {
		return "", nil
	}
	var r ReasonRequest
	if err := gateway.DecodeJSON(c, &r); err != nil {
		return "", err
	}
	return r.Reason, nil
}

func (a *API) invoiceAction(fn string) gateway.HandlerFunc {
	return func(c *gin.Context) error {
		id, err := invoiceID(c)
		if err != nil {
			return err
		}
		reason, err := optionalReason(c)
		if err != nil {
			return err
		}
		var out model.Invoice
		if _, err := a.submit(c, fn, &model.InvoiceActionRequest{Invoice: id, Reason: reason}, &out); err != nil {
			return err
		}
		c.JSON(http.StatusOK, a.invoiceView(c, out))
		return nil
	}
}
