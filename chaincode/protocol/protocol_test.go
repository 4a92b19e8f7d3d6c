package protocol_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/audit"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

type keys struct {
	aud    protocol.Auditor
	holder protocol.Recipient
}

func newKeys(t testing.TB) keys {
	ak, err := audit.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	rk, _ := envelope.GenerateKey(nil)
	hk, _ := envelope.GenerateKey(nil)
	return keys{protocol.Auditor{AuditKey: ak.Public(), EncryptionKey: rk.Public()}, protocol.Recipient{ID: "s2", Key: hk.Public()}}
}

func opening(t testing.TB, v uint64) pedersen.Opening {
	o, err := pedersen.NewOpening(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// statementOf rebuilds, from the request and the input commitments, the
// statement the chaincode verifies.
func statementOf(t *testing.T, kind, spender string, in []protocol.OpenedToken, req *model.SplitRequest, aud protocol.Auditor) *protocol.SplitStatement {
	s := &protocol.SplitStatement{Kind: kind, Spender: spender, AuditKey: aud.AuditKey}
	for _, i := range in {
		s.Inputs = append(s.Inputs, protocol.InputRef{ID: i.ID, Commitment: i.Opening.Commitment()})
	}
	for i, o := range req.Outputs {
		c, h, err := protocol.DecodeAudited(fmt.Sprint(i), o.Commitment, o.Handle)
		if err != nil {
			t.Fatal(err)
		}
		s.Outputs = append(s.Outputs, protocol.OutputRef{Holder: o.Holder, Commitment: c, Handle: h, HolderEnvelope: o.HolderEnvelope, RegulatorEnvelope: o.RegulatorEnvelope})
	}
	return s
}

func TestSplitRoundTrip(t *testing.T) {
	k := newKeys(t)
	ctx := protocol.Context{Channel: "tierchain", Chaincode: "tierchain"}
	in := []protocol.OpenedToken{{ID: "t1", Opening: opening(t, 100)}}
	out := []protocol.OutputSpec{{Holder: k.holder, Opening: opening(t, 60)}, {Holder: k.holder, Opening: opening(t, 40)}}
	req, err := protocol.BuildSplit(ctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: "s1", Inputs: in, Outputs: out}, k.aud, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Validate(); err != nil {
		t.Fatalf("built request is not valid: %v", err)
	}
	if err := statementOf(t, protocol.KindSplit, "s1", in, req, k.aud).Verify(ctx, req); err != nil {
		t.Fatalf("verify: %v", err)
	}
	for name, other := range map[string]protocol.Context{
		"channel":   {Channel: "other", Chaincode: ctx.Chaincode},
		"chaincode": {Channel: ctx.Channel, Chaincode: "other"},
	} {
		if err := statementOf(t, protocol.KindSplit, "s1", in, req, k.aud).Verify(other, req); !errors.Is(err, model.ErrInvalidProof) {
			t.Errorf("verified in another %s: %v", name, err)
		}
	}
	if err := statementOf(t, protocol.KindSplit, "s9", in, req, k.aud).Verify(ctx, req); !errors.Is(err, model.ErrInvalidProof) {
		t.Errorf("verified for another spender: %v", err)
	}
}

func TestBuildersRefuseWhatCannotBeProven(t *testing.T) {
	k := newKeys(t)
	ctx := protocol.Context{Channel: "c", Chaincode: "cc"}
	in := []protocol.OpenedToken{{ID: "t1", Opening: opening(t, 100)}}
	_, err := protocol.BuildSplit(ctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: "s1", Inputs: in,
		Outputs: []protocol.OutputSpec{{Holder: k.holder, Opening: opening(t, 60)}, {Holder: k.holder, Opening: opening(t, 60)}}}, k.aud, nil)
	if !errors.Is(err, model.ErrInvalidArgument) {
		t.Errorf("unbalanced split: %v", err)
	}
	inv := []protocol.OpenedInvoice{{ID: "i", Opening: opening(t, 100)}}
	core, _ := envelope.GenerateKey(nil)
	base := protocol.IssueInput{Issuer: "core", IssuerKey: core.Public(), Bank: "b", Holder: k.holder, Invoices: inv, Limit: 1000,
		Outstanding: pedersen.Opening{Value: 950, Blinding: opening(t, 0).Blinding}, Amount: opening(t, 60)}
	if _, err := protocol.BuildIssue(ctx, base, k.aud, nil); !errors.Is(err, model.ErrInvalidArgument) {
		t.Errorf("issue over the remaining credit: %v", err)
	}
	base.Outstanding.Value, base.Amount = 0, opening(t, 101)
	if _, err := protocol.BuildIssue(ctx, base, k.aud, nil); !errors.Is(err, model.ErrInvalidArgument) {
		t.Errorf("issue over the invoice total: %v", err)
	}
	base.Amount = opening(t, 100)
	if _, err := protocol.BuildIssue(ctx, base, k.aud, nil); err != nil {
		t.Errorf("issue of the invoice total: %v", err)
	}
	base.IssuerKey = nil
	if _, err := protocol.BuildIssue(ctx, base, k.aud, nil); !errors.Is(err, model.ErrInvalidArgument) {
		t.Errorf("issue without the issuer's key: %v", err)
	}
}

func TestTokenID(t *testing.T) {
	a, b := protocol.TokenID("tx1", 0), protocol.TokenID("tx1", 1)
	if a == b || a != protocol.TokenID("tx1", 0) || len(a) != 33 || model.ValidateID("id", a) != nil {
		t.Fatalf("token IDs %q %q", a, b)
	}
}

// A wallet builds a split from the openings it holds; the chaincode
// rebuilds the statement from the ledger and verifies it.
func ExampleBuildSplit() {
	ak, _ := audit.GenerateKey(nil)
	reg, _ := envelope.GenerateKey(nil)
	supplier2, _ := envelope.GenerateKey(nil)
	me, _ := envelope.GenerateKey(nil)
	in, _ := pedersen.NewOpening(1000, nil)
	pay, _ := pedersen.NewOpening(300, nil)
	change, _ := pedersen.NewOpening(700, nil)

	req, err := protocol.BuildSplit(protocol.Context{Channel: "tierchain", Chaincode: "tierchain"}, protocol.SplitInput{
		Kind: protocol.KindSplit, Spender: "supplier1",
		Inputs: []protocol.OpenedToken{{ID: "t5f2…", Opening: in}},
		Outputs: []protocol.OutputSpec{
			{Holder: protocol.Recipient{ID: "supplier2", Key: supplier2.Public()}, Opening: pay},
			{Holder: protocol.Recipient{ID: "supplier1", Key: me.Public()}, Opening: change},
		},
	}, protocol.Auditor{AuditKey: ak.Public(), EncryptionKey: reg.Public()}, nil)
	fmt.Println(err, len(req.Outputs), len(req.Outputs[0].RangeProof), len(req.BalanceProof))
	// Output: <nil> 2 672 64
}
