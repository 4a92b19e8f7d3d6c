package invoice

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// FingerprintDomain separates this encoding from every other hashed or
// OPRF-evaluated input. A change to the encoding is a new version: the old
// one must keep producing the same bytes, or invoices registered under it
// could be registered again.
const FingerprintDomain = "tierchain/invoice-fingerprint/v1"

// FingerprintInput is the canonical encoding of the fields that identify an
// invoice, the input the OPRF turns into its ledger fingerprint:
//
//	field(FingerprintDomain) || field(seller ID) || field(buyer ID)
//	|| field(NumberKey(number)) || field(issue date YYYY-MM-DD)
//	|| field(currency) || uint64be(amount in minor units)
//
// where field(s) = uint32be(len(s)) || s. Length prefixes make it
// unambiguous; party IDs are used as normalised by the parser (scheme:value),
// the number as NumberKey folds it. The due date is not part of it: a re-sent
// invoice with a moved due date is the same invoice.
func FingerprintInput(inv *Invoice) []byte {
	number := NumberKey(inv.Number)
	date := inv.IssueDate.Format(DateLayout)
	n := 6*4 + len(FingerprintDomain) + len(inv.Seller.ID) + len(inv.Buyer.ID) +
		len(number) + len(date) + len(inv.Currency) + 8
	b := make([]byte, 0, n)
	for _, s := range []string{FingerprintDomain, inv.Seller.ID, inv.Buyer.ID, number, date, inv.Currency} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return binary.BigEndian.AppendUint64(b, uint64(inv.AmountMinor))
}

// NumberKey normalises an invoice number for comparison: Unicode NFKC (so
// full-width and compatibility forms match), surrounding space trimmed, and
// full Unicode case folding.
func NumberKey(number string) string {
	s := norm.NFKC.String(number)
	s = strings.TrimSpace(s)
	return cases.Fold().String(s)
}

// DocumentHash is the SHA-256 of a document exactly as uploaded.
func DocumentHash(doc []byte) [32]byte {
	return sha256.Sum256(doc)
}
