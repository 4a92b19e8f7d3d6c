package protocol_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

type keys struct {
	aud    protocol.Auditor
	holder protocol.Recipient
}

func newKeys(t testing.TB) keys {
	ak, err := elgamal.GenerateKey(nil)
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

// splitOf100 builds a split by "s1" of token t1 (100) into 60 and 40.
func splitOf100(t testing.TB, k keys, ctx protocol.Context) ([]protocol.OpenedToken, *model.SplitRequest) {
	t.Helper()
	in := []protocol.OpenedToken{{ID: "t1", Opening: opening(t, 100)}}
	out := []protocol.OutputSpec{{Holder: k.holder, Opening: opening(t, 60)}, {Holder: k.holder, Opening: opening(t, 40)}}
	req, err := protocol.BuildSplit(ctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: "s1", Inputs: in, Outputs: out}, k.aud, nil)
	if err != nil {
		t.Fatal(err)
	}
	return in, req
}

func TestSplitRoundTrip(t *testing.T) {
	k := newKeys(t)
	ctx := protocol.Context{Channel: "tierchain", Chaincode: "tierchain"}
	in, req := splitOf100(t, k, ctx)
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
	ak, _ := elgamal.GenerateKey(nil)
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

// TestBatchNamesTheCulprit: a split's proofs are checked in one batch; when
// it fails, the error is INVALID_PROOF and names the proof at fault, and a
// proof that does not even decode is refused before the batch runs.
func TestBatchNamesTheCulprit(t *testing.T) {
	k := newKeys(t)
	ctx := protocol.Context{Channel: "tierchain", Chaincode: "tierchain"}
	in, valid := splitOf100(t, k, ctx)
	// Scalars are the last 32 bytes of a balance and a handle proof; adding
	// one to the first byte keeps them canonical (small values).
	bump := func(b []byte, i int) { b[i]++ }
	for _, tc := range []struct {
		name   string
		tamper func(*model.SplitRequest)
		want   string
	}{
		{"balance proof's s", func(r *model.SplitRequest) { bump(r.BalanceProof, 32) }, "balance proof: does not verify"},
		{"second handle proof's z_r", func(r *model.SplitRequest) { bump(r.Outputs[1].HandleProof, 96) }, "handle proof 1: does not verify"},
		{"first range proof's t_x", func(r *model.SplitRequest) { bump(r.Outputs[0].RangeProof, 4*32) }, "range proofs: do not verify"},
		{"range proofs swapped", func(r *model.SplitRequest) {
			r.Outputs[0].RangeProof, r.Outputs[1].RangeProof = r.Outputs[1].RangeProof, r.Outputs[0].RangeProof
		}, "range proofs: do not verify"},
		{"balance proof's R not a point", func(r *model.SplitRequest) { r.BalanceProof[31] = 0xff }, "balance proof: malformed"},
		{"handle proof truncated", func(r *model.SplitRequest) { r.Outputs[0].HandleProof = r.Outputs[0].HandleProof[:64] }, "handle proof 0: malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := cloneSplit(valid)
			tc.tamper(req)
			err := statementOf(t, protocol.KindSplit, "s1", in, req, k.aud).Verify(ctx, req)
			if !errors.Is(err, model.ErrInvalidProof) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want INVALID_PROOF %q", err, tc.want)
			}
		})
	}
	if err := statementOf(t, protocol.KindSplit, "s1", in, valid, k.aud).Verify(ctx, valid); err != nil {
		t.Fatalf("the untampered split: %v", err)
	}
}

func cloneSplit(r *model.SplitRequest) *model.SplitRequest {
	c := &model.SplitRequest{Inputs: slices.Clone(r.Inputs), BalanceProof: bytes.Clone(r.BalanceProof)}
	for _, o := range r.Outputs {
		o.HandleProof, o.RangeProof = bytes.Clone(o.HandleProof), bytes.Clone(o.RangeProof)
		c.Outputs = append(c.Outputs, o)
	}
	return c
}
