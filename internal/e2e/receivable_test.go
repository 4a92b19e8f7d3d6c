package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// TestReceivableOnRealNetwork: the core issues a confidential 1 000 000.00
// receivable backed by two confirmed invoices to tier 1, which splits
// 400 000.00 to tier 2 keeping the change; tier 2 finances its piece at the
// bank; at maturity the core pays every holder, who confirm, and the
// receivable is settled. The holder and the bank open their amounts from
// their envelopes, the regulator opens every amount from the ledger. A
// double spend, a regulator write and an early payment are refused and
// change nothing.
func TestReceivableOnRealNetwork(t *testing.T) {
	w := setup(t)
	tier1, tier2, core, bank, regulator := w.tier1, w.tier2, w.core, w.bank, w.regulator
	// A maturity a few seconds away, so the test pays at maturity for real.
	maturity := time.Now().UTC().Add(20 * time.Second).Truncate(time.Second)
	root, rootOpening := w.issue(t, maturity, 600_000_00, 400_000_00)

	// The holder opens its envelope from the ledger.
	onChain := tier1.token(t, root.ID)
	c, err := pedersen.DecodeCommitment(onChain.Commitment)
	if err != nil {
		t.Fatal(err)
	}
	got, err := envelope.Open(tier1.key, onChain.HolderEnvelope, protocol.OutputBinding(c, "holder"))
	if err != nil || got.Value != 1_000_000_00 {
		t.Fatalf("holder opens %d, %v", got.Value, err)
	}
	// So does the core, from its issuer envelope (its wallet's outstanding).
	got, err = envelope.Open(core.key, onChain.IssuerEnvelope, protocol.OutputBinding(c, protocol.PurposeIssuer))
	if err != nil || got.Value != 1_000_000_00 || got.Blinding.Equal(rootOpening.Blinding) != 1 {
		t.Fatalf("issuer opens %d, %v", got.Value, err)
	}
	// Every enterprise finds its counterparties and their keys on the ledger.
	res, err := regulator.conn.Contract("tierchain").EvaluateTransaction("Enterprises", `{"owner":"supplier"}`)
	var suppliers model.Page[model.Enterprise]
	if err != nil || json.Unmarshal(res, &suppliers) != nil || len(suppliers.Items) < 2 {
		t.Fatalf("Enterprises(supplier): %s %v", res, detail(err))
	}
	for _, e := range suppliers.Items {
		if e.Role != model.RoleSupplier {
			t.Fatalf("Enterprises(supplier) lists %s, a %s", e.ID, e.Role)
		}
	}

	// Tier 1 splits 400 000.00 to tier 2 and keeps 600 000.00.
	toTier2, change := opening(t, 400_000_00), opening(t, 600_000_00)
	split, err := protocol.BuildSplit(w.ctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: tier1.id,
		Inputs:  []protocol.OpenedToken{{ID: root.ID, Currency: root.Currency, Opening: rootOpening}},
		Outputs: []protocol.OutputSpec{{Holder: tier2.recipient(), Opening: toTier2}, {Holder: tier1.recipient(), Opening: change}}}, w.auditor, nil)
	if err != nil {
		t.Fatal(err)
	}
	var outs []model.Token
	tier1.must(t, "Split", split, &outs)
	if len(outs) != 2 || outs[0].Holder != tier2.id || outs[0].Tier != root.Tier+1 {
		t.Fatalf("split outputs %+v", outs)
	}

	// The same split again is a double spend; a regulator write is refused;
	// neither changes anything.
	if err := tier1.submit(t, "Split", split, nil); err == nil {
		t.Fatal("double spend committed")
	}
	if err := regulator.submit(t, "Freeze", &model.TokenActionRequest{Token: outs[0].ID, Reason: "x"}, nil); err == nil {
		t.Fatal("a regulator write committed")
	}
	if st := regulator.token(t, outs[0].ID).Status; st != model.TokenActive {
		t.Errorf("tier-2 token status %s after the refused writes", st)
	}
	// Before maturity the core cannot pay.
	if err := core.submit(t, "DeclarePayment", &model.TokenActionRequest{Token: outs[1].ID, Reason: "early"}, nil); err == nil {
		t.Fatal("payment declared before maturity")
	}

	// Tier 2 finances its 400 000.00 at the bank, which sees the amount,
	// pays off-chain and becomes the holder.
	c2, err := pedersen.DecodeCommitment(outs[0].Commitment)
	if err != nil {
		t.Fatal(err)
	}
	fin, err := protocol.BuildFinance(outs[0].ID, c2, toTier2, bank.recipient(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tier2.must(t, "RequestFinancing", fin, nil)
	requested := bank.token(t, outs[0].ID)
	if requested.Status != model.TokenFinancing || requested.Financing == nil {
		t.Fatalf("after the request: %s", requested.Status)
	}
	disclosed, err := envelope.Open(bank.key, requested.Financing.BankEnvelope,
		envelope.Binding{Commitment: c2, TokenID: outs[0].ID, Purpose: protocol.PurposeBank})
	if err != nil || disclosed.Value != 400_000_00 {
		t.Fatalf("bank sees %d, %v", disclosed.Value, err)
	}
	bank.must(t, "ApproveFinancing", &model.ApproveFinancingRequest{Token: outs[0].ID, DisbursementRef: "SWIFT-0001",
		AgreementHash: make([]byte, 32)}, nil)
	if tok := bank.token(t, outs[0].ID); tok.Status != model.TokenFinanced || tok.Holder != bank.id {
		t.Fatalf("after approval: %s held by %s", tok.Status, tok.Holder)
	}

	// The regulator opens every amount from the ledger with its audit key.
	for id, want := range map[string]uint64{root.ID: 1_000_000_00, outs[0].ID: 400_000_00, outs[1].ID: 600_000_00} {
		tok := regulator.token(t, id)
		c, err := pedersen.DecodeCommitment(tok.Commitment)
		if err != nil {
			t.Fatal(err)
		}
		h, err := elgamal.DecodeHandle(tok.Handle)
		if err != nil {
			t.Fatal(err)
		}
		if !w.auditKey.CheckValue(c, h, want) {
			t.Errorf("regulator cannot open %s as %d", id, want)
		}
	}

	// At maturity the core pays every holder; each confirms receipt.
	time.Sleep(time.Until(maturity) + 2*time.Second)
	for _, leaf := range []struct {
		id     string
		holder *party
	}{{outs[0].ID, bank}, {outs[1].ID, tier1}} {
		core.must(t, "DeclarePayment", &model.TokenActionRequest{Token: leaf.id, Reason: "PAY-" + leaf.id[:8]}, nil)
		leaf.holder.must(t, "ConfirmPayment", &model.TokenActionRequest{Token: leaf.id}, nil)
		if st := regulator.token(t, leaf.id).Status; st != model.TokenSettled {
			t.Fatalf("%s: %s after payment", leaf.id, st)
		}
	}
	res, err = regulator.conn.Contract("tierchain").EvaluateTransaction("GetCreditLine", core.id, bank.id, currency)
	if err != nil {
		t.Fatal(detail(err))
	}
	var line model.CreditLine
	if err := json.Unmarshal(res, &line); err != nil {
		t.Fatal(err)
	}
	if line.Settled < 1 {
		t.Fatalf("credit line after settlement: settled %d", line.Settled)
	}
	w.settled(rootOpening)
}
