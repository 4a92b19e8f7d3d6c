package invoice

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func date(s string) time.Time {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestParseUBLPeppolSample(t *testing.T) {
	inv, err := ParseUBL(readTestdata(t, "peppol-bis3-invoice.xml"))
	if err != nil {
		t.Fatal(err)
	}
	checkHeader(t, inv, sampleHeader(FormatUBL))
	if len(inv.Lines) != 2 || inv.Lines[0].AmountMinor != 60000000 || inv.Lines[1].AmountMinor != 20000000 ||
		inv.Lines[0].Quantity != "400" || inv.Lines[0].Description != "Brake caliper assembly BC-220" {
		t.Errorf("lines = %+v", inv.Lines)
	}
}

func TestParseJSONSample(t *testing.T) {
	inv, err := ParseJSON(readTestdata(t, "invoice.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkHeader(t, inv, sampleHeader(FormatJSON))
	if len(inv.Lines) != 2 {
		t.Errorf("lines = %+v", inv.Lines)
	}
}

// The same invoice in either format has the same fingerprint input.
func TestFormatsAgreeOnFingerprint(t *testing.T) {
	a, err := ParseUBL(readTestdata(t, "peppol-bis3-invoice.xml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseJSON(readTestdata(t, "invoice.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(FingerprintInput(a)) != string(FingerprintInput(b)) {
		t.Error("the UBL and JSON renditions of one invoice have different fingerprint inputs")
	}
}

// sampleHeader is what the testdata samples (one invoice in two formats) hold.
func sampleHeader(f Format) *Invoice {
	return &Invoice{
		Format:      f,
		Number:      "NK-2026-00417",
		IssueDate:   date("2026-03-02"),
		DueDate:     date("2026-06-30"),
		Currency:    "NOK",
		AmountMinor: 100000000,
		Seller:      Party{ID: "0192:915600123", Name: "Nordvik Komponenter AS"},
		Buyer:       Party{ID: "0192:987123456", Name: "Helios Motors ASA"},
	}
}

func checkHeader(t *testing.T, got, want *Invoice) {
	t.Helper()
	if got.Format != want.Format || got.Number != want.Number || !got.IssueDate.Equal(want.IssueDate) ||
		!got.DueDate.Equal(want.DueDate) || got.Currency != want.Currency || got.AmountMinor != want.AmountMinor ||
		got.Seller != want.Seller || got.Buyer != want.Buyer {
		t.Errorf("got  %+v\nwant %+v", *got, *want)
	}
}

// fieldOf returns the field paths of a *ValidationError, or fails.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var v *ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	var fields []string
	for _, f := range v.Fields {
		fields = append(fields, f.Field)
	}
	return fields
}

func hasField(fields []string, want string) bool {
	for _, f := range fields {
		if f == want {
			return true
		}
	}
	return false
}

const validJSON = `{"invoice":{"number":"INV-1","issueDate":"2026-03-01","dueDate":"2026-05-30","currency":"EUR",
"amount":"1000.00","seller":{"id":"S-1","name":"Seller"},"buyer":{"id":"B-1"},
"lines":[{"id":"1","amount":"600.00"},{"id":"2","amount":"400.00"}]}}`

func TestParseJSONInvalid(t *testing.T) {
	tests := []invalidCase{
		{"due before issue", repl(`"dueDate":"2026-05-30"`, `"dueDate":"2026-02-28"`), "invoice.dueDate"},
		{"due far in the future", repl(`"dueDate":"2026-05-30"`, `"dueDate":"2046-05-30"`), "invoice.dueDate"},
		{"bad date", repl(`"issueDate":"2026-03-01"`, `"issueDate":"2026-02-30"`), "invoice.issueDate"},
		{"date with time", repl(`"issueDate":"2026-03-01"`, `"issueDate":"2026-03-01T00:00:00Z"`), "invoice.issueDate"},
		{"missing number", repl(`"number":"INV-1",`, ``), "invoice.number"},
		{"blank number", repl(`"number":"INV-1"`, `"number":"  "`), "invoice.number"},
		{"control character", repl(`"number":"INV-1"`, `"number":"INV\u00001"`), "invoice.number"},
		{"missing seller", repl(`"seller":{"id":"S-1","name":"Seller"},`, ``), "invoice.seller.id"},
		{"missing buyer id", repl(`"buyer":{"id":"B-1"}`, `"buyer":{}`), "invoice.buyer.id"},
		{"lower-case currency", repl(`"currency":"EUR"`, `"currency":"eur"`), "invoice.currency"},
		{"long currency", repl(`"currency":"EUR"`, `"currency":"EURO"`), "invoice.currency"},
		{"numeric amount", repl(`"amount":"1000.00"`, `"amount":1000.00`), "invoice.amount"},
		{"too many decimals", repl(`"amount":"1000.00"`, `"amount":"1000.001"`), "invoice.amount"},
		{"negative", repl(`"amount":"1000.00"`, `"amount":"-1000.00"`), "invoice.amount"},
		{"zero", repl(`"amount":"1000.00"`, `"amount":"0.00"`), "invoice.amount"},
		{"overflow", repl(`"amount":"1000.00"`, `"amount":"92233720368547758.08"`), "invoice.amount"},
		{"lines do not add up", repl(`"amount":"400.00"`, `"amount":"400.01"`), "invoice.lines"},
		{"line amount bad", repl(`"amount":"400.00"`, `"amount":"4e2"`), "invoice.lines[1].amount"},
		{"line amount numeric", repl(`"amount":"400.00"`, `"amount":400`), "invoice.lines[1].amount"},
		{"line id missing", repl(`{"id":"2",`, `{`), "invoice.lines[1].id"},
		{"unknown field", repl(`"currency":"EUR"`, `"currency":"EUR","discount":"5"`), "discount"},
		{"no invoice", func(string) string { return `{}` }, "invoice"},
		{"syntax error", repl(`"currency":"EUR"`, `"currency":"EUR",,`), ""},
		{"trailing data", func(s string) string { return s + `{}` }, ""},
		{"truncated", func(s string) string { return s[:len(s)/2] }, ""},
		{"not an object", func(string) string { return `[1,2,3]` }, ""},
		// A duplicated key would let the stored document and what the
		// ledger records disagree (encoding/json keeps the last copy).
		{"amount twice", repl(`"amount":"1000.00"`, `"amount":"1000.00","amount":"9000.00"`), "invoice.amount"},
		{"amount twice differing in case", repl(`"amount":"1000.00"`, `"amount":"1000.00","Amount":"9000.00"`), "invoice.Amount"},
		{"buyer twice", repl(`"buyer":{"id":"B-1"}`, `"buyer":{"id":"B-1"},"buyer":{"id":"B-2"}`), "invoice.buyer"},
		{"line amount twice", repl(`"amount":"400.00"`, `"amount":"400.00","amount":"1.00"`), "invoice.lines[1].amount"},
		{"invalid UTF-8", repl(`"name":"Seller"`, "\"name\":\"Sel\xffler\""), ""},
	}
	if _, err := ParseJSON([]byte(validJSON)); err != nil {
		t.Fatalf("the base document is invalid: %v", err)
	}
	runInvalid(t, ParseJSON, validJSON, tests)
}

func TestParseJSONMinimal(t *testing.T) {
	inv, err := ParseJSON(readTestdata(t, "minimal.json"))
	if err != nil {
		t.Fatal(err)
	}
	if inv.AmountMinor != 1 || inv.Seller.ID != "S1" || len(inv.Lines) != 0 {
		t.Errorf("got %+v", inv)
	}
}

// Every problem is reported at once, so a client can fix them in one go.
func TestParseJSONReportsAllFields(t *testing.T) {
	doc := `{"invoice":{"issueDate":"x","dueDate":"2026-01-01","currency":"eu","amount":"-1","seller":{"id":"S"},"buyer":{"id":""}}}`
	fields := fieldsOf(t, func() error { _, err := ParseJSON([]byte(doc)); return err }())
	for _, want := range []string{"invoice.number", "invoice.issueDate", "invoice.currency", "invoice.buyer.id"} {
		if !hasField(fields, want) {
			t.Errorf("fields %v lack %s", fields, want)
		}
	}
}

func TestParseUBLInvalid(t *testing.T) {
	sample := string(readTestdata(t, "peppol-bis3-invoice.xml"))
	tests := []invalidCase{
		{"due before issue", repl(`<cbc:DueDate>2026-06-30</cbc:DueDate>`, `<cbc:DueDate>2026-03-01</cbc:DueDate>`), "invoice.dueDate"},
		{"no due date", repl(`<cbc:DueDate>2026-06-30</cbc:DueDate>`, ``), "invoice.dueDate"},
		{"two IDs", repl(`<cbc:ID>NK-2026-00417</cbc:ID>`, `<cbc:ID>NK-2026-00417</cbc:ID><cbc:ID>X</cbc:ID>`), "invoice.number"},
		{"payable in other currency", repl(`<cbc:PayableAmount currencyID="NOK">`, `<cbc:PayableAmount currencyID="EUR">`), "invoice.amount"},
		{"payable does not match tax inclusive", repl(`<cbc:PayableAmount currencyID="NOK">1000000.00`, `<cbc:PayableAmount currencyID="NOK">999999.99`), "invoice.amount"},
		{"payable too precise", repl(`<cbc:PayableAmount currencyID="NOK">1000000.00`, `<cbc:PayableAmount currencyID="NOK">1000000.005`), "invoice.amount"},
		{"lines do not add up", repl(`<cbc:LineExtensionAmount currencyID="NOK">200000.00`, `<cbc:LineExtensionAmount currencyID="NOK">200000.01`), "invoice.lines"},
		{"line in other currency", repl(`<cbc:LineExtensionAmount currencyID="NOK">200000.00`, `<cbc:LineExtensionAmount currencyID="SEK">200000.00`), "invoice.lines[1].amount"},
		{"no payable amount", repl(`<cbc:PayableAmount currencyID="NOK">1000000.00</cbc:PayableAmount>`, ``), "invoice.amount"},
		{"no supplier", cut(`<cac:AccountingSupplierParty>`, `</cac:AccountingSupplierParty>`), "invoice.seller"},
		{"bad currency", repl(`<cbc:DocumentCurrencyCode>NOK`, `<cbc:DocumentCurrencyCode>N0K`), "invoice.currency"},
		{"DOCTYPE", repl(`<Invoice xmlns=`, "<!DOCTYPE Invoice [<!ENTITY x \"y\">]>\n<Invoice xmlns="), ""},
		{"external entity", repl(`<Invoice xmlns=`, "<!DOCTYPE Invoice SYSTEM \"http://127.0.0.1/x.dtd\">\n<Invoice xmlns="), ""},
		{"Latin-1", repl(`encoding="UTF-8"`, `encoding="ISO-8859-1"`), ""},
		{"credit note", func(s string) string {
			s = strings.ReplaceAll(s, "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"", "<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\"")
			return strings.ReplaceAll(s, "</Invoice>", "</CreditNote>")
		}, ""},
		{"wrong namespace", repl(`xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"`, `xmlns="urn:example:Invoice"`), ""},
		{"unclosed", func(s string) string { return strings.Replace(s, "</Invoice>", "", 1) }, ""},
		{"two roots", func(s string) string { return s + "<Invoice/>" }, ""},
		{"deep", repl(`<cbc:Note>`, strings.Repeat("<x>", 100)+strings.Repeat("</x>", 100)+`<cbc:Note>`), ""},
		{"JSON", func(string) string { return validJSON }, ""},
		{"invalid UTF-8 in a name", repl(`<cbc:Name>Nordvik Komponenter</cbc:Name>`, "<cbc:Name>Nordvik Kompon\xe9nter</cbc:Name>"), ""},
		{"invalid UTF-8 in a comment", repl(`<!-- A Peppol`, "<!-- \xff A Peppol"), ""},
		// Singletons TierChain reads: a second copy is refused, never "the
		// first (or last) one wins".
		{"two due dates", repl(`<cbc:DueDate>2026-06-30</cbc:DueDate>`, `<cbc:DueDate>2026-06-30</cbc:DueDate><cbc:DueDate>2026-09-30</cbc:DueDate>`), "invoice.dueDate"},
		{"two legal entities", repl(`<cac:PartyLegalEntity>`, `<cac:PartyLegalEntity><cbc:CompanyID schemeID="0192">999999999</cbc:CompanyID></cac:PartyLegalEntity><cac:PartyLegalEntity>`), "invoice.seller.id"},
		{"two legal IDs", repl(`<cbc:CompanyID schemeID="0192">915600123</cbc:CompanyID>`, `<cbc:CompanyID schemeID="0192">915600123</cbc:CompanyID><cbc:CompanyID schemeID="0192">999999999</cbc:CompanyID>`), "invoice.seller.id"},
		{"two registration names", repl(`<cbc:RegistrationName>Helios Motors ASA</cbc:RegistrationName>`, `<cbc:RegistrationName>Helios Motors ASA</cbc:RegistrationName><cbc:RegistrationName>X</cbc:RegistrationName>`), "invoice.buyer.name"},
		{"two party names", repl(`<cbc:Name>Helios Motors</cbc:Name>`, `<cbc:Name>Helios Motors</cbc:Name><cbc:Name>X</cbc:Name>`), "invoice.buyer.name"},
		{"two VAT registrations", repl(`<cac:PartyTaxScheme>`, `<cac:PartyTaxScheme><cbc:CompanyID>NO999999999MVA</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme><cac:PartyTaxScheme>`), "invoice.seller.id"},
		{"two endpoint IDs", repl(`<cbc:EndpointID schemeID="0192">987123456</cbc:EndpointID>`, `<cbc:EndpointID schemeID="0192">987123456</cbc:EndpointID><cbc:EndpointID schemeID="0192">1</cbc:EndpointID>`), "invoice.buyer.id"},
		{"two item names", repl(`<cbc:Name>Brake caliper assembly BC-220</cbc:Name>`, `<cbc:Name>Brake caliper assembly BC-220</cbc:Name><cbc:Name>X</cbc:Name>`), "invoice.lines[0].description"},
		{"two payable amounts", repl(`<cbc:PayableAmount currencyID="NOK">1000000.00</cbc:PayableAmount>`, `<cbc:PayableAmount currencyID="NOK">1000000.00</cbc:PayableAmount><cbc:PayableAmount currencyID="NOK">1.00</cbc:PayableAmount>`), "invoice.amount"},
		{"payment terms name another due date", repl(`<cbc:Note>120 days net</cbc:Note>`, `<cbc:Note>120 days net</cbc:Note><cbc:PaymentDueDate>2026-07-30</cbc:PaymentDueDate>`), "invoice.dueDate"},
		{"two payment due dates in one set of terms", repl(`<cbc:Note>120 days net</cbc:Note>`, `<cbc:PaymentDueDate>2026-06-30</cbc:PaymentDueDate><cbc:PaymentDueDate>2026-06-30</cbc:PaymentDueDate>`), "invoice.dueDate"},
	}
	runInvalid(t, ParseUBL, sample, tests)
}

// A Peppol BIS 3 invoice with no cbc:DueDate (terms only as text) is
// refused with a field error that says what to send, and accepted with the
// due date agreed outside the document.
func TestParseUBLWithoutDueDate(t *testing.T) {
	doc := readTestdata(t, "peppol-bis3-no-duedate.xml")
	_, err := ParseUBL(doc)
	var v *ValidationError
	if !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Field != "invoice.dueDate" || !strings.Contains(v.Fields[0].Reason, "dueDate") {
		t.Fatalf("without an agreed due date: %v, want one invoice.dueDate error naming dueDate", err)
	}
	inv, err := ParseUpload(Upload{Format: FormatUBL, Document: doc, DueDate: "2026-05-04"})
	if err != nil {
		t.Fatal(err)
	}
	if !inv.DueDate.Equal(date("2026-05-04")) || !inv.IssueDate.Equal(date("2026-03-05")) || inv.AmountMinor != 12_500_000 ||
		inv.Number != "RP-26-0193" || inv.Seller.ID != "0192:921384756" || inv.Seller.Name != "Raufoss Presisjon AS" ||
		inv.Buyer.ID != "0192:987123456" || len(inv.Lines) != 2 || inv.Lines[0].Description != "Bracket BR-17" {
		t.Fatalf("parsed %+v", inv)
	}
	for _, tc := range []struct{ name, due, field string }{
		{"not a date", "04.05.2026", "dueDate"},
		{"before the issue date", "2026-03-04", "dueDate"},
		{"over ten years out", "2046-03-05", "dueDate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseUpload(Upload{Format: FormatUBL, Document: doc, DueDate: tc.due})
			if fields := fieldsOf(t, err); !hasField(fields, tc.field) {
				t.Fatalf("fields %v, want %s", fields, tc.field)
			}
		})
	}
}

// UBL lets a due date stand in the payment means or terms; either is taken
// where cbc:DueDate is absent, and a date agreed outside must match it.
func TestParseUBLPaymentDueDate(t *testing.T) {
	base := string(readTestdata(t, "peppol-bis3-no-duedate.xml"))
	for _, tc := range []struct {
		name, old, new string
	}{
		{"payment terms", `<cbc:Note>60 dager`, `<cbc:PaymentDueDate>2026-05-04</cbc:PaymentDueDate><cbc:Note>60 dager`},
		{"payment means", `<cbc:PaymentID>`, `<cbc:PaymentDueDate>2026-05-04</cbc:PaymentDueDate><cbc:PaymentID>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := []byte(repl(tc.old, tc.new)(base))
			inv, err := ParseUBL(doc)
			if err != nil || !inv.DueDate.Equal(date("2026-05-04")) {
				t.Fatalf("got %v, %v", inv, err)
			}
			if _, err := ParseUpload(Upload{Format: FormatUBL, Document: doc, DueDate: "2026-05-04"}); err != nil {
				t.Fatalf("the same date beside the document: %v", err)
			}
			_, err = ParseUpload(Upload{Format: FormatUBL, Document: doc, DueDate: "2026-06-04"})
			if fields := fieldsOf(t, err); !hasField(fields, "dueDate") {
				t.Fatalf("another date beside the document: fields %v, want dueDate", fields)
			}
		})
	}
	t.Run("JSON", func(t *testing.T) {
		if _, err := ParseUpload(Upload{Format: FormatJSON, Document: []byte(validJSON), DueDate: "2026-05-31"}); !hasField(fieldsOf(t, err), "dueDate") {
			t.Fatalf("JSON with another date beside it: %v", err)
		}
		noDue := repl(`"dueDate":"2026-05-30",`, ``)(validJSON)
		inv, err := ParseUpload(Upload{Format: FormatJSON, Document: []byte(noDue), DueDate: "2026-05-30"})
		if err != nil || !inv.DueDate.Equal(date("2026-05-30")) {
			t.Fatalf("JSON with the date beside it: %v, %v", inv, err)
		}
	})
}

// invalidCase is an edit of a valid document and the field it must be
// refused for ("" for a malformed document).
type invalidCase struct {
	name      string
	edit      func(string) string
	wantField string
}

func runInvalid(t *testing.T, parse func([]byte) (*Invoice, error), base string, tests []invalidCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse([]byte(tt.edit(base)))
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.wantField == "" {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			if fields := fieldsOf(t, err); !hasField(fields, tt.wantField) {
				t.Fatalf("fields %v, want %s (err %v)", fields, tt.wantField, err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	big := make([]byte, MaxDocumentSize+1)
	if _, err := ParseJSON(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ParseJSON: %v, want ErrTooLarge", err)
	}
	if _, err := ParseUBL(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ParseUBL: %v, want ErrTooLarge", err)
	}
}

func TestParseManyLines(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"invoice":{"number":"N","issueDate":"2026-01-01","dueDate":"2026-02-01","currency":"EUR","amount":"1001.00","seller":{"id":"S"},"buyer":{"id":"B"},"lines":[`)
	for i := range MaxLines + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":"x","amount":"1.00"}`)
	}
	b.WriteString(`]}}`)
	_, err := ParseJSON([]byte(b.String()))
	if fields := fieldsOf(t, err); !hasField(fields, "invoice.lines") {
		t.Errorf("fields %v, want invoice.lines", fields)
	}
}

func TestCheckPDF(t *testing.T) {
	if err := CheckPDF(readTestdata(t, "evidence.pdf")); err != nil {
		t.Errorf("sample PDF: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("%PDF"), []byte("<html>%PDF-1.7"), []byte("GIF89a")} {
		if err := CheckPDF(bad); !errors.Is(err, ErrNotPDF) {
			t.Errorf("CheckPDF(%q) = %v, want ErrNotPDF", bad, err)
		}
	}
	big := append([]byte("%PDF-1.7\n"), make([]byte, MaxPDFSize)...)
	if err := CheckPDF(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized PDF: %v, want ErrTooLarge", err)
	}
}

func TestFormatForMediaType(t *testing.T) {
	for ct, want := range map[string]Format{
		"application/json":                FormatJSON,
		"application/json; charset=utf-8": FormatJSON,
		"application/xml":                 FormatUBL,
		"text/xml; charset=UTF-8":         FormatUBL,
	} {
		if got, ok := FormatForMediaType(ct); !ok || got != want {
			t.Errorf("FormatForMediaType(%q) = %q, %v", ct, got, ok)
		}
	}
	for _, ct := range []string{"", "application/pdf", "text/plain", ";;"} {
		if _, ok := FormatForMediaType(ct); ok {
			t.Errorf("FormatForMediaType(%q) accepted", ct)
		}
	}
}

func repl(old, new string) func(string) string {
	return func(s string) string {
		if !strings.Contains(s, old) {
			panic("test edit does not apply: " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
}

// cut removes everything from the first start marker to the end marker.
func cut(start, end string) func(string) string {
	return func(s string) string {
		i, j := strings.Index(s, start), strings.Index(s, end)
		if i < 0 || j < i {
			panic("test cut does not apply: " + start)
		}
		return s[:i] + s[j+len(end):]
	}
}
