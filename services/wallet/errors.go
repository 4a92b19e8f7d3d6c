package wallet

import (
	"errors"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/coded"
)

// Error is a wallet error: one of the sentinels below, possibly with
// detail (Err….With). It matches its sentinel and the chaincode error of
// the same code with errors.Is.
type Error = coded.Error

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
	ErrNoKey = coded.New("wallet: no key for this enterprise", model.CodeNotFound)
	// ErrKeyExists reports a second, different key for an enterprise.
	ErrKeyExists = coded.New("wallet: the enterprise already has a key", model.CodeConflict)
	// ErrKeyMismatch reports a wallet key that is not the encryption key the
	// ledger registered for the enterprise.
	ErrKeyMismatch = coded.New("wallet: key differs from the ledger's encryption key", model.CodeInvalidState)
	// ErrNotFound reports an opening the wallet does not hold (not synced,
	// or not addressed to the enterprise).
	ErrNotFound = coded.New("wallet: no opening", model.CodeNotFound)
	// ErrCommitmentMismatch reports an opening that does not open the
	// ledger's commitment: an envelope sealed with a wrong opening, a
	// stored opening of another commitment, or an outstanding sum that
	// differs from the credit line's.
	ErrCommitmentMismatch = coded.New("wallet: opening does not match the ledger commitment", model.CodeInvalidState)
	// ErrInsufficientValue reports amounts over what the tokens hold.
	ErrInsufficientValue = coded.New("wallet: amount exceeds the tokens' value", model.CodeInvalidArgument)
	// ErrInvalidArgument reports a malformed call (empty IDs, zero
	// amounts, too many outputs…).
	ErrInvalidArgument = coded.New("wallet: invalid argument", model.CodeInvalidArgument)
	// ErrNotSpendable reports a token that is not ACTIVE, not held by the
	// enterprise, or overdue on the ledger.
	ErrNotSpendable = coded.New("wallet: token is not spendable", model.CodeInvalidState)
	// ErrCurrencyMismatch reports amounts in two currencies that a build
	// would mix: an issue's invoices, a merge's inputs.
	ErrCurrencyMismatch = coded.New("wallet: amounts in different currencies", model.CodeCurrencyMismatch)
	// ErrUnexpectedResult reports a committed transaction's result that
	// does not match the request the wallet built (other token IDs, or
	// another count): the wallet cannot tell from it what the ledger
	// holds, and the caller reads the ledger instead.
	ErrUnexpectedResult = coded.New("wallet: the transaction's result does not match the built request", model.CodeInternal)
)
