package invoice

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
}

type ublRole struct {
	Party []ublParty `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 Party"`
}

type ublParty struct {
	EndpointID []ublID `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 EndpointID"`
	PartyName  []struct {
		Name string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 Name"`
	} `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 PartyName"`
	TaxScheme []struct {
		CompanyID []ublID `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 CompanyID"`
	} `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 PartyTaxScheme"`
	LegalEntity []struct {
		RegistrationName string  `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 RegistrationName"`
		CompanyID        []ublID `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 CompanyID"`
	} `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 PartyLegalEntity"`
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
		Name string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 Name"`
	} `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2 Item"`
}

// ParseUBL parses, validates and normalises a UBL 2.1 Invoice document
// (Peppol BIS Billing 3.0 is a profile of it). The document must be UTF-8,
// at most MaxDocumentSize bytes, with no DTD (so no entities of any kind),
// bounded depth and token count. Errors are *ValidationError (with the JSON
// schema's field paths), or wrap ErrTooLarge or ErrMalformed.
func ParseUBL(data []byte) (*Invoice, error) {
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
	return normalise(doc.draft())
}

// scanXML walks the whole document once, before any unmarshalling, to refuse
// DTDs and enforce the depth, token and attribute bounds, and checks that the
// root element is a UBL Invoice.
func scanXML(data []byte) error {
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

// draft maps the UBL elements onto the JSON schema's fields.
func (doc *ublInvoice) draft() *draft {
	d := &draft{format: FormatUBL}
	once := func(field string, n int) bool {
		if n > 1 {
			d.problems = append(d.problems, FieldError{Field: field, Reason: "appears more than once"})
			return false
		}
		return n == 1
	}
	first := func(field string, xs []string) string {
		if once(field, len(xs)) {
			return xs[0]
		}
		return ""
	}
	amount := func(field string, xs []ublAmount) draftAmount {
		if once(field, len(xs)) {
			return draftAmount{value: xs[0].Value, currency: xs[0].Currency, present: true}
		}
		return draftAmount{}
	}
	d.number = first("invoice.number", doc.ID)
	d.issueDate = first("invoice.issueDate", doc.IssueDate)
	d.dueDate = first("invoice.dueDate", doc.DueDate)
	d.currency = first("invoice.currency", doc.Currency)
	d.seller = ublPartyDraft(d, "invoice.seller", doc.Supplier)
	d.buyer = ublPartyDraft(d, "invoice.buyer", doc.Customer)
	if once("invoice.totals", len(doc.Totals)) {
		t := doc.Totals[0]
		payable := amount("invoice.amount", t.Payable)
		d.amount, d.amountCurrency = payable.value, payable.currency
		d.lineExtension = amount("invoice.totals.lineExtensionAmount", t.LineExtension)
		d.taxInclusive = amount("invoice.totals.taxInclusiveAmount", t.TaxInclusive)
		d.prepaid = amount("invoice.totals.prepaidAmount", t.Prepaid)
		d.rounding = amount("invoice.totals.payableRoundingAmount", t.Rounding)
	}
	if len(doc.Lines) > MaxLines {
		d.problems = append(d.problems, FieldError{Field: "invoice.lines", Reason: fmt.Sprintf("has more than %d lines", MaxLines)})
		return d
	}
	for i, l := range doc.Lines {
		field := fmt.Sprintf("invoice.lines[%d]", i)
		line := draftLine{
			id:       first(field+".id", l.ID),
			quantity: first(field+".quantity", l.Quantity),
			amount:   amount(field+".amount", l.Amount),
		}
		if once(field+".description", len(l.Item)) {
			line.description = l.Item[0].Name
		}
		d.lines = append(d.lines, line)
	}
	return d
}

// ublPartyDraft picks the party's identifier: its legal registration
// (PartyLegalEntity/CompanyID, BT-30/BT-47), else its VAT number
// (PartyTaxScheme/CompanyID, BT-31/BT-48), else its electronic address
// (EndpointID, BT-34/BT-49).
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
	var dp draftParty
	for _, le := range p.LegalEntity {
		if dp.name == "" {
			dp.name = le.RegistrationName
		}
		for _, id := range le.CompanyID {
			if dp.id == "" {
				dp.id, dp.scheme = id.Value, id.Scheme
			}
		}
	}
	for _, ts := range p.TaxScheme {
		for _, id := range ts.CompanyID {
			if dp.id == "" {
				dp.id, dp.scheme = id.Value, id.Scheme
			}
		}
	}
	for _, id := range p.EndpointID {
		if dp.id == "" {
			dp.id, dp.scheme = id.Value, id.Scheme
		}
	}
	for _, pn := range p.PartyName {
		if dp.name == "" {
			dp.name = pn.Name
		}
	}
	return dp
}
