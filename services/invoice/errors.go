package invoice

import (
	"errors"
	"strings"
)

// FieldError is one problem with one field. Field is a path into the JSON
// schema ("invoice.dueDate", "invoice.lines[2].amount"), used for UBL too, so
// that a client sees the same names whatever it uploaded.
type FieldError struct {
	Field  string
	Reason string
}

func (e FieldError) Error() string { return e.Field + ": " + e.Reason }

// ValidationError lists every problem found in a document. The gateway renders
// it as an RFC 9457 problem with one entry per field.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "invoice: invalid: " + strings.Join(parts, "; ")
}

// add records a problem; it keeps the first problem per field.
func (e *ValidationError) add(field, reason string) {
	if e.has(field) {
		return
	}
	e.Fields = append(e.Fields, FieldError{Field: field, Reason: reason})
}

// has reports whether a problem with field is already recorded.
func (e *ValidationError) has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// err returns e as an error, or nil when nothing was found.
func (e *ValidationError) err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

func invalid(field, reason string) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Reason: reason}}}
}

var (
	// ErrTooLarge reports a document over its size bound.
	ErrTooLarge = errors.New("invoice: document too large")
	// ErrMalformed reports a document that is not well-formed JSON or XML, or
	// is not an invoice at all; its message says where, not what it holds.
	ErrMalformed = errors.New("invoice: malformed document")
	// ErrNotPDF reports an attachment that does not start like a PDF file.
	ErrNotPDF = errors.New("invoice: attachment is not a PDF")
	// ErrDuplicate reports that this supplier already uploaded this invoice
	// (same seller, buyer and invoice number).
	ErrDuplicate = errors.New("invoice: already uploaded")
	// ErrNotSeller reports an upload whose document names a seller other
	// than the uploading enterprise: only the seller files its invoice.
	ErrNotSeller = errors.New("invoice: the seller is not the uploader")
	// ErrUnknownBuyer reports a buyer that is not a core enterprise known
	// here. The message is the same whether the legal ID is unknown or
	// belongs to an enterprise of another role.
	ErrUnknownBuyer = errors.New("invoice: the buyer is not a core enterprise known here")
	// ErrNotFound reports an unknown invoice ID or document.
	ErrNotFound = errors.New("invoice: not found")
	// ErrStatusConflict reports a status change from a status the invoice is no
	// longer in, or one the lifecycle does not allow.
	ErrStatusConflict = errors.New("invoice: status conflict")
	// ErrBadCursor reports a pagination cursor this service did not issue.
	ErrBadCursor = errors.New("invoice: bad page cursor")
)
