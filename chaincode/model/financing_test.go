package model_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/rangeproof"
)

func sealedAmount() model.SealedAmount {
	return model.SealedAmount{Commitment: bytesOf(32), Handle: bytesOf(32), HandleProof: bytesOf(elgamal.HandleProofSize),
		HolderEnvelope: bytesOf(envelope.SealedSize), BankEnvelope: bytesOf(envelope.SealedSize), RegulatorEnvelope: bytesOf(envelope.SealedSize)}
}

func validTermFinanceRequest() model.TermFinanceRequest {
	day := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	r := model.TermFinanceRequest{Token: "t1", Bank: "bankA", BankEnvelope: bytesOf(envelope.SealedSize),
		Terms:   terms.Terms{AdvanceRateBP: 9000, DiscountRateBP: 500, DayCount: terms.ACT360, ValueDate: day, Expiry: day.Add(48 * time.Hour)},
		Advance: sealedAmount(), Fee: sealedAmount()}
	for range model.FinanceRangeValues {
		r.RangeProofs = append(r.RangeProofs, bytesOf(rangeproof.Size(64, 1)))
	}
	return r
}

func TestTermFinanceRequestValidate(t *testing.T) {
	ok := validTermFinanceRequest()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	partial := validTermFinanceRequest()
	partial.Partial = &model.PartialFinancing{Outputs: []model.Output{validOutput(), validOutput()}, BalanceProof: bytesOf(balance.ProofSize)}
	if err := partial.Validate(); err != nil {
		t.Fatalf("valid partial request: %v", err)
	}
	for name, c := range map[string]struct {
		mutate func(*model.TermFinanceRequest)
		field  string
	}{
		"rate above 100 %":     {func(r *model.TermFinanceRequest) { r.Terms.AdvanceRateBP = 10_001 }, "advance rate"},
		"negative rate":        {func(r *model.TermFinanceRequest) { r.Terms.AdvanceRateBP = -1 }, "advance rate"},
		"negative discount":    {func(r *model.TermFinanceRequest) { r.Terms.DiscountRateBP = -1 }, "discount rate"},
		"unknown day count":    {func(r *model.TermFinanceRequest) { r.Terms.DayCount = "30E/360" }, "day count"},
		"short fee envelope":   {func(r *model.TermFinanceRequest) { r.Fee.BankEnvelope = bytesOf(3) }, "fee.bankEnvelope"},
		"missing handle proof": {func(r *model.TermFinanceRequest) { r.Advance.HandleProof = nil }, "advance.handleProof"},
		"five range proofs":    {func(r *model.TermFinanceRequest) { r.RangeProofs = r.RangeProofs[1:] }, "rangeProofs"},
		"one partial output": {func(r *model.TermFinanceRequest) {
			r.Partial = &model.PartialFinancing{Outputs: []model.Output{validOutput()}}
		}, "partial.outputs"},
		"partial balance proof": {func(r *model.TermFinanceRequest) {
			r.Partial = &model.PartialFinancing{Outputs: []model.Output{validOutput(), validOutput()}}
		}, "partial.balanceProof"},
	} {
		r := validTermFinanceRequest()
		c.mutate(&r)
		if err := r.Validate(); !errors.Is(err, model.ErrInvalidArgument) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v, want INVALID_ARGUMENT naming %s", name, err, c.field)
		}
	}
}

func FuzzDecodeTermFinanceRequest(f *testing.F) {
	partial := validTermFinanceRequest()
	partial.Partial = &model.PartialFinancing{Outputs: []model.Output{validOutput(), validOutput()}, BalanceProof: bytesOf(balance.ProofSize)}
	fuzzDecode[model.TermFinanceRequest](f, mustJSON(f, validTermFinanceRequest()), mustJSON(f, partial),
		`{"terms":{"advanceRateBp":-1}}`, `{"terms":{"valueDate":"2026-02-30T00:00:00Z"}}`)
}

func FuzzDecodeSetFinancingPolicyRequest(f *testing.F) {
	fuzzDecode[model.SetFinancingPolicyRequest](f, `{"maxAdvanceBp":9000,"graceDays":30}`, `{"maxAdvanceBp":10001}`, `{"maxAdvanceBp":-1}`)
}
