package invoice

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// hashFingerprinter stands in for the OPRF client in tests.
type hashFingerprinter struct{ calls int }

func (h *hashFingerprinter) Fingerprint(_ context.Context, input []byte) ([]byte, error) {
	h.calls++
	sum := sha256.Sum256(input)
	return sum[:], nil
}

func TestServiceSubmit(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fp := &hashFingerprinter{}
		svc := &Service{Repo: newTestRepo(t, db), Fingerprinter: fp}
		xmlDoc := readTestdata(t, "peppol-bis3-invoice.xml")
		pdf := readTestdata(t, "evidence.pdf")

		rec, inv, err := svc.Submit(ctx, Upload{SupplierID: "tier1", Format: FormatUBL, Document: xmlDoc, PDF: pdf})
		if err != nil {
			t.Fatal(err)
		}
		if rec.DocumentSHA256 != sha256.Sum256(xmlDoc) || inv.AmountMinor != 100000000 || fp.calls != 1 {
			t.Errorf("record %+v", rec)
		}
		want := sha256.Sum256(FingerprintInput(inv))
		if string(rec.Fingerprint) != string(want[:]) {
			t.Error("the record's fingerprint is not the fingerprinter's output")
		}
		orig, err := svc.Repo.Document(ctx, rec.ID, DocumentOriginal)
		if err != nil || string(orig.Content) != string(xmlDoc) || orig.MediaType != "application/xml" {
			t.Errorf("original document: %v", err)
		}

		// The same invoice again, even as JSON, is refused.
		_, _, err = svc.Submit(ctx, Upload{SupplierID: "tier1", Format: FormatJSON, Document: readTestdata(t, "invoice.json")})
		if !errors.Is(err, ErrDuplicate) {
			t.Errorf("re-upload: %v, want ErrDuplicate", err)
		}
		_, _, err = svc.Submit(ctx, Upload{SupplierID: "tier1", Format: FormatJSON, Document: []byte(validJSON), PDF: []byte("GIF89a")})
		if !errors.Is(err, ErrNotPDF) {
			t.Errorf("bad attachment: %v, want ErrNotPDF", err)
		}
		_, _, err = svc.Submit(ctx, Upload{SupplierID: "tier1", Format: "csv", Document: []byte("a,b")})
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("unknown format: %v, want ErrMalformed", err)
		}
		page, err := svc.Repo.ListBySupplier(ctx, "tier1", "", 0)
		if err != nil || len(page.Records) != 1 {
			t.Errorf("refused uploads left records: %d, %v", len(page.Records), err)
		}
	})
}

// The document's parties must be the registered legal IDs the caller
// resolved; the record keeps those, canonical.
func TestServiceSubmitChecksParties(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &Service{Repo: newTestRepo(t, db), Fingerprinter: &hashFingerprinter{}}
		doc := readTestdata(t, "invoice.json")
		inv, err := ParseJSON(doc)
		if err != nil {
			t.Fatal(err)
		}
		buyer := PartyKey(inv.Buyer.ID)
		_, _, err = svc.Submit(ctx, Upload{SupplierID: "tier2", Seller: "0192:915600468", Buyer: buyer, Format: FormatJSON, Document: doc})
		if !errors.Is(err, ErrNotSeller) {
			t.Errorf("another seller's invoice: %v, want ErrNotSeller", err)
		}
		_, _, err = svc.Submit(ctx, Upload{SupplierID: "tier1", Seller: PartyKey(inv.Seller.ID), Buyer: "0192:915600468", Format: FormatJSON, Document: doc})
		if !errors.Is(err, ErrUnknownBuyer) {
			t.Errorf("another buyer: %v, want ErrUnknownBuyer", err)
		}
		rec, _, err := svc.Submit(ctx, Upload{SupplierID: "tier1", Seller: PartyKey(inv.Seller.ID), Buyer: buyer, Format: FormatJSON, Document: doc})
		if err != nil || rec.SellerID != PartyKey(inv.Seller.ID) || rec.BuyerID != buyer {
			t.Fatalf("own invoice: %+v, %v", rec, err)
		}
	})
}
