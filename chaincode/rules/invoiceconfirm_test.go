package rules_test

import (
	"bytes"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestConfirmNeedsTheBuyersFingerprint: the buyer's confirmation carries
// its own recomputation of the fingerprint, and stands only when it is the
// registered one. A supplier that registered a retyped invoice (or any 64
// bytes) cannot get it confirmed; a refused confirmation changes nothing.
func TestConfirmNeedsTheBuyersFingerprint(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	inv := must(r.RegisterInvoice(s.As(s.S2), s.InvoiceRequest(s.S2, "INV-M", rulestest.Opening(7))))
	other := bytes.Clone(inv.Fingerprint)
	other[len(other)-1] ^= 1

	expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Invoice, error) {
		return r.ConfirmInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID})
	})
	expectRefused(t, s.State, model.ErrInvoiceMismatch, func() (*model.Invoice, error) {
		return r.ConfirmInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: other})
	})
	expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Invoice, error) {
		return r.ConfirmInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: other[:10]})
	})
	// Only a confirmation carries a fingerprint.
	expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Invoice, error) {
		return r.RejectInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint})
	})
	if got := must(r.GetInvoice(s.As(s.Core), inv.ID)); got.Status != model.InvoiceRegistered {
		t.Fatalf("after refused confirmations the invoice is %s", got.Status)
	}
	if got := must(r.ConfirmInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint})); got.Status != model.InvoiceConfirmed {
		t.Fatalf("confirmed invoice is %s", got.Status)
	}
}

// TestFilingEnvelopeIsBound: the sealed filing is bound into the
// registration's transcript (swapping it after proving fails) and bounded.
func TestFilingEnvelopeIsBound(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	req := s.InvoiceRequest(s.S2, "INV-F", rulestest.Opening(9))
	req.FilingEnvelope = bytes.Repeat([]byte{1}, 100)
	expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.Invoice, error) {
		return r.RegisterInvoice(s.As(s.S2), req)
	})
	req.FilingEnvelope = make([]byte, model.MaxFilingEnvelopeSize+1)
	expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Invoice, error) {
		return r.RegisterInvoice(s.As(s.S2), req)
	})
}
