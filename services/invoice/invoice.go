// Package invoice takes suppliers' invoices in: it parses them (TierChain's own
// JSON, or UBL 2.1 / Peppol BIS Billing 3.0 XML), validates and normalises them
// into one Invoice, hashes the uploaded documents, builds the canonical input of
// the invoice's OPRF fingerprint, and keeps invoices and their documents in the
// service's SQL database (services/store).
//
// The ledger-wide guard against financing one invoice twice is the chaincode's
// fingerprint record; the duplicate check here is the friendly local one.
package invoice

import (
	"fmt"
	"time"
)

// DateLayout is the only date format accepted and produced: ISO 8601 calendar
// date, as UBL's cbc:IssueDate uses.
const DateLayout = "2006-01-02"

// Format says how an invoice document was written.
type Format string

const (
	FormatJSON Format = "json" // TierChain's own JSON schema (docs/services.md)
	FormatUBL  Format = "ubl"  // UBL 2.1 Invoice, as profiled by Peppol BIS Billing 3.0
)

// Party is a seller or buyer as the document identifies it.
type Party struct {
	// ID is the party's identifier as written in the document, prefixed with
	// its scheme ("0192:987654325") when the document names one.
	ID   string
	Name string
}

// Line is one invoice line. AmountMinor may be negative (a discount line).
type Line struct {
	ID          string
	Description string
	Quantity    string // decimal, as written
	AmountMinor int64
}

// Invoice is a validated invoice, whatever format it arrived in. Amounts are
// integers in the currency's minor unit (cents for EUR, yen for JPY).
type Invoice struct {
	Format      Format
	Number      string // as issued, trimmed
	IssueDate   time.Time
	DueDate     time.Time
	Currency    string // ISO 4217 alphabetic code
	AmountMinor int64  // the amount payable, > 0
	Seller      Party
	Buyer       Party
	Lines       []Line
}

// Amount renders AmountMinor as a decimal string in the currency's unit.
func (inv *Invoice) Amount() string {
	return FormatAmount(inv.AmountMinor, inv.Currency)
}

func (inv *Invoice) String() string {
	return fmt.Sprintf("invoice %q from %s to %s, %s %s due %s", inv.Number, inv.Seller.ID, inv.Buyer.ID,
		inv.Amount(), inv.Currency, inv.DueDate.Format(DateLayout))
}
