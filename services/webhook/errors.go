package webhook

import "github.com/tierchain/tierchain/chaincode/model"

// Error is a webhook error with the chaincode error code the gateway
// renders it with; it matches its sentinel and that model error with
// errors.Is.
type Error struct {
	msg    string
	code   model.Code
	detail string
	base   *Error
}

// Errors, matched with errors.Is.
var (
	// ErrBadURL: a subscription URL that is not an absolute http(s) URL
	// with a host (and no user information).
	ErrBadURL = &Error{msg: "webhook: URL must be http:// or https:// with a host", code: model.CodeInvalidArgument}
	// ErrDestination: a URL whose address deliveries may not reach (not
	// public and not in Config.AllowNetworks).
	ErrDestination = &Error{msg: "webhook: destination not allowed", code: model.CodeInvalidArgument}
	// ErrBadEvent: an unknown event type in a subscription.
	ErrBadEvent = &Error{msg: "webhook: unknown event type", code: model.CodeInvalidArgument}
	// ErrNotFound: no such subscription for the enterprise.
	ErrNotFound = &Error{msg: "webhook: no such subscription", code: model.CodeNotFound}
	// ErrTooMany: the enterprise has MaxSubscriptions already.
	ErrTooMany = &Error{msg: "webhook: too many subscriptions", code: model.CodeConflict}
)

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

func (e *Error) with(detail string) *Error {
	return &Error{msg: e.msg, code: e.code, detail: detail, base: e}
}
