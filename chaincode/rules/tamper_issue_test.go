package rules_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
)

// cloneIssue is a deep copy of an issue request, for tampering.
func cloneIssue(r *model.IssueRequest) *model.IssueRequest {
	c := *r
	c.Invoices = append([]string(nil), r.Invoices...)
	c.Commitment, c.Handle, c.HandleProof = bytes.Clone(r.Commitment), bytes.Clone(r.Handle), bytes.Clone(r.HandleProof)
	c.HolderEnvelope, c.RegulatorEnvelope, c.IssuerEnvelope = bytes.Clone(r.HolderEnvelope), bytes.Clone(r.RegulatorEnvelope), bytes.Clone(r.IssuerEnvelope)
	c.RangeProofs = make([][]byte, len(r.RangeProofs))
	for i, p := range r.RangeProofs {
		c.RangeProofs[i] = bytes.Clone(p)
	}
	return &c
}

// TestTamperedIssue replays the scenario's valid issue on the state just
// before it, with one thing changed: every proof, every bound public input
// and the context must matter. No proof is built here.
func TestTamperedIssue(t *testing.T) {
	s := newScenario(t)
	at := rulestest.Start.Add(20 * time.Minute) // when the scenario issued
	for _, tc := range []struct {
		name   string
		tamper func(*model.IssueRequest)
		ctx    func(*rulestest.Memory)
		code   *model.Error
	}{
		{"untampered", nil, nil, nil},
		{"amount range proof", func(r *model.IssueRequest) { flip(r.RangeProofs[0], 300) }, nil, model.ErrInvalidProof},
		{"invoice headroom range proof", func(r *model.IssueRequest) { flip(r.RangeProofs[1], 100) }, nil, model.ErrInvalidProof},
		{"credit headroom range proof", func(r *model.IssueRequest) { flip(r.RangeProofs[2], -1) }, nil, model.ErrInvalidProof},
		{"headroom proofs swapped", func(r *model.IssueRequest) { r.RangeProofs[1], r.RangeProofs[2] = r.RangeProofs[2], r.RangeProofs[1] }, nil, model.ErrInvalidProof},
		{"handle proof", func(r *model.IssueRequest) { flip(r.HandleProof, 64) }, nil, model.ErrInvalidProof},
		{"handle replaced", func(r *model.IssueRequest) { r.Handle = bytes.Clone(s.IssueReq.Commitment) }, nil, model.ErrInvalidProof},
		{"commitment replaced", func(r *model.IssueRequest) { r.Commitment = rulestest.Opening(1000).Commitment().Bytes() }, nil, model.ErrInvalidProof},
		{"holder envelope", func(r *model.IssueRequest) { flip(r.HolderEnvelope, 10) }, nil, model.ErrInvalidProof},
		{"regulator envelope", func(r *model.IssueRequest) { flip(r.RegulatorEnvelope, 10) }, nil, model.ErrInvalidProof},
		{"issuer envelope", func(r *model.IssueRequest) { flip(r.IssuerEnvelope, 10) }, nil, model.ErrInvalidProof},
		{"issuer and holder envelopes swapped", func(r *model.IssueRequest) { r.IssuerEnvelope, r.HolderEnvelope = r.HolderEnvelope, r.IssuerEnvelope }, nil, model.ErrInvalidProof},
		{"no issuer envelope", func(r *model.IssueRequest) { r.IssuerEnvelope = nil }, nil, model.ErrInvalidArgument},
		{"short issuer envelope", func(r *model.IssueRequest) { r.IssuerEnvelope = r.IssuerEnvelope[:envelope.SealedSize-1] }, nil, model.ErrInvalidArgument},
		{"invoices reordered", func(r *model.IssueRequest) { r.Invoices[0], r.Invoices[1] = r.Invoices[1], r.Invoices[0] }, nil, model.ErrInvalidProof},
		{"one invoice dropped", func(r *model.IssueRequest) { r.Invoices = r.Invoices[:1] }, nil, model.ErrInvalidProof},
		{"against the other bank's line", func(r *model.IssueRequest) { r.Bank = s.BankB.ID }, nil, model.ErrInvalidProof},
		{"a headroom proof in the amount's place", func(r *model.IssueRequest) { r.RangeProofs[0] = bytes.Clone(s.IssueReq.RangeProofs[1]) }, nil, model.ErrInvalidProof},
		{"another channel", nil, func(m *rulestest.Memory) { m.Channel = "other" }, model.ErrInvalidProof},
		{"another chaincode", nil, func(m *rulestest.Memory) { m.Chaincode = "tierchain-v2" }, model.ErrInvalidProof},
		{"submitted by the supplier", nil, func(m *rulestest.Memory) { m.Submitter = s.S1.Identity }, model.ErrForbidden},
		{"non-canonical commitment", func(r *model.IssueRequest) { r.Commitment = bytes.Repeat([]byte{0xff}, 32) }, nil, model.ErrInvalidArgument},
		{"truncated handle proof", func(r *model.IssueRequest) { r.HandleProof = r.HandleProof[:127] }, nil, model.ErrInvalidArgument},
		{"two range proofs", func(r *model.IssueRequest) { r.RangeProofs = r.RangeProofs[:2] }, nil, model.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := s.PreIssue.Clone()
			st.Begin(s.Core.Identity, s.IssueTxID, at)
			if tc.ctx != nil {
				tc.ctx(st)
			}
			req := cloneIssue(s.IssueReq)
			if tc.tamper != nil {
				tc.tamper(req)
			}
			if tc.code == nil {
				must(s.Rules.Issue(st, req))
				return
			}
			expectRefused(t, st, tc.code, func() (*model.Token, error) { return s.Rules.Issue(st, req) })
		})
	}
	t.Run("the bank is suspended", func(t *testing.T) {
		st := s.PreIssue.Clone()
		st.Begin(s.Operator.Identity, "tx-suspend", at.Add(-time.Minute))
		must(s.Rules.SuspendEnterprise(st, s.BankA.ID))
		st.Begin(s.Core.Identity, s.IssueTxID, at)
		expectRefused(t, st, model.ErrInvalidState, func() (*model.Token, error) { return s.Rules.Issue(st, cloneIssue(s.IssueReq)) })
	})
}

// TestTamperedInvoice does the same for an invoice registration.
func TestTamperedInvoice(t *testing.T) {
	s := newScenario(t)
	valid := s.InvoiceRequest(s.S2, "INV-tamper", rulestest.Opening(77))
	for _, tc := range []struct {
		name   string
		tamper func(*model.RegisterInvoiceRequest)
		code   *model.Error
	}{
		{"range proof", func(r *model.RegisterInvoiceRequest) { flip(r.RangeProof, 200) }, model.ErrInvalidProof},
		{"handle proof", func(r *model.RegisterInvoiceRequest) { flip(r.HandleProof, 100) }, model.ErrInvalidProof},
		{"buyer envelope", func(r *model.RegisterInvoiceRequest) { flip(r.BuyerEnvelope, 0) }, model.ErrInvalidProof},
		{"document hash", func(r *model.RegisterInvoiceRequest) { flip(r.DocumentHash, 0) }, model.ErrInvalidProof},
		{"fingerprint", func(r *model.RegisterInvoiceRequest) { flip(r.Fingerprint, 0) }, model.ErrInvalidProof},
		{"due date", func(r *model.RegisterInvoiceRequest) { r.DueDate = r.DueDate.Add(time.Hour) }, model.ErrInvalidProof},
		{"identity commitment", func(r *model.RegisterInvoiceRequest) { r.Commitment = make([]byte, 32) }, model.ErrInvalidArgument},
		{"commitment to ℓ − 1 with the amount's proofs", func(r *model.RegisterInvoiceRequest) {
			r.Commitment = pedersen.CommitScalar(minus(1), scalar(5)).Bytes()
		}, model.ErrInvalidProof},
		{"buyer is a bank", func(r *model.RegisterInvoiceRequest) { r.Buyer = s.BankA.ID }, model.ErrInvalidArgument},
		{"short fingerprint", func(r *model.RegisterInvoiceRequest) { r.Fingerprint = r.Fingerprint[:32] }, model.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := *valid
			req.RangeProof, req.HandleProof, req.BuyerEnvelope = bytes.Clone(valid.RangeProof), bytes.Clone(valid.HandleProof), bytes.Clone(valid.BuyerEnvelope)
			req.DocumentHash, req.Fingerprint = bytes.Clone(valid.DocumentHash), bytes.Clone(valid.Fingerprint)
			tc.tamper(&req)
			expectRefused(t, s.State, tc.code, func() (*model.Invoice, error) { return s.Rules.RegisterInvoice(s.As(s.S2), &req) })
		})
	}
	must(s.Rules.RegisterInvoice(s.As(s.S2), valid))
}

// TestNegativeIssue forges an issue of "−1" (a commitment to ℓ − 1): both
// headrooms then grow by one and their range proofs verify, so only the
// amount's own range proof stands between a core and a receivable that
// raises its credit headroom. The chaincode must refuse it, state
// unchanged.
func TestNegativeIssue(t *testing.T) {
	s := newScenario(t)
	pub := s.AuditKey.Public()
	spare := s.Invoices[2] // SpareAmount
	r := must(group.RandomScalar(nil))
	c := pedersen.CommitScalar(minus(1), r)
	h := elgamal.NewHandle(pub, r)
	he, re, ie := garbageEnvelope(), garbageEnvelope(), garbageEnvelope()
	stmt := &protocol.IssueStatement{Currency: rulestest.Currency,
		Issuer: s.Core.ID, Bank: s.BankA.ID, Holder: s.S1.ID, Limit: rulestest.LimitA, Outstanding: s.Outstanding.Commitment().Element(),
		Invoices: []protocol.InvoiceRef{{ID: spare.ID, Commitment: spare.Opening.Commitment()}},
		Maturity: rulestest.Maturity, Amount: c, Handle: h, HolderEnvelope: he, RegulatorEnvelope: re, IssuerEnvelope: ie, AuditKey: pub,
	}
	base := stmt.Transcript(s.Ctx())
	openings := []pedersen.Opening{
		{Value: 1<<64 - 1, Blinding: r}, // the best claim for ℓ − 1: it does not open c
		{Value: rulestest.SpareAmount + 1, Blinding: group.NewScalar().Subtract(spare.Opening.Blinding, r)},
		{Value: rulestest.LimitA - s.Outstanding.Value + 1, Blinding: group.NewScalar().Negate(group.NewScalar().Add(s.Outstanding.Blinding, r))},
	}
	proofs := make([][]byte, len(openings))
	for i, o := range openings {
		proofs[i] = rangeProof(base, i, o)
	}
	rc := stmt.RangeCommitments()
	for i := 1; i < 3; i++ {
		p := must(rangeproof.DecodeProof(proofs[i]))
		if err := p.Verify(protocol.ProofTranscript(base, protocol.ProofRange, i), rc[i:i+1], model.AmountBits); err != nil {
			t.Fatalf("headroom %d of a negative amount should be in range: %v", i, err)
		}
	}
	req := &model.IssueRequest{
		Currency: rulestest.Currency, Holder: s.S1.ID, Bank: s.BankA.ID, Invoices: []string{spare.ID}, Maturity: rulestest.Maturity,
		Commitment: c.Bytes(), Handle: h.Bytes(), HolderEnvelope: he, RegulatorEnvelope: re, IssuerEnvelope: ie, RangeProofs: proofs,
		HandleProof: must(elgamal.ProveHandle(protocol.ProofTranscript(base, protocol.ProofHandle, 0), pub, openings[0], nil)).Bytes(),
	}
	expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.Token, error) { return s.Rules.Issue(s.As(s.Core), req) })
	p := must(rangeproof.DecodeProof(proofs[0]))
	if p.Verify(protocol.ProofTranscript(base, protocol.ProofRange, 0), rc[:1], model.AmountBits) == nil {
		t.Fatal("the amount's range proof accepted a commitment to ℓ − 1")
	}
}
