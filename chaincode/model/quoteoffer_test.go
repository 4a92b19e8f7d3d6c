package model_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

// The stored forms of a quote and of a financing's quote before their
// common fields became one QuoteOffer: the ledger holds records written
// with these, so the embedding must marshal to the same bytes.
type flatQuote struct {
	ID                   string              `json:"id"`
	RFQ                  string              `json:"rfq"`
	Token                string              `json:"token"`
	Requester            string              `json:"requester"`
	Bank                 string              `json:"bank"`
	Expiry               time.Time           `json:"expiry"`
	Recourse             bool                `json:"recourse"`
	MaxAdvanceBP         int64               `json:"maxAdvanceBp"`
	TermsDigest          []byte              `json:"termsDigest"`
	HolderSealedTerms    []byte              `json:"holderSealedTerms"`
	BankSealedTerms      []byte              `json:"bankSealedTerms"`
	RegulatorSealedTerms []byte              `json:"regulatorSealedTerms"`
	Advance              *model.SealedAmount `json:"advance"`
	Fee                  *model.SealedAmount `json:"fee"`
	Status               model.QuoteStatus   `json:"status"`
	CreatedAt            time.Time           `json:"createdAt"`
	UpdatedAt            time.Time           `json:"updatedAt"`
	TxID                 string              `json:"txId"`
}

type flatFinancingQuote struct {
	Quote                string              `json:"quote"`
	RFQ                  string              `json:"rfq"`
	Expiry               time.Time           `json:"expiry"`
	Recourse             bool                `json:"recourse"`
	MaxAdvanceBP         int64               `json:"maxAdvanceBp"`
	TermsDigest          []byte              `json:"termsDigest"`
	HolderSealedTerms    []byte              `json:"holderSealedTerms"`
	BankSealedTerms      []byte              `json:"bankSealedTerms"`
	RegulatorSealedTerms []byte              `json:"regulatorSealedTerms"`
	Advance              *model.SealedAmount `json:"advance"`
	Fee                  *model.SealedAmount `json:"fee"`
	SplitFrom            string              `json:"splitFrom,omitempty"`
}

func testOffer() model.QuoteOffer {
	adv, fee := validSealedAmount(), validSealedAmount()
	fee.Commitment = bytes.Repeat([]byte{7}, 32)
	adv.HandleProof, fee.HandleProof = nil, nil // not stored
	return model.QuoteOffer{Expiry: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), Recourse: true, MaxAdvanceBP: 9000,
		TermsDigest: bytes.Repeat([]byte{1}, 32), HolderSealedTerms: []byte("holder"), BankSealedTerms: []byte("bank"),
		RegulatorSealedTerms: []byte("regulator"), Advance: &adv, Fee: &fee}
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestQuoteOfferStoredForm: a quote and a financing's quote marshal to the
// bytes their flat forms did, field for field and in the same order, and
// read back to the same value.
func TestQuoteOfferStoredForm(t *testing.T) {
	o := testOffer()
	at := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	q := model.Quote{ID: "q1", RFQ: "r1", Token: "t1", Requester: "supplier1", Bank: "bankA", QuoteOffer: o,
		Status: model.QuoteOpen, CreatedAt: at, UpdatedAt: at, TxID: "tx1"}
	flat := flatQuote{ID: "q1", RFQ: "r1", Token: "t1", Requester: "supplier1", Bank: "bankA", Expiry: o.Expiry,
		Recourse: o.Recourse, MaxAdvanceBP: o.MaxAdvanceBP, TermsDigest: o.TermsDigest, HolderSealedTerms: o.HolderSealedTerms,
		BankSealedTerms: o.BankSealedTerms, RegulatorSealedTerms: o.RegulatorSealedTerms, Advance: o.Advance, Fee: o.Fee,
		Status: model.QuoteOpen, CreatedAt: at, UpdatedAt: at, TxID: "tx1"}
	got, want := marshal(t, q), marshal(t, flat)
	if !bytes.Equal(got, want) {
		t.Fatalf("quote:\n got %s\nwant %s", got, want)
	}
	var back model.Quote
	if err := json.Unmarshal(want, &back); err != nil || !reflect.DeepEqual(back, q) {
		t.Fatalf("quote read back: %+v, %v", back, err)
	}

	fq := model.FinancingQuote{Quote: "q1", RFQ: "r1", QuoteOffer: o, SplitFrom: "t0"}
	flatFQ := flatFinancingQuote{Quote: "q1", RFQ: "r1", Expiry: o.Expiry, Recourse: o.Recourse, MaxAdvanceBP: o.MaxAdvanceBP,
		TermsDigest: o.TermsDigest, HolderSealedTerms: o.HolderSealedTerms, BankSealedTerms: o.BankSealedTerms,
		RegulatorSealedTerms: o.RegulatorSealedTerms, Advance: o.Advance, Fee: o.Fee, SplitFrom: "t0"}
	got, want = marshal(t, fq), marshal(t, flatFQ)
	if !bytes.Equal(got, want) {
		t.Fatalf("financing quote:\n got %s\nwant %s", got, want)
	}
	var backFQ model.FinancingQuote
	if err := json.Unmarshal(want, &backFQ); err != nil || !reflect.DeepEqual(backFQ, fq) {
		t.Fatalf("financing quote read back: %+v, %v", backFQ, err)
	}
}

// TestFinancingQuoted: the quote a financing reports carries every field
// of the offer it accepted, its parties and ACCEPTED; no quote, nil.
func TestFinancingQuoted(t *testing.T) {
	if (&model.Financing{}).Quoted() != nil {
		t.Fatal("a financing without a quote reports one")
	}
	o := testOffer()
	f := model.Financing{Bank: "bankA", Requester: "supplier1", Quote: &model.FinancingQuote{Quote: "q1", RFQ: "r1", QuoteOffer: o}}
	want := &model.Quote{ID: "q1", RFQ: "r1", Requester: "supplier1", Bank: "bankA", QuoteOffer: o, Status: model.QuoteAccepted}
	if got := f.Quoted(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Quoted:\n got %+v\nwant %+v", got, want)
	}
}
