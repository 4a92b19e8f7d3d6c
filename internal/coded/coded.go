// Package coded is the error type of a service whose errors each carry the
// chaincode error code the gateway renders them with (services/wallet
// and services/webhook use it).
//
// A package declares its sentinels with New, alias the type as its own
// Error (type Error = coded.Error) so callers keep writing *pkg.Error, and
// adds detail with With. errors.Is matches an error against the sentinel it
// was made from and against the chaincode/model error of its code
// (errors.Is(err, model.ErrNotFound)).
package coded

import "github.com/tierchain/tierchain/chaincode/model"

// Error is a sentinel, or a sentinel with detail.
type Error struct {
	msg    string
	code   model.Code
	detail string
	base   *Error
}

// New returns a sentinel: msg ("webhook: no such subscription") and the
// chaincode code it is rendered with.
func New(msg string, code model.Code) *Error { return &Error{msg: msg, code: code} }

func (e *Error) Error() string {
	if e.detail == "" {
		return e.msg
	}
	return e.msg + ": " + e.detail
}

// Code is the chaincode error code the gateway maps this error to.
func (e *Error) Code() model.Code { return e.code }

// Is matches the sentinel e was made from, and the model error of its code.
func (e *Error) Is(target error) bool {
	switch t := target.(type) {
	case *Error:
		return t == e || t == e.base
	case *model.Error:
		return t.Code == e.code
	}
	return false
}

// With returns an error of sentinel e with detail, which names records
// only, never amounts or keys. Call it on a sentinel, not on an error
// With made.
func (e *Error) With(detail string) *Error {
	return &Error{msg: e.msg, code: e.code, detail: detail, base: e}
}
