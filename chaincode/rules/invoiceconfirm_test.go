package rules_test

import (
	"bytes"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
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

// TestInvoiceAliasesAreReserved: an invoice's alias fingerprints (its other
// canonical keys) are reserved with it, so a registration whose fingerprint
// or alias is any of them is refused, and the buyer's confirmation stands
// when any of its fingerprints is any of the registered ones.
func TestInvoiceAliasesAreReserved(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	build := func(fp []byte, aliases ...[]byte) *model.RegisterInvoiceRequest {
		return must(protocol.BuildInvoice(s.Ctx(), protocol.InvoiceInput{Currency: rulestest.Currency,
			Supplier: s.S2.ID, Buyer: s.Core.Recipient(), Fingerprint: fp, DocumentHash: make([]byte, 32),
			DueDate: rulestest.Maturity, Amount: rulestest.Opening(3), Aliases: aliases,
		}, s.Auditor(), nil))
	}
	main, alias := rulestest.Fingerprint("INV-A main"), rulestest.Fingerprint("INV-A alias")
	inv := must(r.RegisterInvoice(s.As(s.S2), build(main, alias)))
	if len(inv.Aliases) != 1 || !bytes.Equal(inv.Aliases[0], alias) {
		t.Fatalf("aliases %x", inv.Aliases)
	}
	other := rulestest.Fingerprint("INV-A other")
	for name, req := range map[string]*model.RegisterInvoiceRequest{
		"the alias as a fingerprint":  build(alias),
		"the fingerprint as an alias": build(other, main),
		"the alias as an alias":       build(other, alias),
	} {
		t.Run(name, func(t *testing.T) {
			expectRefused(t, s.State, model.ErrConflict, func() (*model.Invoice, error) { return r.RegisterInvoice(s.As(s.S2), req) })
		})
	}
	// Aliases are bound into the transcript.
	req := build(other, rulestest.Fingerprint("INV-A x"))
	req.Aliases[0] = rulestest.Fingerprint("INV-A y")
	expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.Invoice, error) { return r.RegisterInvoice(s.As(s.S2), req) })

	// The buyer's copy keys only the alias: it confirms.
	expectRefused(t, s.State, model.ErrInvoiceMismatch, func() (*model.Invoice, error) {
		return r.ConfirmInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: other})
	})
	if got := must(r.ConfirmInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: other, Aliases: [][]byte{alias}})); got.Status != model.InvoiceConfirmed {
		t.Fatalf("confirmed through the alias: %s", got.Status)
	}
}
