package protocol

import (
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

// TestSpendOutputs pins what a spend's outputs inherit and derive: the
// chaincode writes these tokens and the gateway rebuilds them from the
// IDs of the compact result, so both must agree field by field.
func TestSpendOutputs(t *testing.T) {
	at := time.Date(2026, 12, 8, 1, 2, 3, 0, time.UTC)
	root := &model.Token{ID: "tIn", Root: "tRoot", Tier: 2, Issuer: "core", Bank: "bankA", Currency: "CNY",
		Holder: "sup2", Maturity: at.Add(90 * 24 * time.Hour)}
	req := &model.SplitRequest{Inputs: []string{"tIn"}, Outputs: []model.Output{
		{Holder: "sup3", Commitment: []byte{1}, Handle: []byte{2}, HolderEnvelope: []byte{3}, RegulatorEnvelope: []byte{4}, Refs: []byte{5}},
		{Holder: "sup2", Commitment: []byte{6}},
	}}
	out := SpendOutputs(root, 2, "sup2", req, "tx9", at)
	if len(out) != 2 {
		t.Fatalf("%d outputs, want 2", len(out))
	}
	for i, o := range out {
		if o.ID != TokenID("tx9", i) || o.Root != "tRoot" || o.Issuer != "core" || o.Bank != "bankA" || o.Currency != "CNY" ||
			!o.Maturity.Equal(root.Maturity) || o.Status != model.TokenActive || !o.CreatedAt.Equal(at) || !o.UpdatedAt.Equal(at) ||
			o.TxID != "tx9" || len(o.Parents) != 1 || o.Parents[0] != "tIn" || o.Holder != req.Outputs[i].Holder {
			t.Errorf("output %d = %+v", i, o)
		}
	}
	if out[0].Tier != 3 || out[1].Tier != 2 {
		t.Errorf("tiers %d, %d: a payee is one tier down, the change stays", out[0].Tier, out[1].Tier)
	}
	// The tokens own their bytes: the request may be reused.
	req.Outputs[0].Commitment[0], req.Outputs[0].Refs[0], req.Inputs[0] = 9, 9, "other"
	if out[0].Commitment[0] != 1 || out[0].Refs[0] != 5 || out[0].Parents[0] != "tIn" {
		t.Error("outputs share the request's slices")
	}
}
