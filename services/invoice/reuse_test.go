package invoice

import (
	"context"
	"testing"
	"time"

	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

func TestReuseLog(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, err := NewReuseLog(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := l.ReuseAttempts(ctx); err != nil || len(got) != 0 {
			t.Fatalf("empty log = %v, %v", got, err)
		}
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		for i, reason := range []string{ReuseOnLedger, ReuseDuplicateUpload} {
			if err := l.Record(ctx, ReuseAttempt{At: at.Add(time.Duration(i) * time.Minute), SupplierID: "tier1",
				Number: "NK-1", BuyerID: "0192:1", Reason: reason}, []byte{0xab, byte(i)}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := l.ReuseAttempts(ctx)
		if err != nil || len(got) != 2 {
			t.Fatalf("log = %v, %v", got, err)
		}
		if got[0].Reason != ReuseOnLedger || got[0].Fingerprint != "ab00" || !got[0].At.Equal(at) || got[1].Fingerprint != "ab01" {
			t.Errorf("log = %+v", got)
		}
	})
}

func TestReviews(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l, err := NewReuseLog(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := l.Reviews(ctx, "f1", "carmaker"); err != nil || len(got) != 0 {
			t.Fatalf("no reviews = %v, %v", got, err)
		}
		r := Review{Invoice: "f1", Reviewer: "carmaker", Decision: ReviewDistinct, Note: "two deliveries", NearDuplicates: []string{"f0", "f2"}}
		if err := l.RecordReview(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := l.Reviews(ctx, "f1", "carmaker")
		if err != nil || len(got) != 1 || got[0].Note != r.Note || len(got[0].NearDuplicates) != 2 || got[0].At.IsZero() {
			t.Fatalf("reviews = %+v, %v", got, err)
		}
		if got, _ := l.Reviews(ctx, "f1", "othercore"); len(got) != 0 {
			t.Errorf("another reviewer sees %+v", got)
		}
	})
}
