package audit_test

import (
	"math"
	"testing"

	"github.com/tierchain/tierchain/services/audit"
)

func TestConcentrate(t *testing.T) {
	type share struct {
		name  string
		share float64
	}
	tests := []struct {
		name      string
		positions []audit.Position
		total     uint64
		hhi       float64
		shares    []share // in order
		overflow  bool
	}{
		{name: "empty", hhi: 0},
		{name: "one party", positions: []audit.Position{{"a", 5}, {"a", 7}}, total: 12, hhi: 10_000, shares: []share{{"a", 1}}},
		{name: "one party, zero exposure", positions: []audit.Position{{"a", 0}}, total: 0, hhi: 0, shares: []share{{"a", 0}}},
		{name: "two equal", positions: []audit.Position{{"b", 50}, {"a", 50}}, total: 100, hhi: 5_000, shares: []share{{"a", 0.5}, {"b", 0.5}}},
		{name: "four equal", positions: []audit.Position{{"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}}, total: 4, hhi: 2_500,
			shares: []share{{"a", .25}, {"b", .25}, {"c", .25}, {"d", .25}}},
		{name: "60/30/10", positions: []audit.Position{{"c", 10}, {"a", 40}, {"b", 30}, {"a", 20}}, total: 100, hhi: 4_600,
			shares: []share{{"a", .6}, {"b", .3}, {"c", .1}}},
		{name: "a third each", positions: []audit.Position{{"a", 1}, {"b", 1}, {"c", 1}}, total: 3, hhi: 10_000.0 / 3,
			shares: []share{{"a", 1.0 / 3}, {"b", 1.0 / 3}, {"c", 1.0 / 3}}},
		{name: "total above 2^64", positions: []audit.Position{{"a", math.MaxUint64}, {"b", math.MaxUint64}}, hhi: 5_000,
			shares: []share{{"a", .5}, {"b", .5}}, overflow: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := audit.Concentrate(tc.positions)
			if d.Total != tc.total || d.Overflow != tc.overflow || math.Abs(d.HHI-tc.hhi) > 1e-9 {
				t.Fatalf("total %d HHI %v overflow %v, want %d %v %v", d.Total, d.HHI, d.Overflow, tc.total, tc.hhi, tc.overflow)
			}
			if len(d.Shares) != len(tc.shares) {
				t.Fatalf("%d shares, want %d", len(d.Shares), len(tc.shares))
			}
			for i, s := range tc.shares {
				if d.Shares[i].Name != s.name || math.Abs(d.Shares[i].Share-s.share) > 1e-12 {
					t.Errorf("share %d: %+v, want %+v", i, d.Shares[i], s)
				}
			}
		})
	}
}
