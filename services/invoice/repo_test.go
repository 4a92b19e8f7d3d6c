package invoice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

func newTestRepo(t *testing.T, db *store.DB) *Repo {
	t.Helper()
	r, err := NewRepo(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	// A second start must find the schema up to date.
	if _, err := NewRepo(context.Background(), db); err != nil {
		t.Fatalf("second NewRepo: %v", err)
	}
	return r
}

func testRecord(supplier, number string) *Record {
	inv := &Invoice{
		Format: FormatJSON, Number: number, IssueDate: date("2026-03-01"), DueDate: date("2026-05-30"),
		Currency: "EUR", AmountMinor: 100000, Seller: Party{ID: "0192:" + supplier}, Buyer: Party{ID: "0192:core"},
	}
	return NewRecord(supplier, inv, DocumentHash([]byte(number)))
}

func TestRepoCreateGet(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newTestRepo(t, db)
		rec := testRecord("tier1", "INV-1")
		doc := []byte(`{"invoice":{}}`)
		pdf := []byte("%PDF-1.7 evidence")
		pdfSum := DocumentHash(pdf)
		rec.PDFSHA256 = pdfSum[:]
		err := r.Create(ctx, rec,
			Document{Kind: DocumentOriginal, MediaType: "application/json", SHA256: DocumentHash(doc), Content: doc},
			Document{Kind: DocumentPDF, MediaType: "application/pdf", SHA256: pdfSum, Content: pdf})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.ID) != 36 || rec.CreatedAt.IsZero() {
			t.Fatalf("Create did not fill ID and CreatedAt: %+v", rec)
		}
		got, err := r.Get(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != rec.ID || got.SupplierID != "tier1" || got.SellerID != "0192:tier1" || got.BuyerID != "0192:core" ||
			got.Number != "INV-1" || !got.IssueDate.Equal(rec.IssueDate) || !got.DueDate.Equal(rec.DueDate) ||
			got.Currency != "EUR" || got.AmountMinor != 100000 || got.Status != StatusRegistered ||
			got.Format != FormatJSON || got.DocumentSHA256 != rec.DocumentSHA256 ||
			!bytes.Equal(got.PDFSHA256, pdfSum[:]) || got.Fingerprint != nil || got.TxID != "" ||
			!got.CreatedAt.Equal(rec.CreatedAt) {
			t.Errorf("Get = %+v\nwant  %+v", got, rec)
		}
		d, err := r.Document(ctx, rec.ID, DocumentPDF)
		if err != nil || !bytes.Equal(d.Content, pdf) || d.SHA256 != pdfSum || d.MediaType != "application/pdf" {
			t.Errorf("Document(pdf) = %+v, %v", d, err)
		}
		if _, err := r.Get(ctx, "inv_nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(unknown) = %v, want ErrNotFound", err)
		}
		if _, err := r.Document(ctx, "inv_nope", DocumentPDF); !errors.Is(err, ErrNotFound) {
			t.Errorf("Document(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestRepoDuplicate(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newTestRepo(t, db)
		if err := r.Create(ctx, testRecord("tier1", "INV-1")); err != nil {
			t.Fatal(err)
		}
		// The same number, differently written, is the same invoice.
		for _, number := range []string{"INV-1", " inv-1 ", "ＩＮＶ-1"} {
			if err := r.Create(ctx, testRecord("tier1", number)); !errors.Is(err, ErrDuplicate) {
				t.Errorf("Create(%q) again: %v, want ErrDuplicate", number, err)
			}
		}
		// Another number, or another supplier's invoice, is not a duplicate here.
		if err := r.Create(ctx, testRecord("tier1", "INV-2")); err != nil {
			t.Error(err)
		}
		if err := r.Create(ctx, testRecord("tier2", "INV-1")); err != nil {
			t.Error(err)
		}
		// A failed Create leaves nothing behind.
		page, err := r.ListBySupplier(ctx, "tier1", "", 0)
		if err != nil || len(page.Records) != 2 {
			t.Errorf("tier1 has %d invoices, %v; want 2", len(page.Records), err)
		}
	})
}

// Concurrent uploads of one invoice: exactly one wins.
func TestRepoDuplicateConcurrent(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newTestRepo(t, db)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() { errs <- r.Create(ctx, testRecord("tier1", "INV-1")) })
		}
		wg.Wait()
		close(errs)
		created := 0
		for err := range errs {
			switch {
			case err == nil:
				created++
			case !errors.Is(err, ErrDuplicate):
				t.Error(err)
			}
		}
		if created != 1 {
			t.Errorf("%d concurrent creates succeeded, want 1", created)
		}
	})
}

func TestRepoListBySupplier(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newTestRepo(t, db)
		const n = 7
		for i := range n {
			if err := r.Create(ctx, testRecord("tier1", fmt.Sprintf("INV-%d", i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Create(ctx, testRecord("tier2", "OTHER")); err != nil {
			t.Fatal(err)
		}
		var numbers []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > n {
				t.Fatal("pagination does not end")
			}
			page, err := r.ListBySupplier(ctx, "tier1", cursor, 3)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range page.Records {
				numbers = append(numbers, rec.Number)
			}
			if page.Next == "" {
				break
			}
			cursor = page.Next
			// An invoice arriving between pages does not shift the next page.
			if pages == 0 {
				if err := r.Create(ctx, testRecord("tier1", "LATE")); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := "INV-6 INV-5 INV-4 INV-3 INV-2 INV-1 INV-0"
		if got := fmt.Sprint(numbers); got != "["+want+"]" {
			t.Errorf("pages = %v, want [%s]", got, want)
		}
		for _, bad := range []string{"x", "-1", "0", "01", "99999999999999999999"} {
			if _, err := r.ListBySupplier(ctx, "tier1", bad, 3); !errors.Is(err, ErrBadCursor) {
				t.Errorf("cursor %q: %v, want ErrBadCursor", bad, err)
			}
		}
		page, err := r.ListBySupplier(ctx, "nobody", "", 0)
		if err != nil || len(page.Records) != 0 || page.Next != "" {
			t.Errorf("unknown supplier: %+v, %v", page, err)
		}
	})
}

func TestRepoStatusAndRegistration(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newTestRepo(t, db)
		rec := testRecord("tier1", "INV-1")
		if err := r.Create(ctx, rec); err != nil {
			t.Fatal(err)
		}
		fp := bytes.Repeat([]byte{0xab}, 32)
		if err := r.SetRegistration(ctx, rec.ID, fp, "tx-1"); err != nil {
			t.Fatal(err)
		}
		if err := r.SetRegistration(ctx, rec.ID, fp, "tx-2"); !errors.Is(err, ErrStatusConflict) {
			t.Errorf("second SetRegistration: %v, want ErrStatusConflict", err)
		}
		found, err := r.FindByFingerprint(ctx, fp)
		if err != nil || len(found) != 1 || found[0].ID != rec.ID || found[0].TxID != "tx-1" {
			t.Errorf("FindByFingerprint = %+v, %v", found, err)
		}
		if found, err := r.FindByFingerprint(ctx, []byte{1}); err != nil || len(found) != 0 {
			t.Errorf("FindByFingerprint(unknown) = %+v, %v", found, err)
		}

		if err := r.UpdateStatus(ctx, rec.ID, StatusRegistered, StatusConfirmed); err != nil {
			t.Fatal(err)
		}
		// A stale from-status (a concurrent reject lost the race) conflicts.
		if err := r.UpdateStatus(ctx, rec.ID, StatusRegistered, StatusRejected); !errors.Is(err, ErrStatusConflict) {
			t.Errorf("stale from: %v, want ErrStatusConflict", err)
		}
		// A move the lifecycle does not allow.
		if err := r.UpdateStatus(ctx, rec.ID, StatusConfirmed, StatusRegistered); !errors.Is(err, ErrStatusConflict) {
			t.Errorf("backwards: %v, want ErrStatusConflict", err)
		}
		if err := r.UpdateStatus(ctx, rec.ID, StatusConfirmed, StatusUsed); err != nil {
			t.Fatal(err)
		}
		if err := r.UpdateStatus(ctx, "inv_nope", StatusRegistered, StatusConfirmed); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown ID: %v, want ErrNotFound", err)
		}
		got, err := r.Get(ctx, rec.ID)
		if err != nil || got.Status != StatusUsed || got.UpdatedAt.Before(got.CreatedAt) {
			t.Errorf("after updates: %+v, %v", got, err)
		}
	})
}
