package rules

import (
	"errors"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

// An invoice an issue uses is marked the way a spent token is (spent.go):
// a small record under its own key instead of rewriting the whole invoice
// (≈ 0.9 KB of JSON each, two or more an issue) only to set USED and the
// receivable it backs. loadInvoice lays the marker over a CONFIRMED record
// (only a CONFIRMED invoice is used); invoices used before read from their
// rewritten record.
//
// Layout, version 1 (usedMarkerV1):
//
//	0x01 ‖ used at (8, Unix nanoseconds, big-endian) ‖ root token ID
const usedMarkerV1 byte = 0x01

// usedMarker is a used invoice's record.
type usedMarker struct {
	At   time.Time
	Root string // the receivable the invoice backs
}

var errBadUsedMarker = errors.New("rules: malformed used-invoice marker")

func usedKey(id string) string { return CompositeKey(objInvoiceUsed, id) }

func (m usedMarker) encode() []byte {
	return append(markerHead(usedMarkerV1, m.At, len(m.Root)), m.Root...)
}

// decodeUsedMarker reads a marker: version 1, a root token ID of 1..64
// printable ASCII bytes.
func decodeUsedMarker(b []byte) (usedMarker, error) {
	if len(b) < 10 || b[0] != usedMarkerV1 || !markerRef(b[9:]) {
		return usedMarker{}, errBadUsedMarker
	}
	return usedMarker{At: markerTime(b[1:9]), Root: string(b[9:])}, nil
}

// loadInvoice loads an invoice with its used marker laid over it.
func loadInvoice(st State, id string) (*model.Invoice, error) {
	return loadMarked(st, invoiceKey(id), usedKey(id), "invoice", id,
		func(inv *model.Invoice) bool { return inv.Status == model.InvoiceConfirmed },
		func(inv *model.Invoice, raw []byte) error {
			m, err := decodeUsedMarker(raw)
			if err != nil {
				return err
			}
			inv.Status, inv.UsedBy, inv.UpdatedAt = model.InvoiceUsed, m.Root, m.At
			return nil
		})
}

// markUsed records inv used by the receivable root: the marker, not the
// whole invoice; the event reports it USED as before.
func (tx *txn) markUsed(inv *model.Invoice, root string) {
	tx.putRaw(usedKey(inv.ID), usedMarker{At: tx.now, Root: root}.encode())
	inv.Status, inv.UsedBy, inv.UpdatedAt = model.InvoiceUsed, root, tx.now
	tx.invoiceChanged(inv)
}
