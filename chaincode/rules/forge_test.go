package rules_test

import (
	"crypto/rand"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
	"github.com/tierchain/tierchain/zk/transcript"
)

// Forgers build requests the honest builders refuse to: they compute
// every proof the best way a cheater can (valid where the algebra allows,
// over wrapped 64-bit values where it does not), on the statement the
// chaincode will check.

// forgedOutput commits to value (any scalar, e.g. ℓ−1 for "−1"); the range
// and handle proofs are made for claimed, a 64-bit value.
type forgedOutput struct {
	holder  *rulestest.Party
	value   *group.Scalar
	claimed uint64
}

func scalar(v uint64) *group.Scalar { return group.NewScalar().SetUint64(v) }

func minus(v uint64) *group.Scalar { return group.NewScalar().Negate(scalar(v)) }

func garbageEnvelope() []byte {
	b := make([]byte, envelope.SealedSize)
	_, _ = rand.Read(b)
	return b
}

func forgeSplit(t *testing.T, s *rulestest.Scenario, kind string, spender *rulestest.Party, inputs []protocol.OpenedToken, outs ...forgedOutput) *model.SplitRequest {
	t.Helper()
	pub := s.AuditKey.Public()
	stmt := &protocol.SplitStatement{Kind: kind, Currency: rulestest.Currency, Spender: spender.ID, AuditKey: pub}
	req := &model.SplitRequest{}
	k := group.NewScalar()
	for _, in := range inputs {
		stmt.Inputs = append(stmt.Inputs, protocol.InputRef{ID: in.ID, Commitment: in.Opening.Commitment()})
		req.Inputs = append(req.Inputs, in.ID)
		k.Add(k, in.Opening.Blinding)
	}
	blindings := make([]*group.Scalar, len(outs))
	for i, o := range outs {
		blindings[i] = must(group.RandomScalar(nil))
		k.Subtract(k, blindings[i])
		c := pedersen.CommitScalar(o.value, blindings[i])
		h := elgamal.NewHandle(pub, blindings[i])
		he, re := garbageEnvelope(), garbageEnvelope()
		stmt.Outputs = append(stmt.Outputs, protocol.OutputRef{Holder: o.holder.ID, Commitment: c, Handle: h, HolderEnvelope: he, RegulatorEnvelope: re})
		req.Outputs = append(req.Outputs, model.Output{Holder: o.holder.ID, Commitment: c.Bytes(), Handle: h.Bytes(), HolderEnvelope: he, RegulatorEnvelope: re})
	}
	base := stmt.Transcript(s.Ctx())
	req.BalanceProof = must(balance.Prove(protocol.ProofTranscript(base, protocol.ProofBalance, 0), k, nil)).Bytes()
	claimed := make([]pedersen.Opening, len(outs))
	for i, o := range outs {
		claimed[i] = pedersen.Opening{Value: o.claimed, Blinding: blindings[i]}
		req.Outputs[i].HandleProof = must(elgamal.ProveHandle(protocol.ProofTranscript(base, protocol.ProofHandle, i), pub, claimed[i], nil)).Bytes()
	}
	for i := range claimed {
		req.Outputs[i].RangeProof = rangeProof(base, i, claimed[i])
	}
	return req
}

// forgeIssue proves an issue of amount on the ledger's own public inputs
// (limit, outstanding, invoice commitments), computing the two headrooms
// with wrapping uint64 arithmetic: in range exactly when honest.
func forgeIssue(t *testing.T, s *rulestest.Scenario, bank *rulestest.Party, limit uint64, outstanding pedersen.Opening, invoices []protocol.OpenedInvoice, amount pedersen.Opening) *model.IssueRequest {
	t.Helper()
	pub := s.AuditKey.Public()
	he, re, ie := garbageEnvelope(), garbageEnvelope(), garbageEnvelope()
	c := amount.Commitment()
	h := elgamal.NewHandle(pub, amount.Blinding)
	stmt := &protocol.IssueStatement{Currency: rulestest.Currency,
		Issuer: s.Core.ID, Bank: bank.ID, Holder: s.S1.ID, Limit: limit, Outstanding: outstanding.Commitment().Element(),
		Maturity: rulestest.Maturity, Amount: c, Handle: h, HolderEnvelope: he, RegulatorEnvelope: re, IssuerEnvelope: ie, AuditKey: pub,
	}
	var total uint64
	totalR := group.NewScalar()
	var ids []string
	for _, inv := range invoices {
		stmt.Invoices = append(stmt.Invoices, protocol.InvoiceRef{ID: inv.ID, Commitment: inv.Opening.Commitment()})
		total += inv.Opening.Value
		totalR.Add(totalR, inv.Opening.Blinding)
		ids = append(ids, inv.ID)
	}
	base := stmt.Transcript(s.Ctx())
	openings := []pedersen.Opening{
		amount,
		{Value: total - amount.Value, Blinding: group.NewScalar().Subtract(totalR, amount.Blinding)},
		{Value: limit - outstanding.Value - amount.Value, Blinding: group.NewScalar().Negate(group.NewScalar().Add(outstanding.Blinding, amount.Blinding))},
	}
	return &model.IssueRequest{Currency: rulestest.Currency,
		Holder: s.S1.ID, Bank: bank.ID, Invoices: ids, Maturity: rulestest.Maturity, Commitment: c.Bytes(), Handle: h.Bytes(),
		HolderEnvelope: he, RegulatorEnvelope: re, IssuerEnvelope: ie,
		RangeProofs: [][]byte{rangeProof(base, 0, openings[0]), rangeProof(base, 1, openings[1]), rangeProof(base, 2, openings[2])},
		HandleProof: must(elgamal.ProveHandle(protocol.ProofTranscript(base, protocol.ProofHandle, 0), pub, amount, nil)).Bytes(),
	}
}

// TestForgersAreSound checks the forgers themselves: on honest values
// their requests pass, so the refusals below are the proofs' doing.
func TestForgersAreSound(t *testing.T) {
	s := newScenario(t)
	must(s.Rules.Issue(s.As(s.Core), forgeIssue(t, s, s.BankA, rulestest.LimitA, s.Outstanding, s.Invoices[2:], rulestest.Opening(1500))))
	must(s.Rules.Split(s.As(s.S1), forgeSplit(t, s, protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening),
		forgedOutput{s.S2, scalar(600), 600}, forgedOutput{s.S1, scalar(400), 400})))
}

// rangeProof is proof index of a statement, for the claimed opening.
func rangeProof(base *transcript.Transcript, index int, o pedersen.Opening) []byte {
	return must(rangeproof.Prove(protocol.ProofTranscript(base, protocol.ProofRange, index), []pedersen.Opening{o}, model.AmountBits, nil)).Bytes()
}
