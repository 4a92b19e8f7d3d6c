package e2e

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// TestTermFinancingOnRealNetwork: tier 1 finances 300 000.00 of its
// 1 000 000.00 at the bank under terms, in one transaction with the
// split; every endorsing peer's chaincode verifies the proofs (advance ≤
// face, the channel's cap, the terms' rounding). The bank and the regulator
// open the advance and fee from the ledger; the change stays with tier 1;
// the bank approves and holds the piece. Bad requests are refused by the
// endorsers and the chain does not grow. The channel's policy stays unset
// here (other tests of this binary finance without terms), so the cap is
// 100 %; the rules' tests cover a lower cap.
func TestTermFinancingOnRealNetwork(t *testing.T) {
	w := setup(t)
	tier1, bank, regulator := w.tier1, w.bank, w.regulator
	maturity := time.Now().UTC().AddDate(0, 3, 0)
	root, o := w.issue(t, maturity, 1_000_000_00)

	var policy model.FinancingPolicy
	res, err := regulator.conn.Contract("tierchain").EvaluateTransaction("GetFinancingPolicy")
	if err != nil || jsonInto(res, &policy) != nil || policy.MaxAdvanceBP != terms.BP {
		t.Fatalf("policy %s: %v", res, detail(err))
	}

	today := time.Now().UTC().Truncate(24 * time.Hour)
	quote := terms.Terms{AdvanceRateBP: 9000, DiscountRateBP: 450, DayCount: terms.ACT360, PenaltyRateBP: 1500,
		Recourse: true, ValueDate: today, Expiry: time.Now().UTC().Add(time.Hour).Truncate(time.Second)}
	in := protocol.FinanceInput{Requester: tier1.recipient(), Bank: bank.recipient(),
		Token: protocol.OpenedToken{ID: root.ID, Currency: root.Currency, Opening: o}, Maturity: root.Maturity, Terms: quote,
		MaxAdvanceBP: policy.MaxAdvanceBP, Fee: 150_00, Piece: 300_000_00}

	// Refused by the endorsers, nothing written: an advance above face,
	// and terms whose advance rate is above 100 %.
	over := uint64(300_000_01)
	bad := in
	bad.ClaimAdvance = &over
	badReq, _, err := protocol.BuildTermFinance(w.ctx, bad, w.auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	req, want, err := protocol.BuildTermFinance(w.ctx, in, w.auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	rate := *req
	rate.Terms.AdvanceRateBP = 10_001
	before := height(t, tier1.conn)
	for _, c := range []struct {
		name string
		req  *model.TermFinanceRequest
		code model.Code
	}{{"advance above face", badReq, model.CodeInvalidProof}, {"advance rate above 100 %", &rate, model.CodeInvalidArgument}} {
		err := tier1.submit(t, "RequestTermFinancing", c.req, nil)
		var ee *client.EndorseError
		if !errors.As(err, &ee) || !strings.Contains(detail(err).Error(), string(c.code)) {
			t.Fatalf("%s: %v, want the endorsers to refuse it with %s", c.name, detail(err), c.code)
		}
	}
	if h := height(t, tier1.conn); h != before {
		t.Fatalf("chain height %d after refused requests, was %d", h, before)
	}
	if tok := regulator.token(t, root.ID); tok.Status != model.TokenActive {
		t.Fatalf("root after refused requests: %s", tok.Status)
	}

	start := time.Now()
	var out []model.Token
	tier1.must(t, "RequestTermFinancing", req, &out)
	t.Logf("financing with terms (split, 8 range proofs, 4 handle proofs, balance) committed in %s", time.Since(start).Round(time.Millisecond))
	if len(out) != 2 || out[0].Status != model.TokenFinancing || out[1].Status != model.TokenActive || out[1].Holder != tier1.id {
		t.Fatalf("financing result %+v", out)
	}
	piece := bank.token(t, out[0].ID)
	ft := piece.Financing.Terms
	if ft == nil || ft.Terms != quote || ft.Terms.Recourse != true {
		t.Fatalf("financing on the bank's peer %+v", piece.Financing)
	}
	// The bank opens face, advance and fee; the regulator opens them with
	// its own envelope and checks its audit handle.
	openWith := func(key *envelope.PrivateKey, env, commitment []byte, purpose string) uint64 {
		t.Helper()
		c, err := pedersen.DecodeCommitment(commitment)
		if err != nil {
			t.Fatal(err)
		}
		got, err := envelope.Open(key, env, protocol.OutputBinding(c, purpose))
		if err != nil {
			t.Fatalf("%s envelope: %v", purpose, err)
		}
		return got.Value
	}
	if v := openWith(bank.key, piece.Financing.BankEnvelope, piece.Commitment, protocol.PurposeBank); v != 300_000_00 {
		t.Fatalf("bank sees a face of %d", v)
	}
	for _, a := range []struct {
		amount  *model.SealedAmount
		purpose string
		want    uint64
	}{{ft.Advance, protocol.PurposeAdvance, want.Advance}, {ft.Fee, protocol.PurposeFee, 150_00}} {
		if v := openWith(bank.key, a.amount.BankEnvelope, a.amount.Commitment, a.purpose); v != a.want {
			t.Fatalf("bank opens the %s to %d, want %d", a.purpose, v, a.want)
		}
		if v := openWith(regulator.key, a.amount.RegulatorEnvelope, a.amount.Commitment, a.purpose); v != a.want {
			t.Fatalf("regulator opens the %s to %d, want %d", a.purpose, v, a.want)
		}
	}
	if got := must(terms.Compute(&quote, 300_000_00, 150_00, root.Maturity)); got != want || got.Advance >= 270_000_00 {
		t.Fatalf("terms compute %+v, the builder %+v", got, want)
	}

	bank.must(t, "ApproveFinancing", &model.ApproveFinancingRequest{Token: piece.ID, DisbursementRef: "SWIFT-TERMS-1",
		AgreementHash: make([]byte, 32)}, nil)
	if tok := regulator.token(t, piece.ID); tok.Status != model.TokenFinanced || tok.Holder != bank.id {
		t.Fatalf("after approval: %s held by %s", tok.Status, tok.Holder)
	}
	if tok := regulator.token(t, out[1].ID); tok.Status != model.TokenActive || tok.Holder != tier1.id {
		t.Fatalf("the change: %s held by %s", tok.Status, tok.Holder)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func jsonInto(b []byte, v any) error { return json.Unmarshal(b, v) }
