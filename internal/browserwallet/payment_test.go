package browserwallet

import (
	"fmt"
	"testing"

	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
)

// TestBuildPayment: the payment builder Wallet.Split and the bench share
// pays dest first and the change to self, is a Transfer with one output
// when the amount is the whole input and a Split otherwise, and what it
// builds verifies as the chaincode checks it.
func TestBuildPayment(t *testing.T) {
	b, err := NewSplitBench()
	if err != nil {
		t.Fatal(err)
	}
	selfKey, toKey := newKey(t), newKey(t)
	self := protocol.Recipient{ID: "supplier-self", Key: selfKey.Public()}
	to := protocol.Recipient{ID: "supplier-to", Key: toKey.Public()}
	for _, tc := range []struct {
		amount  uint64
		fn      string
		kind    string
		outputs []uint64 // values: dest's, then the change
	}{
		{BenchInput, "Transfer", protocol.KindTransfer, []uint64{BenchInput}},
		{BenchInput - 1, "Split", protocol.KindSplit, []uint64{BenchInput - 1, 1}},
		{1, "Split", protocol.KindSplit, []uint64{1, BenchInput - 1}},
		{400_000_00, "Split", protocol.KindSplit, []uint64{400_000_00, BenchInput - 400_000_00}},
	} {
		t.Run(fmt.Sprint(tc.amount), func(t *testing.T) {
			req, fn, err := buildPayment(b.ctx, b.aud, b.input, self, to, tc.amount)
			if err != nil {
				t.Fatal(err)
			}
			if fn != tc.fn || len(req.Outputs) != len(tc.outputs) {
				t.Fatalf("%s with %d outputs, want %s with %d", fn, len(req.Outputs), tc.fn, len(tc.outputs))
			}
			holders := []protocol.Recipient{to, self}
			keys := []*envelope.PrivateKey{toKey, selfKey}
			stmt := &protocol.SplitStatement{Kind: tc.kind, Spender: self.ID, AuditKey: b.aud.AuditKey,
				Inputs: []protocol.InputRef{{ID: b.input.ID, Commitment: b.input.Opening.Commitment()}}}
			for i, o := range req.Outputs {
				c, h, err := protocol.DecodeAudited(fmt.Sprintf("outputs[%d]", i), o.Commitment, o.Handle)
				if err != nil {
					t.Fatal(err)
				}
				op, err := envelope.Open(keys[i], o.HolderEnvelope, protocol.OutputBinding(c, protocol.PurposeHolder))
				if err != nil {
					t.Fatalf("output %d: %v", i, err)
				}
				if o.Holder != holders[i].ID || op.Value != tc.outputs[i] {
					t.Fatalf("output %d: %d to %s, want %d to %s", i, op.Value, o.Holder, tc.outputs[i], holders[i].ID)
				}
				stmt.Outputs = append(stmt.Outputs, protocol.OutputRef{Holder: o.Holder, Commitment: c, Handle: h,
					HolderEnvelope: o.HolderEnvelope, RegulatorEnvelope: o.RegulatorEnvelope})
			}
			if err := stmt.Verify(b.ctx, req); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func newKey(t *testing.T) *envelope.PrivateKey {
	t.Helper()
	k, err := envelope.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
