package rules_test

import (
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// TestSpendShapeAndInputs refuses spends whose proofs are honest but whose
// inputs or shape are not allowed: inputs of two receivables (their sum
// balances, so only the root check stops it), an input held by someone
// else, a spent input, a suspended recipient, and a request whose shape
// does not match its kind.
func TestSpendShapeAndInputs(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	// The root (1000) → A 600, B 400, both S1's; B → C 100 (S2), D 300 (S1).
	a, b := rulestest.Opening(600), rulestest.Opening(400)
	out := must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening), rulestest.To(s.S1, a), rulestest.To(s.S1, b))))
	A, B := out[0], out[1]
	c, d := rulestest.Opening(100), rulestest.Opening(300)
	out = must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, opened(B.ID, b), rulestest.To(s.S2, c), rulestest.To(s.S1, d))))
	C, D := out[0], out[1]
	// A second receivable of S1, issued against the outstanding root.
	second := rulestest.Opening(1_500)
	root2 := must(r.Issue(s.As(s.Core), s.IssueRequest(s.Outstanding, s.Invoices[2:], second)))

	in := func(ts ...protocol.OpenedToken) []protocol.OpenedToken { return ts }
	tok := func(t *model.Token, o pedersen.Opening) protocol.OpenedToken {
		return protocol.OpenedToken{ID: t.ID, Currency: rulestest.Currency, Opening: o}
	}
	for _, tc := range []struct {
		name string
		kind string
		req  *model.SplitRequest
		want *model.Error
	}{
		{"merge of two receivables", protocol.KindMerge,
			s.SplitRequest(protocol.KindMerge, s.S1, in(tok(A, a), tok(root2, second)), rulestest.To(s.S1, rulestest.Opening(2_100))), model.ErrInvalidArgument},
		{"merge of another supplier's token", protocol.KindMerge,
			s.SplitRequest(protocol.KindMerge, s.S1, in(tok(A, a), tok(C, c)), rulestest.To(s.S1, rulestest.Opening(700))), model.ErrForbidden},
		{"merge of a spent token", protocol.KindMerge,
			s.SplitRequest(protocol.KindMerge, s.S1, in(tok(A, a), tok(B, b)), rulestest.To(s.S1, rulestest.Opening(1_000))), model.ErrConflict},
		{"merge of one token", protocol.KindMerge,
			s.SplitRequest(protocol.KindMerge, s.S1, in(tok(A, a)), rulestest.To(s.S1, a)), model.ErrInvalidArgument},
		{"merge into two outputs", protocol.KindMerge,
			s.SplitRequest(protocol.KindMerge, s.S1, in(tok(A, a), tok(D, d)), rulestest.To(s.S1, rulestest.Opening(450)), rulestest.To(s.S1, rulestest.Opening(450))), model.ErrInvalidArgument},
		{"split into one output", protocol.KindSplit,
			s.SplitRequest(protocol.KindSplit, s.S1, in(tok(A, a)), rulestest.To(s.S2, a)), model.ErrInvalidArgument},
		{"transfer into two outputs", protocol.KindTransfer,
			s.SplitRequest(protocol.KindTransfer, s.S1, in(tok(A, a)), rulestest.To(s.S2, rulestest.Opening(500)), rulestest.To(s.S1, rulestest.Opening(100))), model.ErrInvalidArgument},
		{"transfer of two tokens", protocol.KindTransfer,
			s.SplitRequest(protocol.KindTransfer, s.S1, in(tok(A, a), tok(D, d)), rulestest.To(s.S2, rulestest.Opening(900))), model.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := map[string]func() ([]*model.Token, error){
				protocol.KindSplit:    func() ([]*model.Token, error) { return r.Split(s.As(s.S1), tc.req) },
				protocol.KindMerge:    func() ([]*model.Token, error) { return r.Merge(s.As(s.S1), tc.req) },
				protocol.KindTransfer: func() ([]*model.Token, error) { return r.Transfer(s.As(s.S1), tc.req) },
			}[tc.kind]
			expectRefused(t, s.State, tc.want, run)
		})
	}

	t.Run("to a suspended supplier", func(t *testing.T) {
		req := s.SplitRequest(protocol.KindTransfer, s.S1, in(tok(A, a)), rulestest.To(s.S3, a))
		must(r.SuspendEnterprise(s.As(s.Operator), s.S3.ID))
		expectRefused(t, s.State, model.ErrInvalidState, func() ([]*model.Token, error) { return r.Transfer(s.As(s.S1), req) })
		must(r.ReactivateEnterprise(s.As(s.Operator), s.S3.ID))
	})
	// The honest merge of the same receivable's tokens still goes through.
	must(r.Merge(s.As(s.S1), s.SplitRequest(protocol.KindMerge, s.S1, in(tok(A, a), tok(D, d)), rulestest.To(s.S1, rulestest.Opening(900)))))
}
