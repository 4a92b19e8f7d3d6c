package wallet

import (
	"errors"

	"github.com/tierchain/tierchain/chaincode/model"
)

// Errors. Each also matches, with errors.Is, the chaincode error code the
// gateway renders it with (model.ErrNotFound, model.ErrInvalidArgument, …),
// where one fits. Messages name enterprises, tokens and invoices, never
// amounts or openings.
var (
	// ErrWrongMasterKey reports a master key that is not the one the
	// database was created with.
	ErrWrongMasterKey = errors.New("wallet: wrong master key")
	// ErrCorrupt reports a stored record that does not decrypt or decode
	// under the right master key: the database was altered.
	ErrCorrupt = errors.New("wallet: corrupt record")
	// ErrNoKey reports an enterprise the wallet has no key for.
	ErrNoKey = &Error{msg: "wallet: no key for this enterprise", code: model.CodeNotFound}
	// ErrKeyExists reports a second, different key for an enterprise.
	ErrKeyExists = &Error{msg: "wallet: the enterprise already has a key", code: model.CodeConflict}
	// ErrKeyMismatch reports a wallet key that is not the encryption key the
	// ledger registered for the enterprise.
	ErrKeyMismatch = &Error{msg: "wallet: key differs from the ledger's encryption key", code: model.CodeInvalidState}
	// ErrNotFound reports an opening the wallet does not hold (not synced,
	// or not addressed to the enterprise).
	ErrNotFound = &Error{msg: "wallet: no opening", code: model.CodeNotFound}
	// ErrCommitmentMismatch reports an opening that does not open the
	// ledger's commitment: an envelope sealed with a wrong opening, a
	// stored opening of another commitment, or an outstanding sum that
	// differs from the credit line's.
	ErrCommitmentMismatch = &Error{msg: "wallet: opening does not match the ledger commitment", code: model.CodeInvalidState}
	// ErrInsufficientValue reports amounts over what the tokens hold.
	ErrInsufficientValue = &Error{msg: "wallet: amount exceeds the tokens' value", code: model.CodeInvalidArgument}
	// ErrInvalidArgument reports a malformed call (empty IDs, zero
	// amounts, too many outputs…).
	ErrInvalidArgument = &Error{msg: "wallet: invalid argument", code: model.CodeInvalidArgument}
	// ErrNotSpendable reports a token that is not ACTIVE, not held by the
	// enterprise, or overdue on the ledger.
	ErrNotSpendable = &Error{msg: "wallet: token is not spendable", code: model.CodeInvalidState}
	// ErrCurrencyMismatch reports amounts in two currencies that a build
	// would mix: an issue's invoices, a merge's inputs.
	ErrCurrencyMismatch = &Error{msg: "wallet: amounts in different currencies", code: model.CodeCurrencyMismatch}
)

// Error is a wallet error: a sentinel above, possibly with detail. It
// matches its sentinel and the chaincode error of the same code.
type Error struct {
	msg    string
	code   model.Code
	detail string
	base   *Error
}

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

// with returns an error of sentinel base with detail, which must name
// records only, never amounts.
func (e *Error) with(detail string) *Error {
	return &Error{msg: e.msg, code: e.code, detail: detail, base: e}
}
