package wallet

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// Invoice references (protocol.SealInvoiceRefs) travel with the pieces:
// the core seals a receivable's invoice numbers to the root's holder; a
// holder's wallet keeps them per root (wallet_refs, sealed at rest like an
// opening) from the tokens Sync opens, seals them to each output it sends
// to another holder and to the bank it asks for financing. The bank opens
// them (OpenFinancingRefs) and checks each number against the ledger
// (CheckInvoiceRefs). References that do not open are treated as not
// disclosed: nothing is recorded.

const purposeRefs = "invoice-refs"

// RootRefs returns the invoice numbers the enterprise holds for a
// receivable (root token ID), or ErrNotFound.
func (w *Wallet) RootRefs(ctx context.Context, enterpriseID, root string) ([]protocol.InvoiceNumber, error) {
	if err := validEnterprise(enterpriseID); err != nil {
		return nil, err
	}
	var sealed []byte
	err := w.db.SQL.QueryRowContext(ctx, w.db.Rebind(`SELECT sealed_refs FROM wallet_refs WHERE enterprise_id = ? AND root = ?`), enterpriseID, root).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound.With("invoice references of " + root)
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: read invoice references: %w", err)
	}
	pt, err := w.seal.open(sealed, associatedData(enterpriseID, purposeRefs, []byte(root)))
	if err != nil {
		return nil, fmt.Errorf("%w: invoice references of %s", ErrCorrupt, root)
	}
	refs, err := protocol.DecodeRefs(pt)
	if err != nil {
		return nil, fmt.Errorf("%w: invoice references of %s", ErrCorrupt, root)
	}
	return refs, nil
}

// holdsRootRefs reports whether the enterprise keeps invoice numbers for
// root, without opening them.
func (w *Wallet) holdsRootRefs(ctx context.Context, enterpriseID, root string) (bool, error) {
	var one int
	err := w.db.SQL.QueryRowContext(ctx, w.db.Rebind(`SELECT 1 FROM wallet_refs WHERE enterprise_id = ? AND root = ?`), enterpriseID, root).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("wallet: read invoice references: %w", err)
	}
	return true, nil
}

// KeepRootRefs stores the invoice numbers of a receivable for the
// enterprise, unless it holds some already (the first kept stays: a later
// copy sent by another holder does not replace it).
func (w *Wallet) KeepRootRefs(ctx context.Context, enterpriseID, root string, refs []protocol.InvoiceNumber) error {
	if err := validEnterprise(enterpriseID); err != nil {
		return err
	}
	if model.ValidateID("root", root) != nil {
		return ErrInvalidArgument.With("root token ID")
	}
	pt, err := protocol.EncodeRefs(refs)
	if err != nil {
		return ErrInvalidArgument.With(err.Error())
	}
	sealed, err := w.seal.seal(pt, associatedData(enterpriseID, purposeRefs, []byte(root)))
	if err != nil {
		return err
	}
	_, err = w.db.SQL.ExecContext(ctx, w.db.Rebind(`INSERT INTO wallet_refs (enterprise_id, root, sealed_refs, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (enterprise_id, root) DO NOTHING`), enterpriseID, root, sealed, time.Now().UnixMicro())
	if err != nil {
		return fmt.Errorf("wallet: store invoice references: %w", err)
	}
	return nil
}

// keepReceivedRefs opens the references on the tokens Sync read for the
// enterprise (sealed to it as holder) and keeps them per root, for roots
// it holds none of yet. References that do not open, or that name an
// invoice twice or none, are not disclosed: nothing is kept.
func (w *Wallet) keepReceivedRefs(ctx context.Context, enterpriseID string, key *envelope.PrivateKey, items []sealedItem) error {
	tried := map[string]bool{}
	for i := range items {
		it := &items[i]
		if len(it.refs) == 0 || tried[it.root] {
			continue
		}
		held, err := w.holdsRootRefs(ctx, enterpriseID, it.root)
		if err != nil {
			return err
		}
		if held {
			tried[it.root] = true
			continue
		}
		c, err := pedersen.DecodeCommitment(it.commitment)
		if err != nil {
			continue
		}
		refs, err := protocol.OpenInvoiceRefs(key, enterpriseID, c, it.refs)
		if err != nil {
			continue
		}
		tried[it.root] = true
		if err := w.KeepRootRefs(ctx, enterpriseID, it.root, refs); err != nil {
			return err
		}
	}
	return nil
}

// sealRefsTo seals the enterprise's references of root to a recipient for
// the token of commitment c; nil when it holds none (a legacy piece).
func (w *Wallet) sealRefsTo(ctx context.Context, enterpriseID, root string, to protocol.Recipient, c []byte) ([]byte, error) {
	refs, err := w.RootRefs(ctx, enterpriseID, root)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cm, err := pedersen.DecodeCommitment(c)
	if err != nil {
		return nil, ErrCommitmentMismatch.With("token of " + root)
	}
	return protocol.SealInvoiceRefs(to, cm, refs, w.random)
}

// OpenFinancingRefs opens the invoice references a financing request
// carries to its bank (bankID). A request without references, or whose
// references do not open with the bank's key for this token, is
// ErrNotFound: not disclosed.
func (w *Wallet) OpenFinancingRefs(ctx context.Context, bankID string, t *model.TokenView) ([]protocol.InvoiceNumber, error) {
	if t.Financing == nil || t.Financing.Bank != bankID {
		return nil, ErrNotFound.With("token " + t.ID + " carries no invoice references for " + bankID)
	}
	return w.openRefs(ctx, bankID, t.Commitment, t.Financing.Refs, "token "+t.ID)
}

// OpenRFQRefs opens the invoice references a request for quotes carries
// to an invited bank (bankID), bound to the face's commitment (the
// token's, tokenCommitment, or the piece's): the numbers the bank sees
// before it quotes. Not invited, no references, or references that do
// not open: ErrNotFound.
func (w *Wallet) OpenRFQRefs(ctx context.Context, bankID string, rfq *model.RFQ, tokenCommitment []byte) ([]protocol.InvoiceNumber, error) {
	inv := rfq.Invited(bankID)
	if inv == nil {
		return nil, ErrNotFound.With("request for quotes " + rfq.ID + " is not addressed to " + bankID)
	}
	return w.openRefs(ctx, bankID, rfq.Face(tokenCommitment), inv.Refs, "request for quotes "+rfq.ID)
}

// OpenResaleRefs opens the invoice references a pending resale offer on t
// carries to its buyer (bankID). ErrNotFound when it carries none for it,
// or they do not open.
func (w *Wallet) OpenResaleRefs(ctx context.Context, bankID string, t *model.TokenView) ([]protocol.InvoiceNumber, error) {
	if t.Resale == nil || t.Resale.Buyer != bankID {
		return nil, ErrNotFound.With("token " + t.ID + " has no resale offer to " + bankID)
	}
	return w.openRefs(ctx, bankID, t.Commitment, t.Resale.Refs, "resale offer on token "+t.ID)
}

// heldBankRefs opens the invoice references a bank holds for the piece t
// it holds: those its resale to the bank carried (the latest), else those
// of the financing it granted. ErrNotFound when none opens.
func (w *Wallet) heldBankRefs(ctx context.Context, bankID string, t *model.TokenView) ([]protocol.InvoiceNumber, error) {
	if r := t.LastResaleTo(bankID); r != nil {
		if refs, err := w.openRefs(ctx, bankID, t.Commitment, r.Refs, "token "+t.ID); err == nil {
			return refs, nil
		}
	}
	return w.OpenFinancingRefs(ctx, bankID, t)
}

// openRefs opens references sealed to enterpriseID for the token (or
// piece) of commitment. None, or references that do not open, is
// ErrNotFound (not disclosed); a missing key is its error.
func (w *Wallet) openRefs(ctx context.Context, enterpriseID string, commitment, sealed []byte, what string) ([]protocol.InvoiceNumber, error) {
	if len(sealed) == 0 {
		return nil, ErrNotFound.With(what + " carries no invoice references for " + enterpriseID)
	}
	key, err := w.privateKey(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	c, err := pedersen.DecodeCommitment(commitment)
	if err != nil {
		return nil, ErrNotFound.With(what)
	}
	refs, err := protocol.OpenInvoiceRefs(key, enterpriseID, c, sealed)
	if err != nil {
		return nil, ErrNotFound.With("the invoice references of " + what + " do not open")
	}
	return refs, nil
}

// NumberFingerprinter computes the ledger IDs an invoice number can key
// under its seller's and buyer's registered legal IDs: the OPRF
// fingerprints of each of its canonical keys (services/invoice KeysFor,
// the main key first), through the operator's blinded evaluation (the
// operator learns nothing). It hands them to yield one at a time and
// stops when yield returns false, so a number that keys the invoice under
// its main key spends one evaluation of the operator's rate limit. The
// gateway wires services/invoice's.
type NumberFingerprinter interface {
	NumberFingerprints(ctx context.Context, sellerLegalID, buyerLegalID, number string, yield func(fp []byte) bool) error
}

// Reference check outcomes. RefMismatch means the check ran and the
// number is wrong; when the ledger lacks what the check needs it is
// RefUnverifiable, never a false alarm.
const (
	RefVerified     = "verified"      // the number keys the invoice's ledger ID or one of its aliases
	RefMismatch     = "mismatch"      // it keys neither: the sender lied or erred
	RefNotDisclosed = "not-disclosed" // no number for this invoice
	// RefUnverifiable: a party has no legal ID on the ledger (registered
	// before legal IDs existed), or the number keys nothing on an invoice
	// whose key the bank cannot recompute (a record without the filing
	// every v2-keyed registration carries: fingerprinted under v1, which
	// also keyed the date and the amount).
	RefUnverifiable = "unverifiable"
)

// RefCheck is one invoice of a receivable with its disclosed number and
// how it checks against the ledger.
type RefCheck struct {
	Invoice string
	Number  string // "" when not disclosed
	Status  string // RefVerified, RefMismatch, RefUnverifiable or RefNotDisclosed
}

// CheckInvoiceRefs checks refs against the invoices of a receivable
// (invoices: the root's, in its order): for each, the number disclosed
// for it (RefNotDisclosed when none) is fingerprinted under each of its
// canonical keys with the parties' registered legal IDs read from the
// ledger, and compared with the invoice's fingerprint and its aliases.
// A party without a legal ID, or no match on an invoice keyed otherwise
// than the bank can recompute (v2KeyedInvoice), is RefUnverifiable.
// Numbers for invoices not under the root are ignored. An error is a
// failed ledger read or OPRF evaluation: nothing was checked.
func CheckInvoiceRefs(ctx context.Context, l Ledger, contract string, f NumberFingerprinter, invoices []string, refs []protocol.InvoiceNumber) ([]RefCheck, error) {
	return CheckInvoiceRefsIn(ctx, LedgerRecords{Ledger: l, Contract: contract}, f, invoices, refs)
}

// CheckInvoiceRefsIn is CheckInvoiceRefs reading the records from r; an
// error is a failed read of r or a failed OPRF evaluation.
func CheckInvoiceRefsIn(ctx context.Context, r RefRecords, f NumberFingerprinter, invoices []string, refs []protocol.InvoiceNumber) ([]RefCheck, error) {
	legal := map[string]string{}
	legalID := func(id string) (string, error) {
		if v, ok := legal[id]; ok {
			return v, nil
		}
		e, err := r.Enterprise(ctx, id)
		if err != nil {
			return "", err
		}
		legal[id] = e.LegalID
		return e.LegalID, nil
	}
	out := DisclosedRefs(invoices, refs)
	for i, id := range invoices {
		if out[i].Number == "" {
			continue
		}
		inv, err := r.Invoice(ctx, id)
		if err != nil {
			return nil, err
		}
		seller, err := legalID(inv.Supplier)
		if err != nil {
			return nil, err
		}
		buyer, err := legalID(inv.Buyer)
		if err != nil {
			return nil, err
		}
		if seller == "" || buyer == "" {
			out[i].Status = RefUnverifiable // no legal ID: the key cannot be formed
			continue
		}
		keyed := false
		err = f.NumberFingerprints(ctx, seller, buyer, out[i].Number, func(fp []byte) bool {
			keyed = keysInvoice(fp, inv)
			return !keyed
		})
		if err != nil {
			return nil, err
		}
		switch {
		case keyed:
			out[i].Status = RefVerified
		case v2KeyedInvoice(inv):
			out[i].Status = RefMismatch
		default:
			out[i].Status = RefUnverifiable
		}
	}
	return out, nil
}

// DisclosedRefs lists the invoices of a receivable (in its order) with
// the number refs disclose for each, all RefNotDisclosed: the list a check
// starts from. Numbers for invoices not under the receivable are ignored.
func DisclosedRefs(invoices []string, refs []protocol.InvoiceNumber) []RefCheck {
	numbers := make(map[string]string, len(refs))
	for _, r := range refs {
		numbers[r.Invoice] = r.Number
	}
	out := make([]RefCheck, len(invoices))
	for i, id := range invoices {
		out[i] = RefCheck{Invoice: id, Number: numbers[id], Status: RefNotDisclosed}
	}
	return out
}

// keysInvoice reports whether fp is the invoice's fingerprint (its ID) or
// one of its aliases.
func keysInvoice(fp []byte, inv *model.Invoice) bool {
	if want, err := hex.DecodeString(inv.ID); err == nil && bytes.Equal(fp, want) {
		return true
	}
	for _, a := range inv.Aliases {
		if bytes.Equal(fp, a) {
			return true
		}
	}
	return false
}

// v2KeyedInvoice reports whether the invoice's fingerprint is known to key
// (seller, buyer, number) under the v2 encoding, the one the bank
// recomputes: its record carries the seller's filing or aliases, which
// only registrations keyed under v2 write (both came after v2). A record
// with neither may have been fingerprinted under v1 (which keyed the
// issue date, currency and amount too): no number can be shown wrong.
func v2KeyedInvoice(inv *model.Invoice) bool {
	return len(inv.FilingEnvelope) > 0 || len(inv.Aliases) > 0
}
