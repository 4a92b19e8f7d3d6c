package rules

import (
	"bytes"
	"encoding/hex"
	"slices"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// RegisterInvoice records a supplier's invoice under its fingerprint,
// once ever, after checking the amount's range proof and audit handle.
func (r *Rules) RegisterInvoice(st State, req *model.RegisterInvoiceRequest) (*model.Invoice, error) {
	tx, err := r.beginWrite(st, protocol.KindRegisterInvoice, req, model.RoleSupplier)
	if err != nil {
		return nil, err
	}
	id := hex.EncodeToString(req.Fingerprint)
	// The fingerprint and every alias must be new, as fingerprints and as
	// aliases: an invoice retyped either way collides with its registration.
	for _, fp := range append([][]byte{req.Fingerprint}, req.Aliases...) {
		x := hex.EncodeToString(fp)
		for _, key := range []string{invoiceKey(x), invoiceAliasKey(x)} {
			if old, err := st.GetState(key); err != nil {
				return nil, internal("read invoice: %v", err)
			} else if old != nil {
				return nil, model.Errorf(model.CodeConflict, "invoice fingerprint %s… is already registered", x[:16])
			}
		}
	}
	if _, err := tx.activeEnterprise("buyer", req.Buyer, model.RoleCore); err != nil {
		return nil, err
	}
	key, err := tx.auditKey()
	if err != nil {
		return nil, err
	}
	c, h, err := protocol.DecodeAudited("invoice", req.Commitment, req.Handle)
	if err != nil {
		return nil, err
	}
	stmt := &protocol.InvoiceStatement{
		Currency: req.Currency, Supplier: tx.caller.ID, Buyer: req.Buyer, Fingerprint: req.Fingerprint, DocumentHash: req.DocumentHash,
		DueDate: req.DueDate, Commitment: c, Handle: h, BuyerEnvelope: req.BuyerEnvelope,
		RegulatorEnvelope: req.RegulatorEnvelope, FilingEnvelope: req.FilingEnvelope, Aliases: req.Aliases, AuditKey: key,
	}
	if err := stmt.Verify(tx.ctx, req.RangeProof, req.HandleProof); err != nil {
		return nil, err
	}
	inv := &model.Invoice{
		ID: id, Fingerprint: req.Fingerprint, Supplier: tx.caller.ID, Buyer: req.Buyer,
		DocumentHash: req.DocumentHash, DueDate: req.DueDate.UTC(), Currency: req.Currency, Commitment: req.Commitment, Handle: req.Handle,
		BuyerEnvelope: req.BuyerEnvelope, RegulatorEnvelope: req.RegulatorEnvelope, FilingEnvelope: req.FilingEnvelope,
		Aliases: req.Aliases, Status: model.InvoiceRegistered, RegisteredAt: tx.now, UpdatedAt: tx.now, TxID: tx.id,
	}
	if err := tx.put(invoiceKey(id), inv); err != nil {
		return nil, err
	}
	for _, a := range req.Aliases {
		tx.putRaw(invoiceAliasKey(hex.EncodeToString(a)), []byte(id))
	}
	tx.putIndex(objInvoiceBySupp, inv.Supplier, id)
	tx.putIndex(objInvoiceByBuyer, inv.Buyer, id)
	tx.invoiceChanged(inv)
	return inv, tx.commit()
}

// objInvoiceAlias maps an invoice's alias fingerprint (hex) to its ID.
const objInvoiceAlias = "tc.invoice.alias"

func invoiceAliasKey(fp string) string { return CompositeKey(objInvoiceAlias, fp) }

// sharesFingerprint reports whether any of the buyer's fingerprints is any
// of the registered ones.
func sharesFingerprint(buyer, registered [][]byte) bool {
	for _, b := range buyer {
		for _, r := range registered {
			if bytes.Equal(b, r) {
				return true
			}
		}
	}
	return false
}

func (tx *txn) invoiceChanged(inv *model.Invoice) {
	tx.event.Invoices = append(tx.event.Invoices, model.InvoiceChange{ID: inv.ID, Supplier: inv.Supplier, Buyer: inv.Buyer, Status: inv.Status, Currency: inv.Currency})
}

// ConfirmInvoice is the buyer's confirmation: the invoice may now back a
// receivable. It carries the buyer's own recomputation of the fingerprint
// (from its copy of the identifying fields) and stands only if that is the
// registered fingerprint: what the supplier registered is then the invoice
// the buyer owes, keyed canonically, whatever 64 bytes the supplier sent.
func (r *Rules) ConfirmInvoice(st State, req *model.InvoiceActionRequest) (*model.Invoice, error) {
	return r.invoiceAction(st, req, protocol.KindConfirmInvoice, model.RoleCore, model.InvoiceConfirmed, model.InvoiceRegistered)
}

// RejectInvoice is the buyer's rejection.
func (r *Rules) RejectInvoice(st State, req *model.InvoiceActionRequest) (*model.Invoice, error) {
	return r.invoiceAction(st, req, protocol.KindRejectInvoice, model.RoleCore, model.InvoiceRejected, model.InvoiceRegistered)
}

// RevokeInvoice is the supplier's withdrawal of an invoice not yet used.
func (r *Rules) RevokeInvoice(st State, req *model.InvoiceActionRequest) (*model.Invoice, error) {
	return r.invoiceAction(st, req, protocol.KindRevokeInvoice, model.RoleSupplier, model.InvoiceRevoked, model.InvoiceRegistered, model.InvoiceConfirmed)
}

func (r *Rules) invoiceAction(st State, req *model.InvoiceActionRequest, kind string, role model.Role, to model.InvoiceStatus, from ...model.InvoiceStatus) (*model.Invoice, error) {
	tx, err := r.beginWrite(st, kind, req, role)
	if err != nil {
		return nil, err
	}
	confirm := to == model.InvoiceConfirmed
	switch {
	case confirm && req.Fingerprint == nil:
		return nil, model.Errorf(model.CodeInvalidArgument, "fingerprint: a confirmation carries the buyer's recomputed fingerprint")
	case !confirm && req.Fingerprint != nil:
		return nil, model.Errorf(model.CodeInvalidArgument, "fingerprint: only a confirmation carries one")
	}
	inv, err := loadInvoice(st, req.Invoice)
	if err != nil {
		return nil, err
	}
	party := inv.Buyer
	if role == model.RoleSupplier {
		party = inv.Supplier
	}
	if party != tx.caller.ID {
		return nil, denied("invoice %s… is not %s's", inv.ID[:16], tx.caller.ID)
	}
	if !slices.Contains(from, inv.Status) {
		return nil, invalidState("invoice %s… is %s", inv.ID[:16], inv.Status)
	}
	if confirm && !sharesFingerprint(append([][]byte{req.Fingerprint}, req.Aliases...), append([][]byte{inv.Fingerprint}, inv.Aliases...)) {
		return nil, model.Errorf(model.CodeInvoiceMismatch,
			"invoice %s… was registered under another fingerprint than the buyer's copy keys: the invoice as filed is not the buyer's", inv.ID[:16])
	}
	inv.Status, inv.Reason, inv.UpdatedAt = to, req.Reason, tx.now
	if err := tx.put(invoiceKey(inv.ID), inv); err != nil {
		return nil, err
	}
	tx.invoiceChanged(inv)
	return inv, tx.commit()
}
