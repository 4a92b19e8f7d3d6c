package model

import (
	"errors"
	"fmt"
	"strings"
)

// Code is the stable, machine-readable class of an error. The gateway maps
// codes to HTTP statuses; they never change meaning.
type Code string

// Error codes.
const (
	CodeUnauthorized    Code = "UNAUTHORIZED"     // caller is no registered, ACTIVE enterprise (HTTP 401)
	CodeForbidden       Code = "FORBIDDEN"        // caller registered, but wrong role, not the party, or the regulator writing (403)
	CodeNotFound        Code = "NOT_FOUND"        // no such record (404)
	CodeConflict        Code = "CONFLICT"         // record exists, token already spent, fingerprint already used (409)
	CodeInvalidProof    Code = "INVALID_PROOF"    // a proof does not verify against the statement (422)
	CodeInvalidArgument Code = "INVALID_ARGUMENT" // malformed request, bytes or bounds (400)
	CodeInvalidState    Code = "INVALID_STATE"    // the record is not in a state that allows this (409)
	CodeInvoiceMismatch Code = "INVOICE_MISMATCH" // the buyer's copy of an invoice keys another fingerprint than the one registered (409)
	CodeInternal        Code = "INTERNAL"         // corrupt state or a failing ledger call (500)
	// CodeCurrencyMismatch: amounts in two currencies meet (an issue's
	// invoices or line, a merge's inputs, financing terms or a price not in
	// the token's currency) (422).
	CodeCurrencyMismatch Code = "CURRENCY_MISMATCH"
)

// codes lists every code ParseError recognizes. No code is a prefix of
// another followed by ':', so the earliest match in a message is the code.
var codes = []Code{CodeUnauthorized, CodeForbidden, CodeNotFound, CodeConflict, CodeInvalidProof, CodeInvalidArgument, CodeInvalidState, CodeInvoiceMismatch, CodeInternal, CodeCurrencyMismatch}

// Error is a typed chaincode error. Its text is "CODE: message", which is
// what Fabric hands the client, so ParseError recovers the code on the
// other side.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return string(e.Code) + ": " + e.Message
}

// Is matches any *Error with the same code, so errors.Is(err, ErrNotFound)
// holds for every NOT_FOUND error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrUnauthorized     = &Error{Code: CodeUnauthorized}
	ErrForbidden        = &Error{Code: CodeForbidden}
	ErrNotFound         = &Error{Code: CodeNotFound}
	ErrConflict         = &Error{Code: CodeConflict}
	ErrInvalidProof     = &Error{Code: CodeInvalidProof}
	ErrInvalidArgument  = &Error{Code: CodeInvalidArgument}
	ErrInvalidState     = &Error{Code: CodeInvalidState}
	ErrInvoiceMismatch  = &Error{Code: CodeInvoiceMismatch}
	ErrInternal         = &Error{Code: CodeInternal}
	ErrCurrencyMismatch = &Error{Code: CodeCurrencyMismatch}
)

// Errorf returns an *Error with the code and a formatted message. Messages
// name records and fields, never openings or keys.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err, or CodeInternal when err is not typed.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ParseError recovers a typed error from a message that Fabric wrapped (for
// example "chaincode response 500, NOT_FOUND: token t1"). It returns nil when
// the message carries no known code.
func ParseError(msg string) *Error {
	best, at := Code(""), -1
	for _, c := range codes {
		if i := strings.Index(msg, string(c)+":"); i >= 0 && (at < 0 || i < at) {
			best, at = c, i
		}
	}
	if at < 0 {
		return nil
	}
	return &Error{Code: best, Message: strings.TrimSpace(msg[at+len(best)+1:])}
}
