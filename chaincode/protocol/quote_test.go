package protocol_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
)

// sealTerms seals plaintext to k as a bank's quote does, returning the
// quote that names its digest.
func sealTerms(t testing.TB, k *envelope.PrivateKey, plaintext []byte) (*model.Quote, []byte) {
	t.Helper()
	expiry := time.Date(2026, 1, 9, 0, 0, 0, 0, time.UTC)
	q := &model.Quote{ID: "q1", RFQ: "r1", Bank: "bankA", QuoteOffer: model.QuoteOffer{Expiry: expiry, Recourse: true, TermsDigest: protocol.QuoteTermsDigest(plaintext)}}
	sealed, err := envelope.SealMessage(k.Public(), protocol.QuoteTermsInfo, []byte("r1\x00bankA\x00"+string(q.TermsDigest)), plaintext, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q, sealed
}

func quoteTerms() protocol.QuoteTerms {
	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	return protocol.QuoteTerms{Terms: terms.Terms{AdvanceRateBP: 9000, DiscountRateBP: 500, DayCount: terms.ACT360, Recourse: true,
		ValueDate: day, Expiry: time.Date(2026, 1, 9, 0, 0, 0, 0, time.UTC)}, Fee: 3, Salt: make([]byte, protocol.QuoteSaltSize)}
}

// TestOpenQuoteTerms: the holder opens what the bank sealed; terms that
// disagree with the quote's public fields or digest are caught.
func TestOpenQuoteTerms(t *testing.T) {
	k, _ := envelope.GenerateKey(nil)
	pt, _ := json.Marshal(quoteTerms())
	q, sealed := sealTerms(t, k, pt)
	qt, err := protocol.OpenQuoteTerms(k, q, sealed)
	if err != nil || qt.Terms != quoteTerms().Terms || qt.Fee != 3 {
		t.Fatalf("opened %+v, %v", qt, err)
	}
	if qt.String() != "protocol.QuoteTerms{REDACTED}" {
		t.Fatal("terms not redacted")
	}
	for name, mut := range map[string]func(q *model.Quote){
		"recourse differs": func(q *model.Quote) { q.Recourse = false },
		"expiry differs":   func(q *model.Quote) { q.Expiry = q.Expiry.Add(time.Second) },
		"digest differs":   func(q *model.Quote) { q.TermsDigest = protocol.QuoteTermsDigest([]byte("other")) },
		"another bank":     func(q *model.Quote) { q.Bank = "bankB" },
	} {
		c := *q
		mut(&c)
		if _, err := protocol.OpenQuoteTerms(k, &c, sealed); !errors.Is(err, model.ErrInvalidProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The committed advance must be the terms'.
	maturity := time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
	want, _ := terms.Compute(&qt.Terms, 1_000_000, 3, maturity)
	if _, err := protocol.CheckQuoteAmounts(qt, 1_000_000, want.Advance, 3, maturity); err != nil {
		t.Fatal(err)
	}
	if _, err := protocol.CheckQuoteAmounts(qt, 1_000_000, want.Advance+1, 3, maturity); !errors.Is(err, model.ErrInvalidProof) {
		t.Fatalf("advance above the terms: %v", err)
	}
}

// FuzzOpenQuoteTerms: any plaintext a bank seals is decoded without panic.
func FuzzOpenQuoteTerms(f *testing.F) {
	k, _ := envelope.GenerateKey(nil)
	pt, _ := json.Marshal(quoteTerms())
	f.Add(pt)
	f.Add([]byte(`{"terms":{},"fee":1,"salt":""} {}`))
	f.Add([]byte(`{"terms":{"advanceRateBp":-1}}`))
	f.Fuzz(func(t *testing.T, plaintext []byte) {
		q, sealed := sealTerms(t, k, plaintext)
		qt, err := protocol.OpenQuoteTerms(k, q, sealed)
		if err == nil && qt.Terms.Validate() != nil {
			t.Fatal("invalid terms accepted")
		}
		if _, err := protocol.OpenQuoteTerms(k, q, plaintext); err == nil {
			t.Fatal("plaintext opened as a sealed message")
		}
	})
}
