package invoice

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/envelope"
)

func sealedFiling(t *testing.T, doc []byte) (*envelope.PrivateKey, *model.Invoice, *Filing) {
	t.Helper()
	inv, err := ParseJSON([]byte(validJSON))
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecord("tier1", inv, DocumentHash(doc))
	k, err := envelope.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := NewFiling(rec, inv, doc)
	fp := bytes.Repeat([]byte{7}, 64)
	sealed, err := SealFiling(k.Public(), f, fp, "carmaker", nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(doc)
	return k, &model.Invoice{Fingerprint: fp, Buyer: "carmaker", DocumentHash: sum[:], FilingEnvelope: sealed}, f
}

func TestFilingRoundTrip(t *testing.T) {
	doc := []byte(validJSON)
	k, ledger, want := sealedFiling(t, doc)
	got, err := OpenFiling(k, ledger)
	if err != nil {
		t.Fatal(err)
	}
	if got.Number != want.Number || got.AmountMinor != want.AmountMinor || !bytes.Equal(got.Document, doc) || got.SellerID != want.SellerID {
		t.Errorf("opened %+v, want %+v", got, want)
	}
	// Moved to another record (fingerprint, buyer or document hash), it
	// does not open.
	for name, edit := range map[string]func(*model.Invoice){
		"fingerprint":   func(i *model.Invoice) { i.Fingerprint = bytes.Repeat([]byte{8}, 64) },
		"buyer":         func(i *model.Invoice) { i.Buyer = "othercore" },
		"document hash": func(i *model.Invoice) { i.DocumentHash = make([]byte, 32) },
		"none":          func(i *model.Invoice) { i.FilingEnvelope = nil },
		"flipped":       func(i *model.Invoice) { i.FilingEnvelope = bytes.Clone(i.FilingEnvelope); i.FilingEnvelope[50] ^= 1 },
	} {
		moved := *ledger
		edit(&moved)
		if _, err := OpenFiling(k, &moved); !errors.Is(err, ErrFiling) {
			t.Errorf("%s: %v, want ErrFiling", name, err)
		}
	}
}

// A filing whose document is not the registered one (a seller showing the
// buyer one document and registering another) is refused.
func TestFilingDocumentMustBeTheRegisteredOne(t *testing.T) {
	doc := []byte(validJSON)
	k, ledger, f := sealedFiling(t, doc)
	f.Document = []byte(strings.Replace(validJSON, "INV-1", "INV-2", 1))
	sealed, err := SealFiling(k.Public(), f, ledger.Fingerprint, ledger.Buyer, nil)
	if err != nil {
		t.Fatal(err)
	}
	ledger.FilingEnvelope = sealed
	if _, err := OpenFiling(k, ledger); !errors.Is(err, ErrFiling) {
		t.Errorf("another document: %v, want ErrFiling", err)
	}
}

// A document too large for the ledger's bound travels as its hash only.
func TestFilingLeavesOutALargeDocument(t *testing.T) {
	doc := bytes.Repeat([]byte("x"), model.MaxFilingEnvelopeSize)
	k, ledger, _ := sealedFiling(t, doc)
	if len(ledger.FilingEnvelope) > model.MaxFilingEnvelopeSize {
		t.Fatalf("sealed filing of %d bytes", len(ledger.FilingEnvelope))
	}
	got, err := OpenFiling(k, ledger)
	if err != nil || got.Document != nil {
		t.Fatalf("OpenFiling = %+v, %v", got, err)
	}
}

func FuzzDecodeFiling(f *testing.F) {
	f.Add([]byte(`{"number":"NK-1","issueDate":"2026-01-02","dueDate":"2026-02-02","currency":"NOK","amountMinor":5,"sellerId":"0192:915600123","sellerName":"x","buyerId":"b","buyerName":"y","documentSha256":"00","mediaType":"application/json"}`))
	f.Add([]byte(`{"number":"\u0000"}`))
	f.Add([]byte("\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fl, err := decodeFiling(b)
		if err != nil {
			if !errors.Is(err, ErrFiling) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if fl.AmountMinor <= 0 || fl.Number == "" || !printable(fl.Number) {
			t.Fatalf("accepted %+v", fl)
		}
	})
}
