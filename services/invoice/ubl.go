package invoice

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// UBL 2.1 namespaces.
const (
	nsUBLInvoice = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsCBC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
	nsCAC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
)

// Bounds on an XML document beyond its size: a real invoice is about ten
// levels deep and a few thousand tokens long.
const (
	maxXMLDepth      = 64
	maxXMLTokens     = 200_000
	maxXMLAttributes = 32
)

// The subset of a UBL Invoice that TierChain reads. Elements that must occur
// at most once are slices, so that a second occurrence is seen and refused
// rather than silently overriding the first.
type ublInvoice struct {
	XMLName   xml.Name         `xml:"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 Invoice"`
	ID        []string         `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 ID"`
	IssueDate []string         `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 IssueDate"`
	DueDate   []string         `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 DueDate"`
	Currency  []string         `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 DocumentCurrencyCode"`
	Supplier  []ublRole        `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 AccountingSupplierParty"`
	Customer  []ublRole        `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 AccountingCustomerParty"`
	Totals    []ublTotals      `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 LegalMonetaryTotal"`
	Lines     []ublInvoiceLine `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 InvoiceLine"`

	// Where a due date may stand when cbc:DueDate (BT-9) does not: UBL 2.1
	// lets each means of payment and each set of payment terms carry one.
	PaymentMeans []ublPaymentDue `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 PaymentMeans"`
	PaymentTerms []ublPaymentDue `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 PaymentTerms"`
}

// ublPaymentDue is the part of cac:PaymentMeans or cac:PaymentTerms read
// here: cbc:PaymentDueDate (0..1 in both).
type ublPaymentDue struct {
	PaymentDueDate []string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 PaymentDueDate"`
}

type ublRole struct {
	Party []ublParty `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 Party"`
}

type ublParty struct {
	EndpointID  []ublID          `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 EndpointID"`
	PartyName   []ublPartyName   `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 PartyName"`
	TaxScheme   []ublPartyTax    `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 PartyTaxScheme"`
	LegalEntity []ublLegalEntity `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 PartyLegalEntity"`
}

type ublPartyName struct {
	Name []string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 Name"`
}

type ublPartyTax struct {
	CompanyID []ublID `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 CompanyID"`
	TaxScheme []struct {
		ID []string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 ID"`
	} `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 TaxScheme"`
}

type ublLegalEntity struct {
	RegistrationName []string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 RegistrationName"`
	CompanyID        []ublID  `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 CompanyID"`
}

type ublID struct {
	Value  string `xml:",chardata"`
	Scheme string `xml:"schemeID,attr"`
}

type ublAmount struct {
	Value    string `xml:",chardata"`
	Currency string `xml:"currencyID,attr"`
}

type ublTotals struct {
	LineExtension []ublAmount `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 LineExtensionAmount"`
	TaxInclusive  []ublAmount `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 TaxInclusiveAmount"`
	Prepaid       []ublAmount `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 PrepaidAmount"`
	Rounding      []ublAmount `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 PayableRoundingAmount"`
	Payable       []ublAmount `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 PayableAmount"`
}

type ublInvoiceLine struct {
	ID       []string    `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 ID"`
	Quantity []string    `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 InvoicedQuantity"`
	Amount   []ublAmount `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 LineExtensionAmount"`
	Item     []struct {
		Name []string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 Name"`
	} `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 Item"`
}

// ParseUBL parses, validates and normalises a UBL 2.1 Invoice document
// (Peppol BIS Billing 3.0 is a profile of it). The document must be UTF-8,
// at most MaxDocumentSize bytes, with no DTD (so no entities of any kind),
// bounded depth and token count, and may hold each element TierChain reads
// at most once where UBL allows one. Its due date is cbc:DueDate, else the
// cbc:PaymentDueDate of its payment means or terms (all that are present
// must agree); ParseUpload also takes one agreed outside the document.
// Errors are *ValidationError (with the JSON schema's field paths), or wrap
// ErrTooLarge or ErrMalformed.
func ParseUBL(data []byte) (*Invoice, error) {
	return parseUBL(data, "")
}

func parseUBL(data []byte, agreedDueDate string) (*Invoice, error) {
	if len(data) > MaxDocumentSize {
		return nil, ErrTooLarge
	}
	if err := scanXML(data); err != nil {
		return nil, err
	}
	var doc ublInvoice
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: not a UBL Invoice document", ErrMalformed)
	}
	d := doc.draft()
	d.agreedDueDate = agreedDueDate
	return normalise(d)
}

// scanXML walks the whole document once, before any unmarshalling, to refuse
// DTDs and enforce the depth, token and attribute bounds, and checks that the
// root element is a UBL Invoice.
func scanXML(data []byte) error {
	// encoding/xml passes some invalid UTF-8 through as U+FFFD; the stored
	// document and what was read from it must not differ.
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: the document is not valid UTF-8", ErrMalformed)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	depth, tokens := 0, 0
	sawRoot := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The decoder's messages quote no content beyond a tag name; still,
			// say only where.
			return fmt.Errorf("%w: XML is not well-formed (line %d)", ErrMalformed, lineOf(dec))
		}
		if tokens++; tokens > maxXMLTokens {
			return fmt.Errorf("%w: more than %d XML tokens", ErrTooLarge, maxXMLTokens)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if sawRoot {
					return fmt.Errorf("%w: more than one root element", ErrMalformed)
				}
				sawRoot = true
				if t.Name.Space != nsUBLInvoice || t.Name.Local != "Invoice" {
					return fmt.Errorf("%w: root element is not a UBL 2.1 Invoice", ErrMalformed)
				}
			}
			if depth++; depth > maxXMLDepth {
				return fmt.Errorf("%w: XML nested deeper than %d", ErrMalformed, maxXMLDepth)
			}
			if len(t.Attr) > maxXMLAttributes {
				return fmt.Errorf("%w: element with more than %d attributes", ErrMalformed, maxXMLAttributes)
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			// <!DOCTYPE …> and anything else DTD-like: no invoice needs one,
			// and refusing them rules out entity expansion of every kind.
			return fmt.Errorf("%w: DTDs and other XML directives are not accepted", ErrMalformed)
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("%w: text outside the root element", ErrMalformed)
			}
		}
	}
	if !sawRoot {
		return fmt.Errorf("%w: no root element", ErrMalformed)
	}
	return nil
}

func lineOf(dec *xml.Decoder) int {
	line, _ := dec.InputPos()
	return line
}

// draft maps the UBL elements onto the JSON schema's fields. An element
// TierChain reads that occurs more often than UBL (or, where it is stricter,
// Peppol BIS 3) allows is a problem, never "the first one wins".
func (doc *ublInvoice) draft() *draft {
	d := &draft{format: FormatUBL}
	d.number = d.first("invoice.number", doc.ID)
	d.issueDate = d.first("invoice.issueDate", doc.IssueDate)
	d.dueDate = doc.dueDate(d)
	d.currency = d.first("invoice.currency", doc.Currency)
	d.seller = ublPartyDraft(d, "invoice.seller", doc.Supplier)
	d.buyer = ublPartyDraft(d, "invoice.buyer", doc.Customer)
	if d.once("invoice.totals", len(doc.Totals)) {
		t := doc.Totals[0]
		payable := d.amountOnce("invoice.amount", t.Payable)
		d.amount, d.amountCurrency = payable.value, payable.currency
		d.lineExtension = d.amountOnce("invoice.totals.lineExtensionAmount", t.LineExtension)
		d.taxInclusive = d.amountOnce("invoice.totals.taxInclusiveAmount", t.TaxInclusive)
		d.prepaid = d.amountOnce("invoice.totals.prepaidAmount", t.Prepaid)
		d.rounding = d.amountOnce("invoice.totals.payableRoundingAmount", t.Rounding)
	}
	if len(doc.Lines) > MaxLines {
		d.problems = append(d.problems, FieldError{Field: "invoice.lines", Reason: fmt.Sprintf("has more than %d lines", MaxLines)})
		return d
	}
	for i, l := range doc.Lines {
		field := fmt.Sprintf("invoice.lines[%d]", i)
		line := draftLine{
			id:       d.first(field+".id", l.ID),
			quantity: d.first(field+".quantity", l.Quantity),
			amount:   d.amountOnce(field+".amount", l.Amount),
		}
		if d.once(field+".description", len(l.Item)) {
			line.description = d.first(field+".description", l.Item[0].Name)
		}
		d.lines = append(d.lines, line)
	}
	return d
}

// dueDate is the document's due date: cbc:DueDate (BT-9), else the
// cbc:PaymentDueDate of its cac:PaymentMeans or cac:PaymentTerms. Every one
// present must name the same day; "" when there is none.
func (doc *ublInvoice) dueDate(d *draft) string {
	const field = "invoice.dueDate"
	due := d.first(field, doc.DueDate)
	for _, group := range [][]ublPaymentDue{doc.PaymentMeans, doc.PaymentTerms} {
		for _, p := range group {
			v := strings.TrimSpace(d.first(field, p.PaymentDueDate))
			switch {
			case v == "":
			case strings.TrimSpace(due) == "":
				due = v
			case v != strings.TrimSpace(due):
				d.problems = append(d.problems, FieldError{Field: field,
					Reason: "the document names different due dates (cbc:DueDate, cbc:PaymentDueDate)"})
				return ""
			}
		}
	}
	return due
}

// once reports whether an element read n times occurs exactly once, and
// records a problem when it occurs more often.
func (d *draft) once(field string, n int) bool {
	if n > 1 {
		d.problems = append(d.problems, FieldError{Field: field, Reason: "appears more than once"})
		return false
	}
	return n == 1
}

func (d *draft) first(field string, xs []string) string {
	if d.once(field, len(xs)) {
		return xs[0]
	}
	return ""
}

func (d *draft) firstID(field string, xs []ublID) ublID {
	if d.once(field, len(xs)) {
		return xs[0]
	}
	return ublID{}
}

func (d *draft) amountOnce(field string, xs []ublAmount) draftAmount {
	if d.once(field, len(xs)) {
		return draftAmount{value: xs[0].Value, currency: xs[0].Currency, present: true}
	}
	return draftAmount{}
}

// ublPartyDraft picks the party's identifier: its legal registration
// (PartyLegalEntity/CompanyID, BT-30/BT-47), else its VAT number
// (PartyTaxScheme/CompanyID with TaxScheme VAT, BT-31/BT-48), else its other
// tax registration (BT-32), else its electronic address (EndpointID,
// BT-34/BT-49). Each of these, and the names, may occur once (Peppol BIS 3:
// one PartyLegalEntity, one PartyName, one PartyTaxScheme per scheme).
func ublPartyDraft(d *draft, field string, roles []ublRole) draftParty {
	if len(roles) != 1 || len(roles[0].Party) != 1 {
		reason := "is required"
		if len(roles) > 1 || (len(roles) == 1 && len(roles[0].Party) > 1) {
			reason = "appears more than once"
		}
		d.problems = append(d.problems, FieldError{Field: field, Reason: reason})
		return draftParty{}
	}
	p := roles[0].Party[0]
	idField, nameField := field+".id", field+".name"
	var ids []ublID // in order of preference
	var dp draftParty
	if d.once(idField, len(p.LegalEntity)) {
		le := p.LegalEntity[0]
		dp.name = d.first(nameField, le.RegistrationName)
		ids = append(ids, d.firstID(idField, le.CompanyID))
	}
	var vat, other []ublPartyTax
	for _, ts := range p.TaxScheme {
		if len(ts.TaxScheme) == 1 && len(ts.TaxScheme[0].ID) == 1 && strings.TrimSpace(ts.TaxScheme[0].ID[0]) == "VAT" {
			vat = append(vat, ts)
		} else {
			other = append(other, ts)
		}
	}
	for _, ts := range [][]ublPartyTax{vat, other} {
		if d.once(idField, len(ts)) {
			ids = append(ids, d.firstID(idField, ts[0].CompanyID))
		}
	}
	ids = append(ids, d.firstID(idField, p.EndpointID))
	for _, id := range ids {
		if strings.TrimSpace(id.Value) != "" {
			dp.id, dp.scheme = id.Value, id.Scheme
			break
		}
	}
	if d.once(nameField, len(p.PartyName)) {
		if name := d.first(nameField, p.PartyName[0].Name); dp.name == "" {
			dp.name = name
		}
	}
	return dp
}
