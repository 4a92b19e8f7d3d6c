package model_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/rangeproof"
)

func validSealedAmount() model.SealedAmount {
	return model.SealedAmount{Commitment: bytesOf(32), Handle: bytesOf(32), HandleProof: bytesOf(elgamal.HandleProofSize),
		HolderEnvelope: bytesOf(envelope.SealedSize), BankEnvelope: bytesOf(envelope.SealedSize), RegulatorEnvelope: bytesOf(envelope.SealedSize)}
}

func proofs(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = bytesOf(rangeproof.Size(64, 1))
	}
	return out
}

func validRFQ() model.RequestQuotesRequest {
	return model.RequestQuotesRequest{Token: "t1", Expiry: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		Banks: []model.RFQBank{{Bank: "bankA", BankEnvelope: bytesOf(envelope.SealedSize)}, {Bank: "bankB", BankEnvelope: bytesOf(envelope.SealedSize)}}}
}

func validQuote() model.SubmitQuoteRequest {
	sealed := bytesOf(200)
	return model.SubmitQuoteRequest{RFQ: "r1", Expiry: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), TermsDigest: bytesOf(32),
		HolderSealedTerms: sealed, BankSealedTerms: sealed, RegulatorSealedTerms: sealed, Advance: validSealedAmount(), Fee: validSealedAmount(),
		RangeProofs: proofs(model.QuoteRangeValues)}
}

func validResale() model.OfferResaleRequest {
	return model.OfferResaleRequest{Token: "t1", Buyer: "bankB", BankEnvelope: bytesOf(envelope.SealedSize), Price: validSealedAmount(),
		RangeProofs: proofs(model.ResaleRangeValues)}
}

// TestQuoteRequestsValidate: the shape checks of requests for quotes,
// quotes and resale offers, each naming its field.
func TestQuoteRequestsValidate(t *testing.T) {
	for name, c := range map[string]struct {
		req   model.Validator
		field string // "" = valid
	}{
		"rfq":               {ptr(validRFQ()), ""},
		"rfq without banks": {func() model.Validator { r := validRFQ(); r.Banks = nil; return &r }(), "banks"},
		"rfq bank twice": {func() model.Validator {
			r := validRFQ()
			r.Banks[1].Bank = "bankA"
			return &r
		}(), "banks[1]"},
		"rfq nine banks": {func() model.Validator {
			r := validRFQ()
			for len(r.Banks) < 9 {
				r.Banks = append(r.Banks, model.RFQBank{Bank: "b" + strings.Repeat("x", len(r.Banks)), BankEnvelope: bytesOf(envelope.SealedSize)})
			}
			return &r
		}(), "banks"},
		"rfq short envelope": {func() model.Validator { r := validRFQ(); r.Banks[0].BankEnvelope = bytesOf(3); return &r }(), "banks[0].bankEnvelope"},
		"rfq no expiry":      {func() model.Validator { r := validRFQ(); r.Expiry = time.Time{}; return &r }(), "expiry"},
		"quote":              {ptr(validQuote()), ""},
		"quote digest":       {func() model.Validator { q := validQuote(); q.TermsDigest = bytesOf(31); return &q }(), "termsDigest"},
		"quote no sealed terms": {func() model.Validator {
			q := validQuote()
			q.BankSealedTerms = nil
			return &q
		}(), "bankSealedTerms"},
		"quote sealed terms too long": {func() model.Validator {
			q := validQuote()
			q.HolderSealedTerms = bytesOf(model.MaxSealedTermsSize + 1)
			return &q
		}(), "holderSealedTerms"},
		"quote 3 proofs": {func() model.Validator { q := validQuote(); q.RangeProofs = proofs(3); return &q }(), "rangeProofs"},
		"quote fee":      {func() model.Validator { q := validQuote(); q.Fee.Handle = nil; return &q }(), "fee.handle"},
		"resale":         {ptr(validResale()), ""},
		"resale buyer":   {func() model.Validator { r := validResale(); r.Buyer = ""; return &r }(), "buyer"},
		"resale proofs":  {func() model.Validator { r := validResale(); r.RangeProofs = proofs(1); return &r }(), "rangeProofs"},
		"accept resale":  {&model.AcceptResaleRequest{Token: "t1", PaymentRef: "P"}, ""},
		"accept no ref":  {&model.AcceptResaleRequest{Token: "t1"}, "paymentRef"},
		"quote action":   {&model.QuoteActionRequest{Quote: ""}, "quote"},
		"rfq action":     {&model.RFQActionRequest{RFQ: "r 1"}, "rfq"},
	} {
		err := c.req.Validate()
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case c.field != "" && (!errors.Is(err, model.ErrInvalidArgument) || !strings.HasPrefix(strings.TrimPrefix(err.Error(), "INVALID_ARGUMENT: "), c.field)):
			t.Errorf("%s: %v, want an error naming %s", name, err, c.field)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func FuzzDecodeRequestQuotesRequest(f *testing.F) {
	fuzzDecode[model.RequestQuotesRequest](f, mustJSON(f, validRFQ()), `{"token":"t","banks":[{"bank":"b"}]}`)
}

func FuzzDecodeSubmitQuoteRequest(f *testing.F) {
	fuzzDecode[model.SubmitQuoteRequest](f, mustJSON(f, validQuote()), `{"rfq":"r","rangeProofs":[]}`)
}

func FuzzDecodeOfferResaleRequest(f *testing.F) {
	fuzzDecode[model.OfferResaleRequest](f, mustJSON(f, validResale()), `{"token":"t","price":{}}`)
}

func FuzzDecodeQuoteActions(f *testing.F) {
	fuzzDecode[model.QuoteActionRequest](f, `{"quote":"q1"}`, `{"quote":""}`)
}

func FuzzDecodeAcceptResaleRequest(f *testing.F) {
	fuzzDecode[model.AcceptResaleRequest](f, `{"token":"t1","paymentRef":"P-1"}`, `{"token":"t1","paymentRef":"\u0000"}`)
}
