package wallet

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
)

func holdingsOf(values ...uint64) []Holding {
	hs := make([]Holding, len(values))
	for i, v := range values {
		hs[i] = Holding{TokenID: fmt.Sprintf("t%02d", i), Value: v}
	}
	return hs
}

func valuesOf(hs []Holding) []uint64 {
	vs := make([]uint64, len(hs))
	for i, h := range hs {
		vs[i] = h.Value
	}
	return vs
}

func TestSelectCovering(t *testing.T) {
	for _, c := range []struct {
		have   []uint64
		amount uint64
		want   []uint64 // nil: none
	}{
		{[]uint64{500, 200, 300}, 300, []uint64{300}},            // exact match
		{[]uint64{500, 200, 300}, 450, []uint64{200, 300}},       // smallest first
		{[]uint64{500, 200, 300}, 1000, []uint64{200, 300, 500}}, // everything
		{[]uint64{500, 200, 300}, 1001, nil},
		{[]uint64{1, 1, 1, 1, 1, 1, 1, 1, 1, 100}, 50, []uint64{100}},             // smallest first needs > 8: largest first
		{[]uint64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 9, nil},                          // covered only by 9 inputs
		{[]uint64{1 << 63, 1 << 63, 5}, 1<<63 + 6, []uint64{5, 1 << 63, 1 << 63}}, // sum overflows: covers (never on a real receivable: its tokens sum to the root)
	} {
		pick, _, ok := selectCovering(holdingsOf(c.have...), c.amount)
		got := valuesOf(pick)
		slices.Sort(got)
		if c.want == nil && ok || c.want != nil && !slices.Equal(got, c.want) {
			t.Errorf("%v for %d: got %v (ok %v), want %v", c.have, c.amount, got, ok, c.want)
		}
	}
}

// FuzzSelectCovering: a choice covers the amount with at most MaxInputs
// distinct tokens, is a single token when one matches exactly, and there
// is no choice only when the MaxInputs largest tokens fall short.
func FuzzSelectCovering(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}, uint64(3))
	f.Fuzz(func(t *testing.T, raw []byte, amount uint64) {
		var values []uint64
		for len(raw) >= 8 && len(values) < 20 {
			values = append(values, binary.LittleEndian.Uint64(raw)>>uint(raw[0]%64))
			raw = raw[8:]
		}
		if amount == 0 {
			return
		}
		hs := holdingsOf(values...)
		pick, _, ok := selectCovering(hs, amount)
		desc := slices.Clone(values)
		slices.Sort(desc)
		slices.Reverse(desc)
		var best uint64
		feasible := false
		for i, v := range desc {
			if i == model.MaxInputs {
				break
			}
			if best+v < best || best+v >= amount {
				feasible = true
				break
			}
			best += v
		}
		if ok != feasible {
			t.Fatalf("values %v amount %d: ok %v, feasible %v", values, amount, ok, feasible)
		}
		if !ok {
			return
		}
		if len(pick) == 0 || len(pick) > model.MaxInputs {
			t.Fatalf("picked %d tokens", len(pick))
		}
		var sum uint64
		seen := map[string]bool{}
		for _, h := range pick {
			if seen[h.TokenID] {
				t.Fatalf("token %s picked twice", h.TokenID)
			}
			seen[h.TokenID] = true
			if sum+h.Value < sum {
				return // covers by overflow
			}
			sum += h.Value
		}
		if sum < amount {
			t.Fatalf("picked %v for %d", valuesOf(pick), amount)
		}
		if slices.Contains(values, amount) && len(pick) != 1 {
			t.Fatalf("exact match not chosen: %v for %d", valuesOf(pick), amount)
		}
	})
}
