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
