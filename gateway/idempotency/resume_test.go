package idempotency

import (
	"context"
	"errors"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/tierchain/tierchain/internal/fabricclient"
)

func TestResolveTable(t *testing.T) {
	valid := &fabricclient.Transaction{TxID: "t", Code: peer.TxValidationCode_VALID}
	invalid := &fabricclient.Transaction{TxID: "t", Code: peer.TxValidationCode_MVCC_READ_CONFLICT}
	notFound := &fabricclient.Error{Op: "evaluate qscc:GetTransactionByID", Kind: fabricclient.ErrTransactionNotFound}
	down := &fabricclient.Error{Op: "evaluate qscc:GetTransactionByID", Kind: fabricclient.ErrUnavailable}
	for _, tc := range []struct {
		name      string
		tx        *fabricclient.Transaction
		err       error
		pastBound bool
		want      Resolution
	}{
		{"committed valid", valid, nil, false, ResolveResume},
		{"committed valid, old", valid, nil, true, ResolveResume},
		{"invalidated", invalid, nil, false, ResolveRerun},
		{"not found, young", nil, notFound, false, ResolveUnknown},
		{"not found, past the bound", nil, notFound, true, ResolveRerun},
		{"peer unreachable", nil, down, false, ResolveUnavailable},
		{"peer unreachable, old", nil, down, true, ResolveUnavailable},
		{"lookup timed out", nil, context.DeadlineExceeded, true, ResolveUnavailable},
		{"directory failed", nil, errors.New("db down"), false, ResolveUnavailable},
	} {
		if got := Resolve(tc.tx, tc.err, tc.pastBound); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestSubmit: outside a resumed request Submit submits; inside one it
// returns the committed transaction's result (block number included)
// without submitting, and refuses a request for another function.
func TestSubmit(t *testing.T) {
	submits := 0
	submit := func(context.Context) (fabricclient.Result, error) {
		submits++
		return fabricclient.Result{TxID: "fresh", BlockNumber: 3}, nil
	}
	if res, err := Submit(context.Background(), "baseline:Mint", submit); err != nil || res.TxID != "fresh" || submits != 1 {
		t.Fatalf("fresh: %+v %v, %d submits", res, err, submits)
	}
	tx := &fabricclient.Transaction{TxID: "old", Code: peer.TxValidationCode_VALID, Function: "baseline:Mint", Payload: []byte("p"), BlockNumber: 8}
	ctx := WithResumed(context.Background(), tx)
	if got, ok := ResumedTransaction(ctx); !ok || got != tx {
		t.Fatal("the resumed transaction is not on the context")
	}
	res, err := Submit(ctx, "baseline:Mint", submit)
	if err != nil || res.TxID != "old" || res.BlockNumber != 8 || string(res.Payload) != "p" || submits != 1 {
		t.Fatalf("resumed: %+v %v, %d submits", res, err, submits)
	}
	if _, err := Submit(ctx, "tierchain:Split", submit); err == nil || submits != 1 {
		t.Fatalf("another function under a resumed key: %v, %d submits", err, submits)
	}
}

// TestLostTxID: only a ledger error that names its transaction leaves one
// to look up.
func TestLostTxID(t *testing.T) {
	if id := LostTxID(&fabricclient.Error{TxID: "tx-1", Kind: fabricclient.ErrUnknownOutcome}); id != "tx-1" {
		t.Errorf("ledger error: %q", id)
	}
	if id := LostTxID(errors.New("other")); id != "" {
		t.Errorf("other error: %q", id)
	}
}
