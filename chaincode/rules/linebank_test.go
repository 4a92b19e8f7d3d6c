package rules_test

import (
	"bytes"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// TestIssueBankEnvelope: an issue may carry its opening sealed to the
// line's bank; the root stores it and the bank opens it. A request whose
// bank envelope was swapped for another's is refused (INVALID_PROOF) and
// leaves the ledger unchanged.
func TestIssueBankEnvelope(t *testing.T) {
	s := newScenario(t)
	spare := s.Invoices[2:]
	build := func(v uint64) (*model.IssueRequest, pedersen.Opening) {
		amount := rulestest.Opening(v)
		return must(protocol.BuildIssue(s.Ctx(), protocol.IssueInput{Currency: rulestest.Currency,
			Issuer: s.Core.ID, IssuerKey: s.Core.Key.Public(), Bank: s.BankB.ID, BankKey: s.BankB.Key.Public(),
			Holder: s.S1.Recipient(), Invoices: spare, Limit: rulestest.LimitB, Outstanding: rulestest.ZeroOpening(),
			Maturity: rulestest.Maturity, Amount: amount}, s.Auditor(), nil)), amount
	}
	req, amount := build(40)
	other, _ := build(7)
	swapped := *req
	swapped.BankEnvelope = other.BankEnvelope
	expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.Token, error) { return s.Rules.Issue(s.As(s.Core), &swapped) })

	root := must(s.Rules.Issue(s.As(s.Core), req))
	if !bytes.Equal(root.BankEnvelope, req.BankEnvelope) {
		t.Fatal("root does not keep the bank envelope")
	}
	view := must(s.Rules.GetToken(s.As(s.BankB), root.ID))
	c := must(pedersen.DecodeCommitment(view.Commitment))
	o, err := envelope.Open(s.BankB.Key, view.BankEnvelope, protocol.OutputBinding(c, protocol.PurposeLineBank))
	if err != nil || o.Value != amount.Value {
		t.Fatalf("bank opens %d, %v", o.Value, err)
	}
}
