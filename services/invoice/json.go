package invoice

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tierchain/tierchain/internal/strictjson"
)

// MaxDocumentSize bounds an uploaded invoice document, JSON or XML.
const MaxDocumentSize = 1 << 20

// jsonDocument is TierChain's JSON invoice schema (docs/services.md). Amounts
// are strings: a JSON number would pass through float64 somewhere.
type jsonDocument struct {
	Invoice *jsonInvoice `json:"invoice"`
}

type jsonInvoice struct {
	Number    string            `json:"number"`
	IssueDate string            `json:"issueDate"`
	DueDate   string            `json:"dueDate"`
	Currency  string            `json:"currency"`
	Amount    string            `json:"amount"`
	Seller    jsonParty         `json:"seller"`
	Buyer     jsonParty         `json:"buyer"`
	Lines     []json.RawMessage `json:"lines"` // decoded one by one, so errors can name the index
}

type jsonParty struct {
	ID     string `json:"id"`
	Scheme string `json:"scheme"`
	Name   string `json:"name"`
}

type jsonLine struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Quantity    string `json:"quantity"`
	Amount      string `json:"amount"`
}

// ParseJSON parses, validates and normalises an invoice in TierChain's JSON
// schema. Unknown fields, trailing data, non-string amounts and documents over
// MaxDocumentSize are refused. Errors are *ValidationError (with field paths),
// or wrap ErrTooLarge or ErrMalformed.
func ParseJSON(data []byte) (*Invoice, error) {
	return parseJSON(data, "")
}

func parseJSON(data []byte, agreedDueDate string) (*Invoice, error) {
	if len(data) > MaxDocumentSize {
		return nil, ErrTooLarge
	}
	var doc jsonDocument
	if err := strictjson.Decode(data, &doc); err != nil {
		return nil, jsonFieldError(err, "")
	}
	if doc.Invoice == nil {
		return nil, invalid("invoice", "is required")
	}
	in := doc.Invoice
	d := &draft{
		format:        FormatJSON,
		number:        in.Number,
		issueDate:     in.IssueDate,
		dueDate:       in.DueDate,
		agreedDueDate: agreedDueDate,
		currency:      in.Currency,
		amount:        in.Amount,
		seller:        draftParty{id: in.Seller.ID, scheme: in.Seller.Scheme, name: in.Seller.Name},
		buyer:         draftParty{id: in.Buyer.ID, scheme: in.Buyer.Scheme, name: in.Buyer.Name},
	}
	if len(in.Lines) > MaxLines {
		return nil, invalid("invoice.lines", fmt.Sprintf("has more than %d lines", MaxLines))
	}
	for i, raw := range in.Lines {
		var l jsonLine
		if err := strictjson.Decode(raw, &l); err != nil {
			return nil, jsonFieldError(err, fmt.Sprintf("invoice.lines[%d]", i))
		}
		d.lines = append(d.lines, draftLine{
			id: l.ID, description: l.Description, quantity: l.Quantity,
			amount: draftAmount{value: l.Amount, present: true},
		})
	}
	return normalise(d)
}

// jsonFieldError turns a decoding error into a field error where it names a
// field (under prefix), without echoing the document's content.
func jsonFieldError(err error, prefix string) error {
	join := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return invalid(join(jsonPath(typeErr.Field)), "must be a JSON "+jsonKind(typeErr.Type.Kind().String()))
	}
	var keyErr *strictjson.KeyError
	if errors.As(err, &keyErr) && errors.Is(err, strictjson.ErrDuplicateKey) {
		// Whichever copy encoding/json kept, the stored document would say
		// both: refuse it (the path is the whole path, already prefixed).
		return invalid(jsonPath(keyErr.Path), "appears more than once")
	}
	if errors.As(err, &keyErr) {
		return invalid(join(keyErr.Path), "is not a field of the invoice schema")
	}
	if errors.Is(err, strictjson.ErrInvalidUTF8) {
		return fmt.Errorf("%w: the document is not valid UTF-8", ErrMalformed)
	}
	if errors.Is(err, strictjson.ErrTooDeep) {
		return fmt.Errorf("%w: JSON nested too deeply", ErrMalformed)
	}
	if errors.Is(err, strictjson.ErrTrailingData) {
		return fmt.Errorf("%w: data after the JSON document", ErrMalformed)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Errorf("%w: JSON syntax error at byte %d", ErrMalformed, syntaxErr.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated JSON", ErrMalformed)
	}
	return fmt.Errorf("%w: not a JSON invoice document", ErrMalformed)
}

// jsonPath rewrites encoding/json's "invoice.lines.2.amount" as
// "invoice.lines[2].amount".
func jsonPath(p string) string {
	parts := strings.Split(p, ".")
	var b strings.Builder
	for i, part := range parts {
		if part != "" && allDigits(part) {
			b.WriteString("[" + part + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice":
		return "array"
	case "struct", "ptr":
		return "object"
	default:
		return goKind
	}
}
