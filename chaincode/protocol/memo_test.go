package protocol_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// TestMemoRemembersOnlyWhatVerified: a memo holds a verified statement
// once; a tampered proof, another statement with the same proofs, or
// another context is checked in full (and refused) however many times the
// valid one was seen; refusals are not remembered.
func TestMemoRemembersOnlyWhatVerified(t *testing.T) {
	k := newKeys(t)
	memo := protocol.NewVerifyMemo(16)
	ctx := protocol.Context{Channel: "tierchain", Chaincode: "tierchain", Memo: memo}
	in, valid := splitOf100(t, k, ctx)
	for range 3 {
		if err := statementOf(t, protocol.KindSplit, "s1", in, valid, k.aud).Verify(ctx, valid); err != nil {
			t.Fatalf("valid split: %v", err)
		}
	}
	if memo.Len() != 1 {
		t.Fatalf("memo holds %d statements after one verified three times, want 1", memo.Len())
	}

	refused := func(name string, err error, want string) {
		t.Helper()
		if !errors.Is(err, model.ErrInvalidProof) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want INVALID_PROOF %q", name, err, want)
		}
	}
	tampered := cloneSplit(valid)
	tampered.BalanceProof[32]++
	refused("tampered balance proof", statementOf(t, protocol.KindSplit, "s1", in, tampered, k.aud).Verify(ctx, tampered), "balance proof: does not verify")
	swapped := cloneSplit(valid)
	swapped.Outputs[0].RangeProof, swapped.Outputs[1].RangeProof = swapped.Outputs[1].RangeProof, swapped.Outputs[0].RangeProof
	refused("swapped range proofs", statementOf(t, protocol.KindSplit, "s1", in, swapped, k.aud).Verify(ctx, swapped), "do not verify")
	refused("another spender", statementOf(t, protocol.KindSplit, "s9", in, valid, k.aud).Verify(ctx, valid), "does not verify")
	refused("another kind", statementOf(t, protocol.KindTransfer, "s1", in, valid, k.aud).Verify(ctx, valid), "does not verify")
	other := ctx
	other.Channel = "other"
	refused("another channel", statementOf(t, protocol.KindSplit, "s1", in, valid, k.aud).Verify(other, valid), "does not verify")
	moved := []protocol.OpenedToken{{ID: in[0].ID, Opening: opening(t, 100)}} // same ID, another commitment on the ledger
	refused("another input commitment", statementOf(t, protocol.KindSplit, "s1", moved, valid, k.aud).Verify(ctx, valid), "does not verify")
	k2 := newKeys(t)
	refused("another audit key", statementOf(t, protocol.KindSplit, "s1", in, valid, k2.aud).Verify(ctx, valid), "does not verify")
	if memo.Len() != 1 {
		t.Errorf("memo holds %d statements after refusals, want 1", memo.Len())
	}
}

// TestMemoForgetsTheOldest: at capacity, a new statement evicts the oldest,
// which then verifies in full again.
func TestMemoForgetsTheOldest(t *testing.T) {
	k := newKeys(t)
	memo := protocol.NewVerifyMemo(2)
	ctx := protocol.Context{Channel: "tierchain", Chaincode: "tierchain", Memo: memo}
	type split struct {
		in  []protocol.OpenedToken
		req *model.SplitRequest
	}
	var splits []split
	for range 3 {
		in, req := splitOf100(t, k, ctx)
		splits = append(splits, split{in, req})
	}
	verify := func(s split) error {
		return statementOf(t, protocol.KindSplit, "s1", s.in, s.req, k.aud).Verify(ctx, s.req)
	}
	for _, s := range append(splits, splits...) {
		if err := verify(s); err != nil {
			t.Fatal(err)
		}
		if memo.Len() > 2 {
			t.Fatalf("memo of 2 holds %d", memo.Len())
		}
	}
	// A hit does far less work than a verification: count allocations.
	last := splits[2]
	hit := testing.AllocsPerRun(5, func() { _ = verify(last) })
	miss := testing.AllocsPerRun(5, func() {
		in, req := last.in, cloneSplit(last.req)
		req.Outputs[0].RangeProof[4*32]++ // never remembered: always verified in full
		_ = statementOf(t, protocol.KindSplit, "s1", in, req, k.aud).Verify(ctx, req)
	})
	if hit*5 > miss {
		t.Errorf("a remembered statement cost %.0f allocations, a full verification %.0f: the memo is not used", hit, miss)
	}
}

// TestMemoConcurrent: endorsements arrive in parallel.
func TestMemoConcurrent(t *testing.T) {
	k := newKeys(t)
	memo := protocol.NewVerifyMemo(4)
	ctx := protocol.Context{Channel: "tierchain", Chaincode: "tierchain", Memo: memo}
	in, valid := splitOf100(t, k, ctx)
	bad := cloneSplit(valid)
	bad.Outputs[1].HandleProof[96]++
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			req := valid
			if i%2 == 1 {
				req = bad
			}
			err := statementOf(t, protocol.KindSplit, "s1", in, req, k.aud).Verify(ctx, req)
			if (err == nil) != (i%2 == 0) {
				t.Errorf("endorsement %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if memo.Len() != 1 {
		t.Errorf("memo holds %d, want 1", memo.Len())
	}
}
