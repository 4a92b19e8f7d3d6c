package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// ReuseAttempt is one refused attempt to register an invoice again, as the
// gateway records it: the ledger keeps one record per OPRF fingerprint, so
// a second upload of the same invoice (by anyone, to any bank) is refused.
//
// The fields mirror services/invoice's record of a refused upload, so the
// gateway's adapter is a field-by-field copy.
type ReuseAttempt struct {
	At          time.Time `json:"at"`
	Supplier    string    `json:"supplier"`         // the enterprise that submitted it
	Buyer       string    `json:"buyer,omitempty"`  // the core it was addressed to
	Number      string    `json:"number,omitempty"` // the invoice number as uploaded
	Fingerprint string    `json:"fingerprint"`      // hex OPRF fingerprint: the ledger invoice ID
	Reason      string    `json:"reason,omitempty"` // why it was refused, as recorded (duplicate upload, on the ledger)
}

// ReuseSource lists the recorded reuse attempts. The gateway implements it
// over its SQL records.
type ReuseSource interface {
	ReuseAttempts(ctx context.Context) ([]ReuseAttempt, error)
}

// ReuseItem is an attempt with the ledger record it collided with.
type ReuseItem struct {
	ReuseAttempt
	// Invoice is the ledger's record of the fingerprint (nil when the
	// snapshot has none: the attempt was refused before the ledger, or the
	// record belongs to no core the snapshot read).
	Invoice *InvoiceItem `json:"invoice,omitempty"`
	// SameSupplier reports whether the attempt came from the supplier that
	// registered the invoice (a resubmission) rather than another (a
	// second supplier claiming the same invoice).
	SameSupplier bool `json:"sameSupplier"`
}

// Reuse joins the recorded attempts with the snapshot's invoices, oldest
// first. Without a ReuseSource it returns none.
func (s *Service) Reuse(ctx context.Context, snap *Snapshot) ([]ReuseItem, error) {
	out := []ReuseItem{}
	if s.reuse == nil {
		return out, nil
	}
	attempts, err := s.reuse.ReuseAttempts(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: reuse attempts: %w", err)
	}
	byID := make(map[string]*InvoiceItem, len(snap.Invoices))
	for i := range snap.Invoices {
		byID[snap.Invoices[i].Invoice.ID] = &snap.Invoices[i]
	}
	for _, a := range attempts {
		it := ReuseItem{ReuseAttempt: a, Invoice: byID[a.Fingerprint]}
		it.SameSupplier = it.Invoice != nil && it.Invoice.Invoice.Supplier == a.Supplier
		out = append(out, it)
	}
	slices.SortStableFunc(out, func(a, b ReuseItem) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Fingerprint, b.Fingerprint))
	})
	return out, nil
}
