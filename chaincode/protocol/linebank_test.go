package protocol_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// lineBankIssue builds an issue against bank "bankB"'s line, with the
// opening sealed to the bank when bankKey is set, and the statement the
// chaincode rebuilds from it.
func lineBankIssue(t *testing.T, k keys, bankKey *envelope.PublicKey, amount pedersen.Opening) (*model.IssueRequest, *protocol.IssueStatement) {
	t.Helper()
	ctx := protocol.Context{Channel: "c", Chaincode: "cc"}
	core, _ := envelope.GenerateKey(nil)
	invID := strings.Repeat("ab", 64)
	inv := []protocol.OpenedInvoice{{ID: invID, Opening: opening(t, 500)}}
	outstanding := opening(t, 300)
	maturity := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	req, err := protocol.BuildIssue(ctx, protocol.IssueInput{Currency: "CNY", Issuer: "core", IssuerKey: core.Public(), Bank: "bankB",
		BankKey: bankKey, Holder: k.holder, Invoices: inv, Limit: 1000, Outstanding: outstanding, Maturity: maturity, Amount: amount}, k.aud, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, h, err := protocol.DecodeAudited("issue", req.Commitment, req.Handle)
	if err != nil {
		t.Fatal(err)
	}
	return req, &protocol.IssueStatement{Currency: "CNY", Issuer: "core", Bank: "bankB", Holder: req.Holder,
		Invoices: []protocol.InvoiceRef{{ID: invID, Commitment: inv[0].Opening.Commitment()}}, Limit: 1000,
		Outstanding: outstanding.Commitment().Element(), Maturity: maturity, Amount: c, Handle: h,
		HolderEnvelope: req.HolderEnvelope, RegulatorEnvelope: req.RegulatorEnvelope, IssuerEnvelope: req.IssuerEnvelope,
		BankEnvelope: req.BankEnvelope, AuditKey: k.aud.AuditKey}
}

// TestIssueBankEnvelope: the issue's opening sealed to the line's bank
// opens for the bank (purpose line-bank, not another), is bound into the
// proofs (a swapped or dropped envelope fails them), and an issue without
// one verifies as before.
func TestIssueBankEnvelope(t *testing.T) {
	k := newKeys(t)
	ctx := protocol.Context{Channel: "c", Chaincode: "cc"}
	bank, _ := envelope.GenerateKey(nil)
	amount := opening(t, 120)
	req, s := lineBankIssue(t, k, bank.Public(), amount)
	if len(req.BankEnvelope) != envelope.SealedSize || req.Validate() != nil {
		t.Fatalf("bank envelope %d bytes, valid: %v", len(req.BankEnvelope), req.Validate())
	}
	if err := s.Verify(ctx, req.RangeProofs, req.HandleProof); err != nil {
		t.Fatalf("issue with a bank envelope: %v", err)
	}
	o, err := envelope.Open(bank, req.BankEnvelope, protocol.OutputBinding(s.Amount, protocol.PurposeLineBank))
	if err != nil || o.Value != 120 || !bytes.Equal(o.Commitment().Bytes(), req.Commitment) {
		t.Fatalf("bank opens %v, %v", o.Value, err)
	}
	if _, err := envelope.Open(bank, req.BankEnvelope, protocol.OutputBinding(s.Amount, protocol.PurposeBank)); err == nil {
		t.Fatal("the line's envelope opens as a financing envelope")
	}

	// Swapped for another envelope to the bank (of another amount), or
	// dropped: the proofs no longer verify.
	other, _ := lineBankIssue(t, k, bank.Public(), opening(t, 1))
	s.BankEnvelope = other.BankEnvelope
	if err := s.Verify(ctx, req.RangeProofs, req.HandleProof); !errors.Is(err, model.ErrInvalidProof) {
		t.Errorf("swapped bank envelope: %v", err)
	}
	s.BankEnvelope = nil
	if err := s.Verify(ctx, req.RangeProofs, req.HandleProof); !errors.Is(err, model.ErrInvalidProof) {
		t.Errorf("dropped bank envelope: %v", err)
	}

	// Without a bank key: no envelope, and the statement without one verifies.
	plain, ps := lineBankIssue(t, k, nil, amount)
	if plain.BankEnvelope != nil {
		t.Fatal("bank envelope without a bank key")
	}
	if err := ps.Verify(ctx, plain.RangeProofs, plain.HandleProof); err != nil {
		t.Fatalf("issue without a bank envelope: %v", err)
	}
	ps.BankEnvelope = req.BankEnvelope
	if err := ps.Verify(ctx, plain.RangeProofs, plain.HandleProof); !errors.Is(err, model.ErrInvalidProof) {
		t.Errorf("bank envelope added after proving: %v", err)
	}
	plain.BankEnvelope = make([]byte, 10)
	if !errors.Is(plain.Validate(), model.ErrInvalidArgument) {
		t.Error("short bank envelope validates")
	}
}

// TestCompactIssueRequestV3: an issue with a bank envelope is version 3,
// version 2 with the envelope after issuerEnvelope, and round-trips; a
// legacy issue with one has no compact encoding.
func TestCompactIssueRequestV3(t *testing.T) {
	k := newKeys(t)
	bank, _ := envelope.GenerateKey(nil)
	req, _ := lineBankIssue(t, k, bank.Public(), opening(t, 120))
	raw, err := protocol.EncodeIssueRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != protocol.IssueWireV3 || string(raw[1:4]) != "CNY" || !protocol.IsCompactIssueRequest(string(raw)) {
		t.Fatalf("version %d, currency %q", raw[0], raw[1:4])
	}
	got, err := protocol.DecodeIssueRequest(raw)
	if err != nil || !reflect.DeepEqual(got, req) {
		t.Fatalf("round trip: %v", err)
	}
	noBank := *req
	noBank.BankEnvelope = nil
	v2, err := protocol.EncodeIssueRequest(&noBank)
	if err != nil || v2[0] != protocol.IssueWireV2 || len(v2) != len(raw)-envelope.SealedSize {
		t.Fatalf("without the envelope: version %d, %d bytes, %v", v2[0], len(v2), err)
	}
	for i := 0; i < len(raw); i++ {
		if _, err := protocol.DecodeIssueRequest(raw[:i]); !errors.Is(err, model.ErrInvalidArgument) {
			t.Errorf("v3 truncated to %d: %v", i, err)
		}
	}
	if _, err := protocol.DecodeIssueRequest(append([]byte{protocol.IssueWireV3}, v2[1:]...)); !errors.Is(err, model.ErrInvalidArgument) {
		t.Errorf("v2 as v3: %v", err)
	}
	legacy := *req
	legacy.Currency = ""
	if _, err := protocol.EncodeIssueRequest(&legacy); !errors.Is(err, model.ErrInvalidArgument) {
		t.Errorf("legacy issue with a bank envelope: %v", err)
	}
}
