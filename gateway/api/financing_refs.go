package api

import (
	"context"
	"errors"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/wallet"
)

// Invoice numbers in the bank inbox. The ledger keys invoices by OPRF
// fingerprint and holds no number; the numbers travel with the pieces,
// sealed (model/refs.go, services/wallet/refs.go), and the bank checks
// each against the ledger by recomputing its fingerprint.

// Reference statuses in the inbox: the wallet's, and RefUnchecked when
// the numbers opened but the check could not run (no OPRF evaluator, or
// it failed just now).
const RefUnchecked = "unchecked"

// InvoiceRefView is one invoice under a financing request's receivable,
// with the number its holder disclosed to the bank and how it checks
// against the ledger.
type InvoiceRefView struct {
	Invoice string `json:"invoice"`
	Number  string `json:"number,omitempty"`
	// Status: verified (the number keys the invoice's ledger ID or an
	// alias), mismatch (the check ran and it keys neither), unverifiable
	// (the ledger lacks what the check needs: a party without a legal ID,
	// or an invoice keyed under v1), not-disclosed (no number for it: a
	// legacy piece, or references that do not open), unchecked.
	Status string `json:"status"`
}

// FinancingRequestView is a pending financing request as its bank sees
// it: the token with its amount, and the underlying invoices' numbers.
type FinancingRequestView struct {
	TokenView
	InvoiceRefs []InvoiceRefView `json:"invoiceRefs"`
}

// numberFingerprints is services/invoice's fingerprint of each of an
// invoice number's canonical keys, through the operator's OPRF,
// remembered in cache.
type numberFingerprints struct {
	f     invoice.Fingerprinter
	cache *numberPrintCache
}

func (n numberFingerprints) NumberFingerprints(ctx context.Context, seller, buyer, number string, yield func([]byte) bool) error {
	for _, k := range invoice.KeysFor(seller, buyer, number) {
		input := k.Input()
		fp, ok := n.cache.get(input)
		if !ok {
			var err error
			if fp, err = n.f.Fingerprint(ctx, input); err != nil {
				return err
			}
			n.cache.put(input, fp)
		}
		if !yield(fp) {
			return nil
		}
	}
	return nil
}

// maxNumberPrints bounds the remembered fingerprints.
const maxNumberPrints = 4096

// numberPrintCache remembers fingerprints by canonical input, so that a
// bank's inbox, read again and again, does not spend the operator's OPRF
// rate limit (OPRFPerMinute per enterprise) on numbers it checked
// already. A fingerprint is a deterministic function of the input under
// the operator's key. The zero value is ready; it is emptied when full.
type numberPrintCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (c *numberPrintCache) get(input []byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fp, ok := c.m[string(input)]
	return fp, ok
}

func (c *numberPrintCache) put(input, fp []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxNumberPrints {
		c.m = make(map[string][]byte)
	}
	c.m[string(input)] = fp
}

// refItem is one view's invoice numbers to check: the token (or piece)
// under whose receivable they are, the numbers as opened, and the error
// they were opened with (ErrNotFound: not disclosed).
type refItem struct {
	token  *model.Token
	refs   []protocol.InvoiceNumber
	opened error
}

// financingRequestViews are a page of pending requests as their bank sees
// them, with the invoice numbers each discloses, checked together.
func (a *API) financingRequestViews(c *gin.Context, l wallet.Ledger, pg model.Page[model.TokenView]) model.Page[FinancingRequestView] {
	ctx, me := c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID
	items := make([]refItem, len(pg.Items))
	for i := range pg.Items {
		refs, err := a.d.Wallet.OpenFinancingRefs(ctx, me, &pg.Items[i])
		items[i] = refItem{token: &pg.Items[i].Token, refs: refs, opened: err}
	}
	checked := a.checkedRefsPage(ctx, l, items)
	out := model.Page[FinancingRequestView]{Items: make([]FinancingRequestView, len(pg.Items)), Bookmark: pg.Bookmark}
	for i, t := range pg.Items {
		out.Items[i] = FinancingRequestView{TokenView: a.tokenView(c, t), InvoiceRefs: checked[i]}
	}
	return out
}

// checkedRefsPage checks the items of one page load, reading what the
// checks share once (refReads: the read model first, then the ledger).
func (a *API) checkedRefsPage(ctx context.Context, l wallet.Ledger, items []refItem) [][]InvoiceRefView {
	r := a.refReads(l)
	r.prefetch(ctx, a, items, a.canCheckRefs())
	out := make([][]InvoiceRefView, len(items))
	for i := range items {
		out[i] = a.checkedRefs(ctx, r, &items[i])
	}
	return out
}

// canCheckRefs reports whether this gateway can fingerprint numbers.
func (a *API) canCheckRefs() bool {
	return a.d.Invoices != nil && a.d.Invoices.Fingerprinter != nil
}

// checkedRefs lists the invoices under the item's receivable (its
// root's) with the numbers it discloses, each checked against the
// ledger's records as r reads them: an outcome other than verified from
// the read model's copies is checked again on the ledger's (refReads).
// Each failure leaves what it touches not disclosed or unchecked, logged;
// an unreadable root lists nothing.
func (a *API) checkedRefs(ctx context.Context, r *refReads, it *refItem) []InvoiceRefView {
	out := []InvoiceRefView{}
	t, refs := it.token, it.refs
	invoices := t.Invoices
	if t.Root != t.ID {
		root, err := r.Token(ctx, t.Root)
		if err != nil {
			a.d.Log.Warn("root not read for the invoice numbers", "token", t.ID, "error", err)
			return out
		}
		invoices = root.Invoices
	}
	if it.opened != nil {
		refs = nil
		if !errors.Is(it.opened, wallet.ErrNotFound) {
			a.d.Log.Warn("invoice references not opened", "token", t.ID, "error", it.opened)
		}
	}
	var checks []wallet.RefCheck
	if refs != nil && a.canCheckRefs() {
		f := numberFingerprints{f: a.d.Invoices.Fingerprinter, cache: &a.numberPrints}
		var err error
		checks, err = wallet.CheckInvoiceRefsIn(ctx, r, f, invoices, refs)
		if err == nil && r.index != nil && !allVerified(checks) {
			checks, err = wallet.CheckInvoiceRefsIn(ctx, ledgerOnly{r}, f, invoices, refs)
		}
		if err != nil {
			checks = nil
			a.d.Log.Warn("invoice references not checked", "token", t.ID, "error", err)
		}
	}
	if checks == nil {
		checks = uncheckedRefs(invoices, refs)
	}
	for _, c := range checks {
		out = append(out, InvoiceRefView{Invoice: c.Invoice, Number: c.Number, Status: c.Status})
	}
	return out
}

// allVerified reports whether every number disclosed checked verified.
func allVerified(checks []wallet.RefCheck) bool {
	for _, c := range checks {
		if c.Number != "" && c.Status != wallet.RefVerified {
			return false
		}
	}
	return true
}

// uncheckedRefs lists the invoices with the numbers disclosed for them,
// unchecked (or not disclosed).
func uncheckedRefs(invoices []string, refs []protocol.InvoiceNumber) []wallet.RefCheck {
	out := wallet.DisclosedRefs(invoices, refs)
	for i := range out {
		if out[i].Number != "" {
			out[i].Status = RefUnchecked
		}
	}
	return out
}

// issueNumbers are the numbers of the invoices an issue cites, as their
// sellers filed them (each invoice's filing, sealed to the core, opened
// with its key): what the core seals to the holder. An invoice whose
// filing does not open is left out (its number is then not disclosed).
func (a *API) issueNumbers(ctx context.Context, l wallet.Ledger, core string, ids []string) []protocol.InvoiceNumber {
	key, err := a.d.Wallet.PrivateKey(ctx, core)
	if err != nil {
		return nil
	}
	var out []protocol.InvoiceNumber
	for _, id := range ids {
		var inv model.Invoice
		if evaluateWith(ctx, l, &inv, "GetInvoice", id) != nil {
			continue
		}
		if f, err := invoice.OpenFiling(key, &inv); err == nil && f.Number != "" && len(f.Number) <= model.MaxInvoiceNumberLength {
			out = append(out, protocol.InvoiceNumber{Invoice: id, Number: f.Number})
		}
	}
	return out
}

// rfqRefs are the invoice numbers a request for quotes discloses to the
// invited bank me, checked: what the bank sees before it quotes.
func (a *API) rfqRefs(ctx context.Context, l wallet.Ledger, me string, rfq *model.RFQ) []InvoiceRefView {
	r := a.refReads(l)
	if r.index != nil {
		indexed(ctx, a, r.tokens, []string{rfq.Token}, r.index.TokenRecords)
	}
	t, err := r.Token(ctx, rfq.Token)
	if err != nil {
		a.d.Log.Warn("token not read for the invoice numbers", "rfq", rfq.ID, "error", err)
		return []InvoiceRefView{}
	}
	refs, err := a.d.Wallet.OpenRFQRefs(ctx, me, rfq, t.Commitment)
	it := []refItem{{token: t, refs: refs, opened: err}}
	r.prefetch(ctx, a, it, a.canCheckRefs())
	return a.checkedRefs(ctx, r, &it[0])
}

// resaleRefs are the invoice numbers a resale offer on t discloses to its
// buyer, checked; none (logged) when the ledger client is not reachable.
func (a *API) resaleRefs(c *gin.Context, t *model.TokenView) []InvoiceRefView {
	l, err := a.ledger(c)
	if err != nil {
		a.d.Log.Warn("no ledger client for the invoice numbers", "token", t.ID, "error", err)
		return []InvoiceRefView{}
	}
	refs, err := a.d.Wallet.OpenResaleRefs(c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID, t)
	return a.checkedRefsPage(c.Request.Context(), l, []refItem{{token: &t.Token, refs: refs, opened: err}})[0]
}
