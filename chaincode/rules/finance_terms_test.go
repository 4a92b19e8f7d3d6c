package rules_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// quote is a bank's terms valid on the fixture's first day: 90 % advance,
// 5 % a year ACT/360, a week to accept.
func quote() terms.Terms {
	day := rulestest.Start.Truncate(24 * time.Hour)
	return terms.Terms{AdvanceRateBP: 9000, DiscountRateBP: 500, DayCount: terms.ACT360, PenaltyRateBP: 1200,
		Recourse: true, ValueDate: day, Expiry: day.AddDate(0, 0, 7)}
}

// finInput is S1 financing the whole root at BankA under quote() with a
// fee of 3, against a cap of capBP.
func finInput(s *rulestest.Scenario, capBP int64) protocol.FinanceInput {
	return protocol.FinanceInput{Requester: s.S1.Recipient(), Bank: s.BankA.Recipient(),
		Token: protocol.OpenedToken{ID: s.Root, Currency: rulestest.Currency, Opening: s.RootOpening}, Maturity: rulestest.Maturity,
		Terms: quote(), MaxAdvanceBP: capBP, Fee: 3}
}

func buildFin(t *testing.T, s *rulestest.Scenario, in protocol.FinanceInput) (*model.TermFinanceRequest, terms.Advance) {
	t.Helper()
	req, adv, err := protocol.BuildTermFinance(s.Ctx(), in, s.Auditor(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return req, adv
}

// openAmount opens a sealed amount with key for purpose and checks the
// regulator's handle against the same value.
func openAmount(t *testing.T, s *rulestest.Scenario, a *model.SealedAmount, purpose string) uint64 {
	t.Helper()
	c := mustCommitment(a.Commitment)
	var v uint64
	for i, k := range []struct {
		key *envelope.PrivateKey
		env []byte
	}{{s.S1.Key, a.HolderEnvelope}, {s.BankA.Key, a.BankEnvelope}, {s.Regulator.Key, a.RegulatorEnvelope}} {
		o, err := envelope.Open(k.key, k.env, protocol.OutputBinding(c, purpose))
		if err != nil || (i > 0 && o.Value != v) {
			t.Fatalf("%s envelope %d: %v (%d vs %d)", purpose, i, err, o.Value, v)
		}
		v = o.Value
	}
	if ok, _ := s.AuditKey.CheckValue(c, must(auditHandle(a.Handle)), v), error(nil); !ok {
		t.Fatalf("regulator's handle of the %s does not open to %d", purpose, v)
	}
	return v
}

func setCap(t *testing.T, s *rulestest.Scenario, capBP int64) {
	t.Helper()
	p := must(s.Rules.SetFinancingPolicy(s.As(s.Operator), &model.SetFinancingPolicyRequest{MaxAdvanceBP: capBP, GraceDays: 10}))
	if !p.Set || p.MaxAdvanceBP != capBP || lastEvent(t, s.State).Kind != protocol.KindFinancingPolicy {
		t.Fatalf("policy %+v", p)
	}
}

// TestTermFinancingWhole: the operator caps advances at 90 %; S1 asks
// BankA to finance its whole token under terms; the advance and fee are
// commitments that the holder, the bank and the regulator open to the
// terms' figures; the bank approves and becomes the holder.
func TestTermFinancingWhole(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	if p := must(r.FinancingPolicy(s.As(s.BankB))); p.Set || p.MaxAdvanceBP != terms.BP {
		t.Fatalf("default policy %+v", p)
	}
	setCap(t, s, 9000)
	if p := must(r.FinancingPolicy(s.As(s.Regulator))); p.MaxAdvanceBP != 9000 || p.GraceDays != 10 {
		t.Fatalf("policy as the regulator reads it %+v", p)
	}

	req, adv := buildFin(t, s, finInput(s, 9000))
	if want := must(terms.Compute(&req.Terms, rulestest.RootAmount, 3, rulestest.Maturity)); adv != want || adv.Advance == 0 {
		t.Fatalf("builder's advance %+v, terms compute %+v", adv, want)
	}
	out := must(r.RequestTermFinancing(s.As(s.S1), req))
	ev := lastEvent(t, s.State)
	if len(out) != 1 || out[0].Status != model.TokenFinancing || ev.Kind != protocol.KindFinanceTerms || ev.Tokens[0].Bank != s.BankA.ID {
		t.Fatalf("financing %+v, event %+v", out, ev)
	}
	tok := must(r.GetToken(s.As(s.BankA), s.Root))
	ft := tok.Financing.Terms
	if ft == nil || ft.MaxAdvanceBP != 9000 || ft.Terms != req.Terms || ft.Advance.HandleProof != nil {
		t.Fatalf("stored financing %+v", tok.Financing)
	}
	if got := openAmount(t, s, ft.Advance, protocol.PurposeAdvance); got != adv.Advance {
		t.Fatalf("advance opens to %d, want %d", got, adv.Advance)
	}
	if got := openAmount(t, s, ft.Fee, protocol.PurposeFee); got != 3 {
		t.Fatalf("fee opens to %d", got)
	}
	face, err := envelope.Open(s.BankA.Key, tok.Financing.BankEnvelope, protocol.OutputBinding(mustCommitment(tok.Commitment), protocol.PurposeBank))
	if err != nil || face.Value != rulestest.RootAmount {
		t.Fatalf("bank's face envelope: %v", err)
	}
	if got := must(r.FinancingRequests(s.As(s.BankA), &model.PageRequest{Owner: s.BankA.ID, PageSize: 10})); len(got.Items) != 1 {
		t.Fatalf("BankA sees %d requests", len(got.Items))
	}
	got := must(r.ApproveFinancing(s.As(s.BankA), &model.ApproveFinancingRequest{Token: s.Root, DisbursementRef: "WIRE-7", AgreementHash: make([]byte, 32)}))
	if got.Status != model.TokenFinanced || got.Holder != s.BankA.ID || got.Financing.Terms == nil {
		t.Fatalf("approved %+v", got)
	}
}

// TestTermFinancingPartial: S1 finances 400 of its 1000 in one
// transaction; the change of 600 stays ACTIVE with S1 and can move on; at
// maturity the core pays the bank for the piece.
func TestTermFinancingPartial(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	in := finInput(s, terms.BP)
	in.Piece = 400
	req, adv := buildFin(t, s, in)
	if adv.Face != 400 {
		t.Fatalf("advance on %d, want the piece", adv.Face)
	}
	out := must(r.RequestTermFinancing(s.As(s.S1), req))
	piece, change := out[0], out[1]
	if piece.Status != model.TokenFinancing || change.Status != model.TokenActive || piece.Holder != s.S1.ID || change.Holder != s.S1.ID ||
		piece.Financing.Terms.SplitFrom != s.Root || piece.Parents[0] != s.Root || piece.Tier != 1 {
		t.Fatalf("piece %+v\nchange %+v", piece, change)
	}
	if root := must(r.GetToken(s.As(s.S1), s.Root)); root.Status != model.TokenSplit || len(root.Children) != 2 {
		t.Fatalf("root %+v", root)
	}
	var values []uint64
	for _, tok := range out {
		o, err := envelope.Open(s.S1.Key, tok.HolderEnvelope, protocol.OutputBinding(mustCommitment(tok.Commitment), protocol.PurposeHolder))
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, o.Value)
	}
	if values[0] != 400 || values[1] != 600 {
		t.Fatalf("piece and change open to %v", values)
	}
	if got := openAmount(t, s, piece.Financing.Terms.Advance, protocol.PurposeAdvance); got != adv.Advance {
		t.Fatalf("advance %d, want %d", got, adv.Advance)
	}
	must(r.ApproveFinancing(s.As(s.BankA), &model.ApproveFinancingRequest{Token: piece.ID, DisbursementRef: "WIRE-8", AgreementHash: make([]byte, 32)}))

	// The change moves on: S1 transfers it to S2.
	changeOpening := pedersen.Opening{Value: 600, Blinding: must(envelope.Open(s.S1.Key, change.HolderEnvelope,
		protocol.OutputBinding(mustCommitment(change.Commitment), protocol.PurposeHolder))).Blinding}
	must(r.Transfer(s.As(s.S1), s.SplitRequest(protocol.KindTransfer, s.S1, opened(change.ID, changeOpening), rulestest.To(s.S2, rulestest.Opening(600)))))

	// At maturity the core pays the bank for the piece.
	s.Now = rulestest.Maturity.Add(time.Hour)
	paid := must(r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: piece.ID, Reason: "PAY-1"}))
	if paid.Payment.Payee != s.BankA.ID {
		t.Fatalf("payee %s, want the bank", paid.Payment.Payee)
	}
}

// TestTermFinancingRefused: every bad request leaves the ledger as it was.
func TestTermFinancingRefused(t *testing.T) {
	over := func(v uint64) *uint64 { return &v }
	for _, c := range []struct {
		name  string
		cap   int64 // 0: no policy set
		in    func(*rulestest.Scenario, *protocol.FinanceInput)
		req   func(*model.TermFinanceRequest)
		as    func(*rulestest.Scenario) *rulestest.Party
		want  *model.Error
		whole bool
	}{
		{name: "advance above face", in: func(s *rulestest.Scenario, in *protocol.FinanceInput) {
			in.Terms.AdvanceRateBP, in.Terms.DiscountRateBP, in.Fee, in.ClaimAdvance = terms.BP, 0, 0, over(rulestest.RootAmount+1)
		}, want: model.ErrInvalidProof},
		{name: "advance above the cap, true to its terms", cap: 9000, in: func(s *rulestest.Scenario, in *protocol.FinanceInput) {
			in.Terms.AdvanceRateBP, in.Terms.DiscountRateBP, in.Fee, in.ClaimAdvance = terms.BP, 0, 0, over(rulestest.RootAmount)
		}, want: model.ErrInvalidProof},
		{name: "advance one above its terms", in: func(s *rulestest.Scenario, in *protocol.FinanceInput) {
			a := must(terms.Compute(&in.Terms, rulestest.RootAmount, in.Fee, in.Maturity))
			in.ClaimAdvance = over(a.Advance + 1)
		}, want: model.ErrInvalidProof},
		{name: "advance one below its terms", in: func(s *rulestest.Scenario, in *protocol.FinanceInput) {
			a := must(terms.Compute(&in.Terms, rulestest.RootAmount, in.Fee, in.Maturity))
			in.ClaimAdvance = over(a.Advance - 1)
		}, want: model.ErrInvalidProof},
		{name: "advance rate above 100 %", req: func(r *model.TermFinanceRequest) { r.Terms.AdvanceRateBP = 10_001 }, want: model.ErrInvalidArgument},
		{name: "negative advance rate", req: func(r *model.TermFinanceRequest) { r.Terms.AdvanceRateBP = -9000 }, want: model.ErrInvalidArgument},
		{name: "negative discount rate", req: func(r *model.TermFinanceRequest) { r.Terms.DiscountRateBP = -1 }, want: model.ErrInvalidArgument},
		{name: "terms changed after proving", req: func(r *model.TermFinanceRequest) { r.Terms.DiscountRateBP = 400 }, want: model.ErrInvalidProof},
		{name: "recourse dropped after proving", req: func(r *model.TermFinanceRequest) { r.Terms.Recourse = false }, want: model.ErrInvalidProof},
		{name: "another bank", req: func(r *model.TermFinanceRequest) { r.Bank = "bankB" }, want: model.ErrInvalidProof},
		{name: "not a bank", req: func(r *model.TermFinanceRequest) { r.Bank = "supplier2" }, want: model.ErrInvalidArgument},
		{name: "advance commitment swapped", req: func(r *model.TermFinanceRequest) {
			r.Advance.Commitment, r.Fee.Commitment = r.Fee.Commitment, r.Advance.Commitment
		}, want: model.ErrInvalidProof},
		{name: "range proofs swapped", req: func(r *model.TermFinanceRequest) {
			r.RangeProofs[0], r.RangeProofs[2] = r.RangeProofs[2], r.RangeProofs[0]
		}, want: model.ErrInvalidProof},
		{name: "expired terms", in: func(s *rulestest.Scenario, in *protocol.FinanceInput) {
			in.Terms.Expiry = rulestest.Start.Add(-time.Second)
		}, want: model.ErrInvalidState},
		{name: "value date in the past", in: func(s *rulestest.Scenario, in *protocol.FinanceInput) {
			in.Terms.ValueDate = in.Terms.ValueDate.AddDate(0, 0, -1)
		}, want: model.ErrInvalidArgument},
		{name: "not the holder's token", as: func(s *rulestest.Scenario) *rulestest.Party { return s.S2 }, want: model.ErrForbidden},
		{name: "a bank may not ask", as: func(s *rulestest.Scenario) *rulestest.Party { return s.BankA }, want: model.ErrForbidden},
		{name: "partial piece handed to another", in: func(s *rulestest.Scenario, in *protocol.FinanceInput) { in.Piece = 400 },
			req: func(r *model.TermFinanceRequest) { r.Partial.Outputs[1].Holder = "supplier2" }, want: model.ErrInvalidArgument},
		{name: "partial outputs that do not add up", in: func(s *rulestest.Scenario, in *protocol.FinanceInput) { in.Piece = 400 },
			req: func(r *model.TermFinanceRequest) {
				o := rulestest.Opening(601)
				r.Partial.Outputs[1].Commitment = o.Commitment().Bytes()
			}, want: model.ErrInvalidProof},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newScenario(t)
			capBP := int64(terms.BP)
			if c.cap != 0 {
				setCap(t, s, c.cap)
				capBP = c.cap
			}
			in := finInput(s, capBP)
			if c.in != nil {
				c.in(s, &in)
			}
			req, _ := buildFin(t, s, in)
			if c.req != nil {
				c.req(req)
			}
			as := s.S1
			if c.as != nil {
				as = c.as(s)
			}
			expectRefused(t, s.State, c.want, func() ([]*model.Token, error) { return s.Rules.RequestTermFinancing(s.As(as), req) })
		})
	}
}

// TestFinancingPolicyRefused: only the operator sets the policy, within
// bounds; once set, financing without terms is refused; a bank cannot
// approve after the terms expired.
func TestFinancingPolicyRefused(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.FinancingPolicy, error) {
		return r.SetFinancingPolicy(s.As(s.BankA), &model.SetFinancingPolicyRequest{MaxAdvanceBP: 10_000})
	})
	for _, bad := range []model.SetFinancingPolicyRequest{{MaxAdvanceBP: 10_001}, {MaxAdvanceBP: 0}, {MaxAdvanceBP: -9000}, {MaxAdvanceBP: 9000, GraceDays: -1}} {
		expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.FinancingPolicy, error) {
			return r.SetFinancingPolicy(s.As(s.Operator), &bad)
		})
	}
	// Before a policy, financing without terms still works.
	legacy := must(protocol.BuildFinance(s.Root, s.RootOpening.Commitment(), s.RootOpening, s.BankA.Recipient(), nil))
	probe := s.Clone()
	must(probe.Rules.RequestFinancing(probe.As(probe.S1), legacy))

	setCap(t, s, 9000)
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) { return r.RequestFinancing(s.As(s.S1), legacy) })

	// Terms that expire: requested in time, approved too late.
	in := finInput(s, 9000)
	in.Terms.Expiry = s.Now.Add(10 * time.Minute).Truncate(time.Second)
	req, _ := buildFin(t, s, in)
	must(r.RequestTermFinancing(s.As(s.S1), req))
	s.Now = in.Terms.Expiry.Add(time.Second)
	expectRefused(t, s.State, model.ErrInvalidState, func() (*model.Token, error) {
		return r.ApproveFinancing(s.As(s.BankA), &model.ApproveFinancingRequest{Token: s.Root, DisbursementRef: "LATE", AgreementHash: make([]byte, 32)})
	})
	// Twice: the token is already in FINANCING.
	expectRefused(t, s.State, model.ErrInvalidState, func() ([]*model.Token, error) { return r.RequestTermFinancing(s.As(s.S1), req) })
}

// TestTermFinancingTampered: a flipped byte in any proof, commitment or
// handle of a partial financing with terms is refused, with the state
// untouched.
func TestTermFinancingTampered(t *testing.T) {
	s := newScenario(t)
	in := finInput(s, terms.BP)
	in.Piece = 250
	req, _ := buildFin(t, s, in)
	clone := func() *model.TermFinanceRequest {
		c := *req
		c.RangeProofs = make([][]byte, len(req.RangeProofs))
		for i, p := range req.RangeProofs {
			c.RangeProofs[i] = append([]byte(nil), p...)
		}
		p := *req.Partial
		p.Outputs = append([]model.Output(nil), req.Partial.Outputs...)
		c.Partial = &p
		return &c
	}
	flip := func(b []byte, at int) []byte {
		out := append([]byte(nil), b...)
		out[at%len(out)] ^= 0x01
		return out
	}
	targets := map[string]func(*model.TermFinanceRequest, int){
		"advance commitment":   func(r *model.TermFinanceRequest, at int) { r.Advance.Commitment = flip(r.Advance.Commitment, at) },
		"fee handle":           func(r *model.TermFinanceRequest, at int) { r.Fee.Handle = flip(r.Fee.Handle, at) },
		"advance handle proof": func(r *model.TermFinanceRequest, at int) { r.Advance.HandleProof = flip(r.Advance.HandleProof, at) },
		"fee bank envelope":    func(r *model.TermFinanceRequest, at int) { r.Fee.BankEnvelope = flip(r.Fee.BankEnvelope, at) },
		"face bank envelope":   func(r *model.TermFinanceRequest, at int) { r.BankEnvelope = flip(r.BankEnvelope, at) },
		"balance proof":        func(r *model.TermFinanceRequest, at int) { r.Partial.BalanceProof = flip(r.Partial.BalanceProof, at) },
		"change range proof": func(r *model.TermFinanceRequest, at int) {
			r.Partial.Outputs[1].RangeProof = flip(r.Partial.Outputs[1].RangeProof, at)
		},
	}
	for i := range model.FinanceRangeValues {
		targets["range proof "+string(rune('0'+i))] = func(r *model.TermFinanceRequest, at int) { r.RangeProofs[i] = flip(r.RangeProofs[i], at) }
	}
	for name, tamper := range targets {
		for _, at := range []int{0, 17, 31, 100, 671} {
			r := clone()
			tamper(r, at)
			before := s.State.Snapshot()
			_, err := s.Rules.RequestTermFinancing(s.As(s.S1), r)
			if err == nil || !(errors.Is(err, model.ErrInvalidProof) || errors.Is(err, model.ErrInvalidArgument)) {
				t.Fatalf("%s flipped at %d: %v", name, at, err)
			}
			if d := s.State.Diff(before); d != "" || len(s.State.Events) != 0 {
				t.Fatalf("%s flipped at %d changed the state: %s", name, at, d)
			}
		}
	}
	must(s.Rules.RequestTermFinancing(s.As(s.S1), req)) // the request as built still commits
}
