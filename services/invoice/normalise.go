package invoice

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds on what one invoice may hold.
const (
	MaxLines       = 1000
	maxTextLen     = 512 // names, descriptions
	maxIDLen       = 128 // invoice number, party IDs, line IDs
	minYear        = 1970
	maxYear        = 9999
	maxDueInterval = 10 * 366 * 24 * time.Hour // due at most ~10 years after issue
)

// draft is a document's content before validation, every value still the
// text the document held. Both parsers fill one; normalise checks it.
type draft struct {
	format         Format
	number         string
	issueDate      string
	dueDate        string
	agreedDueDate  string // the due date agreed outside the document (ParseUpload); "" when none
	currency       string
	amount         string
	amountCurrency string // UBL's currencyID on PayableAmount; "" in JSON
	seller, buyer  draftParty
	lines          []draftLine

	// UBL's cac:LegalMonetaryTotal, checked against the lines and the payable
	// amount as EN 16931 requires (BR-CO-10, BR-CO-16).
	lineExtension, taxInclusive, prepaid, rounding draftAmount

	problems []FieldError // structural problems the parser already found
}

type draftParty struct{ id, scheme, name string }

type draftLine struct {
	id, description, quantity string
	amount                    draftAmount
}

type draftAmount struct {
	value    string
	currency string // currencyID attribute, if any
	present  bool
}

// normalise validates d and builds the Invoice, or returns a *ValidationError
// listing every problem found.
func normalise(d *draft) (*Invoice, error) {
	v := ValidationError{Fields: d.problems}
	inv := &Invoice{Format: d.format}

	inv.Number = cleanID(&v, "invoice.number", d.number)
	inv.Seller = cleanParty(&v, "invoice.seller", d.seller)
	inv.Buyer = cleanParty(&v, "invoice.buyer", d.buyer)

	inv.IssueDate = parseDate(&v, "invoice.issueDate", d.issueDate)
	var dueField string
	inv.DueDate, dueField = dueDate(&v, d)
	if !inv.IssueDate.IsZero() && !inv.DueDate.IsZero() {
		switch {
		case inv.DueDate.Before(inv.IssueDate):
			v.add(dueField, "is before the issue date")
		case inv.DueDate.Sub(inv.IssueDate) > maxDueInterval:
			v.add(dueField, "is more than ten years after the issue date")
		}
	}

	inv.Currency = strings.TrimSpace(d.currency)
	currencyOK := validCurrency(inv.Currency)
	if !currencyOK {
		v.add("invoice.currency", "must be an ISO 4217 code of three upper-case letters")
	}
	if currencyOK {
		exp := MinorUnitExponent(inv.Currency)
		inv.AmountMinor = parsePayable(&v, "invoice.amount", d.amount, d.amountCurrency, inv.Currency)
		inv.Lines = parseLines(&v, d.lines, inv.Currency, exp)
		checkTotals(&v, d, inv, exp)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	return inv, nil
}

func cleanID(v *ValidationError, field, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		v.add(field, "is required")
	case len(s) > maxIDLen:
		v.add(field, fmt.Sprintf("is longer than %d bytes", maxIDLen))
	case !printable(s):
		v.add(field, "must be printable UTF-8 text")
	}
	return s
}

func cleanText(v *ValidationError, field, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case len(s) > maxTextLen:
		v.add(field, fmt.Sprintf("is longer than %d bytes", maxTextLen))
	case !printable(s):
		v.add(field, "must be printable UTF-8 text")
	}
	return s
}

func cleanParty(v *ValidationError, field string, p draftParty) Party {
	id := cleanID(v, field+".id", p.id)
	scheme := strings.TrimSpace(p.scheme)
	if scheme != "" {
		if len(scheme) > 16 || strings.ContainsRune(scheme, ':') || !printable(scheme) {
			v.add(field+".scheme", "must be a short identifier scheme code such as 0192 or 0088")
		}
		id = scheme + ":" + id
	}
	return Party{ID: id, Name: cleanText(v, field+".name", p.name)}
}

// printable reports whether s is valid UTF-8 with no control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

func parseDate(v *ValidationError, field, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		v.add(field, "is required")
		return time.Time{}
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil || len(s) != len(DateLayout) {
		v.add(field, "must be a date written YYYY-MM-DD")
		return time.Time{}
	}
	if t.Year() < minYear || t.Year() > maxYear {
		v.add(field, "is out of range")
		return time.Time{}
	}
	return t
}

// dueDate is the document's due date or, where the document names none,
// the one agreed outside it (field "dueDate" of the upload), with the field
// it came from. When both are given they must be the same day: the document
// is what the buyer sees.
func dueDate(v *ValidationError, d *draft) (time.Time, string) {
	const docField, agreedField = "invoice.dueDate", "dueDate"
	inDoc := strings.TrimSpace(d.dueDate) != ""
	if strings.TrimSpace(d.agreedDueDate) == "" {
		if !inDoc && d.format == FormatUBL && !v.has(docField) {
			v.add(docField, "is required: the document has no cbc:DueDate and no cbc:PaymentDueDate; "+
				"send the agreed due date beside it (dueDate, YYYY-MM-DD)")
			return time.Time{}, docField
		}
		return parseDate(v, docField, d.dueDate), docField
	}
	agreed := parseDate(v, agreedField, d.agreedDueDate)
	if !inDoc {
		return agreed, agreedField
	}
	doc := parseDate(v, docField, d.dueDate)
	if !agreed.IsZero() && !doc.IsZero() && !agreed.Equal(doc) {
		v.add(agreedField, "differs from the due date the document names")
	}
	return doc, docField
}

func parsePayable(v *ValidationError, field, s, attrCurrency, currency string) int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		v.add(field, "is required")
		return 0
	}
	if attrCurrency != "" && attrCurrency != currency {
		v.add(field, "is in a currency other than the document currency")
		return 0
	}
	minor, err := ParseAmount(s, currency)
	if err != nil {
		v.add(field, err.Error())
		return 0
	}
	return minor
}

func parseLines(v *ValidationError, lines []draftLine, currency string, exp int) []Line {
	if len(lines) > MaxLines {
		v.add("invoice.lines", fmt.Sprintf("has more than %d lines", MaxLines))
		return nil
	}
	out := make([]Line, 0, len(lines))
	for i, l := range lines {
		field := fmt.Sprintf("invoice.lines[%d]", i)
		line := Line{
			ID:          cleanID(v, field+".id", l.id),
			Description: cleanText(v, field+".description", l.description),
			Quantity:    strings.TrimSpace(l.quantity),
		}
		if line.Quantity != "" {
			if _, err := parseMinor(line.Quantity, 6, true); err != nil {
				v.add(field+".quantity", "must be a decimal number")
			}
		}
		line.AmountMinor = parseLineAmount(v, field+".amount", l.amount, currency, exp)
		out = append(out, line)
	}
	return out
}

func parseLineAmount(v *ValidationError, field string, a draftAmount, currency string, exp int) int64 {
	s := strings.TrimSpace(a.value)
	if s == "" {
		v.add(field, "is required")
		return 0
	}
	if a.currency != "" && a.currency != currency {
		v.add(field, "is in a currency other than the document currency")
		return 0
	}
	minor, err := parseMinor(s, exp, true)
	if err != nil {
		v.add(field, err.Error())
	}
	return minor
}

// checkTotals checks the sums. In JSON the lines, when given, add up to the
// amount. In UBL the lines add up to LineExtensionAmount (BR-CO-10) and the
// payable amount is TaxInclusiveAmount − PrepaidAmount + PayableRoundingAmount
// (BR-CO-16); with no TaxInclusiveAmount and no tax, lines add up to the amount.
func checkTotals(v *ValidationError, d *draft, inv *Invoice, exp int) {
	if len(v.Fields) > 0 {
		return // sums of values already known to be wrong say nothing new
	}
	var sum int64
	for _, l := range inv.Lines {
		var ok bool
		if sum, ok = addMinor(sum, l.AmountMinor); !ok {
			v.add("invoice.lines", "amounts overflow when added")
			return
		}
	}
	if d.format == FormatJSON {
		if len(inv.Lines) > 0 && sum != inv.AmountMinor {
			v.add("invoice.lines", fmt.Sprintf("add up to %s, not the invoice amount %s",
				FormatAmount(sum, inv.Currency), inv.Amount()))
		}
		return
	}
	total := func(field string, a draftAmount) (int64, bool) {
		if !a.present {
			return 0, false
		}
		if a.currency != "" && a.currency != inv.Currency {
			v.add(field, "is in a currency other than the document currency")
			return 0, false
		}
		m, err := parseMinor(strings.TrimSpace(a.value), exp, true)
		if err != nil {
			v.add(field, err.Error())
			return 0, false
		}
		return m, true
	}
	lineExt, hasLineExt := total("invoice.totals.lineExtensionAmount", d.lineExtension)
	taxIncl, hasTaxIncl := total("invoice.totals.taxInclusiveAmount", d.taxInclusive)
	prepaid, _ := total("invoice.totals.prepaidAmount", d.prepaid)
	rounding, _ := total("invoice.totals.payableRoundingAmount", d.rounding)
	if len(v.Fields) > 0 {
		return
	}
	if hasLineExt && len(inv.Lines) > 0 && sum != lineExt {
		v.add("invoice.lines", fmt.Sprintf("add up to %s, not LineExtensionAmount %s",
			FormatAmount(sum, inv.Currency), FormatAmount(lineExt, inv.Currency)))
	}
	if hasTaxIncl {
		want, ok1 := addMinor(taxIncl, -prepaid)
		want, ok2 := addMinor(want, rounding)
		if !ok1 || !ok2 || want != inv.AmountMinor {
			v.add("invoice.amount", "is not TaxInclusiveAmount − PrepaidAmount + PayableRoundingAmount")
		}
	}
}
