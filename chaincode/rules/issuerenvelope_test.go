package rules_test

import (
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// TestCoreWalletFromLedger rebuilds what a core's wallet needs from the
// chain and its key alone: the openings of its issued roots (issuer
// envelopes) sum to an opening of the credit line's outstanding, with
// which it proves its next issue. Split outputs carry no issuer envelope.
func TestCoreWalletFromLedger(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	tokens := must(r.TokensByIssuer(s.As(s.Core), &model.PageRequest{Owner: s.Core.ID}))
	out := pedersen.Opening{Value: 0, Blinding: group.NewScalar()}
	for _, tok := range tokens.Items {
		if tok.Root != tok.ID || tok.Bank != s.BankA.ID {
			continue
		}
		c := mustCommitment(tok.Commitment)
		o, err := envelope.Open(s.Core.Key, tok.IssuerEnvelope, protocol.OutputBinding(c, protocol.PurposeIssuer))
		if err != nil {
			t.Fatalf("root %s: issuer envelope: %v", tok.ID, err)
		}
		// The envelope is bound to its purpose: it is not the holder's.
		if _, err := envelope.Open(s.Core.Key, tok.IssuerEnvelope, protocol.OutputBinding(c, protocol.PurposeHolder)); err == nil {
			t.Fatal("issuer envelope opens as a holder envelope")
		}
		out.Value += o.Value
		out.Blinding.Add(out.Blinding, o.Blinding)
	}
	line := must(r.GetCreditLine(s.As(s.Core), s.Core.ID, s.BankA.ID, rulestest.Currency))
	if out.Value != rulestest.RootAmount || out.Commitment().Element().Equal(mustElement(line.Outstanding)) != 1 {
		t.Fatalf("recovered outstanding %d does not open the ledger's", out.Value)
	}

	amount := rulestest.Opening(1_500)
	req := s.IssueRequest(out, s.Invoices[2:], amount)
	second := must(r.Issue(s.As(s.Core), req))
	if string(second.IssuerEnvelope) != string(req.IssuerEnvelope) {
		t.Fatal("the root does not keep the issuer envelope")
	}

	split := must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, opened(second.ID, amount),
		rulestest.To(s.S2, rulestest.Opening(500)), rulestest.To(s.S1, rulestest.Opening(1_000)))))
	for _, tok := range split {
		if tok.IssuerEnvelope != nil {
			t.Fatalf("split output %s carries an issuer envelope", tok.ID)
		}
	}
}
