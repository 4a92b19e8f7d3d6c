package rules_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// cloneIssue is a deep copy of an issue request, for tampering.
func cloneIssue(r *model.IssueRequest) *model.IssueRequest {
	c := *r
	c.Invoices = append([]string(nil), r.Invoices...)
	c.Commitment, c.Handle, c.HandleProof = bytes.Clone(r.Commitment), bytes.Clone(r.Handle), bytes.Clone(r.HandleProof)
	c.HolderEnvelope, c.RegulatorEnvelope = bytes.Clone(r.HolderEnvelope), bytes.Clone(r.RegulatorEnvelope)
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
