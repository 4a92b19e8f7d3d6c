package wallet_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/zk/envelope"
)

// Every coded sentinel keeps its message and the chaincode code the
// gateway renders it with; the two storage errors carry no code.
func TestErrorSentinels(t *testing.T) {
	for _, c := range []struct {
		err  *wallet.Error
		msg  string
		code model.Code
	}{
		{wallet.ErrNoKey, "wallet: no key for this enterprise", model.CodeNotFound},
		{wallet.ErrKeyExists, "wallet: the enterprise already has a key", model.CodeConflict},
		{wallet.ErrKeyMismatch, "wallet: key differs from the ledger's encryption key", model.CodeInvalidState},
		{wallet.ErrNotFound, "wallet: no opening", model.CodeNotFound},
		{wallet.ErrCommitmentMismatch, "wallet: opening does not match the ledger commitment", model.CodeInvalidState},
		{wallet.ErrInsufficientValue, "wallet: amount exceeds the tokens' value", model.CodeInvalidArgument},
		{wallet.ErrInvalidArgument, "wallet: invalid argument", model.CodeInvalidArgument},
		{wallet.ErrNotSpendable, "wallet: token is not spendable", model.CodeInvalidState},
		{wallet.ErrCurrencyMismatch, "wallet: amounts in different currencies", model.CodeCurrencyMismatch},
	} {
		if c.err.Error() != c.msg || c.err.Code() != c.code {
			t.Errorf("%q (%s), want %q (%s)", c.err.Error(), c.err.Code(), c.msg, c.code)
		}
	}
	var coded *wallet.Error
	for _, err := range []error{wallet.ErrWrongMasterKey, wallet.ErrCorrupt} {
		if errors.As(err, &coded) || errors.Is(err, model.ErrInternal) {
			t.Errorf("%v carries a chaincode code", err)
		}
	}
}

// An error a wallet call returns names its record after the sentinel's
// message, is a *wallet.Error of that sentinel's code, and matches that
// sentinel only.
func TestErrorDetail(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, storetest.SQLite(t), rulestest.NewWorld())
	other, _ := envelope.GenerateKey(nil)
	err := h.wallet.ImportKey(ctx, h.S1.ID, other)
	var we *wallet.Error
	if !errors.As(err, &we) || we.Code() != model.CodeConflict {
		t.Fatalf("another key for S1: %v", err)
	}
	if want := "wallet: the enterprise already has a key: " + h.S1.ID; we.Error() != want {
		t.Errorf("message %q, want %q", we.Error(), want)
	}
	if !errors.Is(err, wallet.ErrKeyExists) || errors.Is(err, wallet.ErrNoKey) || errors.Is(err, model.ErrNotFound) {
		t.Errorf("errors.Is of %v", err)
	}
}
