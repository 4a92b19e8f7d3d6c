package rules_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// refsFor seals the scenario's invoice numbers to p for the token of
// commitment c.
func refsFor(t *testing.T, s *rulestest.Scenario, p *rulestest.Party, c []byte) []byte {
	t.Helper()
	return must(protocol.SealInvoiceRefs(p.Recipient(), mustCommitment(c), []protocol.InvoiceNumber{
		{Invoice: s.IssueReq.Invoices[0], Number: "INV-1"}, {Invoice: s.IssueReq.Invoices[1], Number: "INV-2"},
	}, nil))
}

// TestInvoiceRefsStored: the sealed references of an issue, a split's
// output and a financing request are stored as sent (the chaincode cannot
// read them), and they change no proof: the same proofs verify with and
// without them.
func TestInvoiceRefsStored(t *testing.T) {
	s := newScenario(t)
	at := rulestest.Start.Add(20 * time.Minute)

	st := s.PreIssue.Clone()
	st.Begin(s.Core.Identity, s.IssueTxID, at)
	req := cloneIssue(s.IssueReq)
	req.Refs = refsFor(t, s, s.S1, req.Commitment)
	root := must(s.Rules.Issue(st, req))
	if !bytes.Equal(root.Refs, req.Refs) {
		t.Fatal("the issue's references are not on the root")
	}

	split := validSplit(t, s)
	split.Outputs[0].Refs = refsFor(t, s, s.S2, split.Outputs[0].Commitment)
	out := must(s.Rules.Split(s.As(s.S1), split))
	if !bytes.Equal(out[0].Refs, split.Outputs[0].Refs) || out[1].Refs != nil {
		t.Fatalf("split outputs' references: %d, %d bytes", len(out[0].Refs), len(out[1].Refs))
	}
	stored := must(s.Rules.GetToken(s.As(s.S2), out[0].ID))
	if !bytes.Equal(stored.Refs, split.Outputs[0].Refs) {
		t.Fatal("the output's references are not stored")
	}

	fin := must(protocol.BuildFinance(out[0].ID, mustCommitment(out[0].Commitment), rulestest.Opening(300), s.BankA.Recipient(), nil))
	// The opening is the test's, not the output's: RequestFinancing
	// cannot check it. What matters here is the references.
	fin.Refs = refsFor(t, s, s.BankA, out[0].Commitment)
	tok := must(s.Rules.RequestFinancing(s.As(s.S2), fin))
	if tok.Financing == nil || !bytes.Equal(tok.Financing.Refs, fin.Refs) {
		t.Fatal("the financing request's references are not stored")
	}
}

// TestInvoiceRefsBounded: references over the ledger's bound, or too short
// to be sealed references, are INVALID_ARGUMENT and leave the ledger as it
// was.
func TestInvoiceRefsBounded(t *testing.T) {
	s := newScenario(t)
	for name, refs := range map[string][]byte{
		"over the bound": make([]byte, model.MaxRefsEnvelopeSize+1),
		"too short":      make([]byte, 10),
	} {
		t.Run(name, func(t *testing.T) {
			split := validSplit(t, s)
			split.Outputs[0].Refs = refs
			expectRefused(t, s.State, model.ErrInvalidArgument, func() ([]*model.Token, error) { return s.Rules.Split(s.As(s.S1), split) })
			fin := must(protocol.BuildFinance(s.Root, mustCommitment(s.IssueReq.Commitment), s.RootOpening, s.BankA.Recipient(), nil))
			fin.Refs = refs
			expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Token, error) { return s.Rules.RequestFinancing(s.As(s.S1), fin) })
			st := s.PreIssue.Clone()
			st.Begin(s.Core.Identity, s.IssueTxID, rulestest.Start.Add(20*time.Minute))
			req := cloneIssue(s.IssueReq)
			req.Refs = refs
			expectRefused(t, st, model.ErrInvalidArgument, func() (*model.Token, error) { return s.Rules.Issue(st, req) })
		})
	}
}
