package invoice

import (
	"math"
	"testing"
)

func TestNearDuplicate(t *testing.T) {
	base := Filing{SellerID: "0192:915600123", BuyerID: "0192:987123451", Currency: "NOK", AmountMinor: 50_000_000, IssueDate: "2026-03-10"}
	for _, tc := range []struct {
		name string
		edit func(*Filing)
		want bool
	}{
		{"the same", func(*Filing) {}, true},
		{"one cent more", func(f *Filing) { f.AmountMinor++ }, true},
		{"1 % more", func(f *Filing) { f.AmountMinor = 50_500_000 }, true},
		{"1 % less", func(f *Filing) { f.AmountMinor = 49_500_000 }, true},
		{"just over 1 % more", func(f *Filing) { f.AmountMinor = 50_505_051 }, false},
		{"just over 1 % less", func(f *Filing) { f.AmountMinor = 49_499_999 }, false},
		{"7 days later", func(f *Filing) { f.IssueDate = "2026-03-17" }, true},
		{"7 days earlier", func(f *Filing) { f.IssueDate = "2026-03-03" }, true},
		{"8 days later", func(f *Filing) { f.IssueDate = "2026-03-18" }, false},
		{"another seller", func(f *Filing) { f.SellerID = "0192:915600468" }, false},
		{"another buyer", func(f *Filing) { f.BuyerID = "0192:915600468" }, false},
		{"bad date", func(f *Filing) { f.IssueDate = "soon" }, false},
		{"huge", func(f *Filing) { f.AmountMinor = math.MaxInt64 }, false},
	} {
		other := base
		tc.edit(&other)
		if got := NearDuplicate(&base, &other); got != tc.want {
			t.Errorf("%s: NearDuplicate = %v, want %v", tc.name, got, tc.want)
		}
		if got := NearDuplicate(&other, &base); got != tc.want {
			t.Errorf("%s (swapped): NearDuplicate = %v, want %v", tc.name, got, tc.want)
		}
	}
	a, b := base, base
	a.AmountMinor, b.AmountMinor = math.MaxInt64, math.MaxInt64-1
	if !NearDuplicate(&a, &b) {
		t.Error("amounts near 2^63 overflowed")
	}
}
