package terms

import (
	"errors"
	"math"
	"math/big"
	"testing"
	"time"
)

var (
	value    = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	expiry   = time.Date(2026, 4, 8, 17, 0, 0, 0, time.UTC)
	in90Days = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC) // 90 days after value; the hour does not count
)

func mk(rate, disc int64, dc DayCount) *Terms {
	return &Terms{AdvanceRateBP: rate, DiscountRateBP: disc, DayCount: dc, ValueDate: value, Expiry: expiry}
}

func TestCompute(t *testing.T) {
	for _, c := range []struct {
		name      string
		terms     *Terms
		face, fee uint64
		maturity  time.Time
		want      Advance
	}{
		{"90 % at 5 % ACT/360 for 90 days, fee 250.00", mk(9000, 500, ACT360), 100_000_000, 25_000, in90Days,
			Advance{Face: 100_000_000, Days: 90, Gross: 90_000_000, Discount: 1_125_000, Fee: 25_000, Advance: 88_850_000}},
		{"same at ACT/365", mk(9000, 500, ACT365), 100_000_000, 25_000, in90Days,
			// 90e6 × 0.05 × 90/365 = 1 109 589.04… → net 88 890 410.95… rounds down
			Advance{Face: 100_000_000, Days: 90, Gross: 90_000_000, Discount: 1_109_590, Fee: 25_000, Advance: 88_865_410}},
		{"one day, rounding down", mk(10_000, 1000, ACT365), 1001, 0, value.Add(24 * time.Hour),
			Advance{Face: 1001, Days: 1, Gross: 1001, Discount: 1, Fee: 0, Advance: 1000}},
		{"gross rounds down too", mk(9999, 0, ACT360), 3, 0, in90Days,
			Advance{Face: 3, Days: 90, Gross: 2, Discount: 0, Fee: 0, Advance: 2}},
		{"maturity on the value date: no interest", mk(8000, 900, ACT360), 1000, 10, value.Add(23 * time.Hour),
			Advance{Face: 1000, Days: 0, Gross: 800, Discount: 0, Fee: 10, Advance: 790}},
		{"zero face", mk(9000, 500, ACT360), 0, 0, in90Days, Advance{Days: 90}},
		{"fee takes all", mk(10_000, 0, ACT360), 500, 500, in90Days, Advance{Face: 500, Days: 90, Gross: 500, Fee: 500}},
		{"largest face at 100 % and 0 %", mk(10_000, 0, ACT365), math.MaxUint64, 0, in90Days,
			Advance{Face: math.MaxUint64, Days: 90, Gross: math.MaxUint64, Advance: math.MaxUint64}},
		{"largest face at 90 %, 10 % a year", mk(9000, 1000, ACT360), math.MaxUint64, 1, in90Days,
			Advance{Face: math.MaxUint64, Days: 90, Gross: 16602069666338596453, Discount: 415051741658464911, Fee: 1, Advance: 16187017924680131541}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Compute(c.terms, c.face, c.fee, c.maturity)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
			checkInvariants(t, c.terms, c.face, c.fee, c.maturity, got)
		})
	}
}

func TestComputeRefuses(t *testing.T) {
	bad := func(f func(*Terms)) *Terms { x := mk(9000, 500, ACT360); f(x); return x }
	for _, c := range []struct {
		name      string
		terms     *Terms
		face, fee uint64
		maturity  time.Time
		want      error
	}{
		{"advance rate above 100 %", bad(func(x *Terms) { x.AdvanceRateBP = 10_001 }), 100, 0, in90Days, ErrInvalid},
		{"negative advance rate", bad(func(x *Terms) { x.AdvanceRateBP = -1 }), 100, 0, in90Days, ErrInvalid},
		{"zero advance rate", bad(func(x *Terms) { x.AdvanceRateBP = 0 }), 100, 0, in90Days, ErrInvalid},
		{"negative discount rate", bad(func(x *Terms) { x.DiscountRateBP = -5 }), 100, 0, in90Days, ErrInvalid},
		{"discount rate out of bounds", bad(func(x *Terms) { x.DiscountRateBP = MaxAnnualRateBP + 1 }), 100, 0, in90Days, ErrInvalid},
		{"negative penalty rate", bad(func(x *Terms) { x.PenaltyRateBP = -1 }), 100, 0, in90Days, ErrInvalid},
		{"unknown day count", bad(func(x *Terms) { x.DayCount = "30/360" }), 100, 0, in90Days, ErrInvalid},
		{"value date not a date", bad(func(x *Terms) { x.ValueDate = value.Add(time.Hour) }), 100, 0, in90Days, ErrInvalid},
		{"no expiry", bad(func(x *Terms) { x.Expiry = time.Time{} }), 100, 0, in90Days, ErrInvalid},
		{"value date after maturity", mk(9000, 500, ACT360), 100, 0, value.Add(-time.Second), ErrInvalid},
		{"tenor above ten years", mk(9000, 500, ACT360), 100, 0, value.AddDate(11, 0, 0), ErrInvalid},
		{"interest of 100 % or more", mk(9000, 40_000, ACT360), 100, 0, in90Days, ErrNoAdvance},
		{"fee above the net advance", mk(9000, 500, ACT360), 100, 89, in90Days, ErrNoAdvance},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, err := Compute(c.terms, c.face, c.fee, c.maturity); !errors.Is(err, c.want) {
				t.Fatalf("got %+v, %v; want %v", got, err, c.want)
			}
		})
	}
}

// checkInvariants recomputes the rule with big integers.
func checkInvariants(t *testing.T, tm *Terms, face, fee uint64, maturity time.Time, got Advance) {
	t.Helper()
	days, err := Days(tm.ValueDate, maturity)
	if err != nil {
		t.Fatal(err)
	}
	year := big.NewInt(int64(tm.DayCount.Year()))
	// net = ⌊face·a·(10⁴·B − d·days) / (10⁸·B)⌋
	num := new(big.Int).SetUint64(face)
	num.Mul(num, big.NewInt(tm.AdvanceRateBP))
	num.Mul(num, new(big.Int).Sub(new(big.Int).Mul(big.NewInt(BP), year), new(big.Int).Mul(big.NewInt(tm.DiscountRateBP), new(big.Int).SetUint64(days))))
	den := new(big.Int).Mul(big.NewInt(BP*BP), year)
	net := new(big.Int).Quo(num, den)
	gross := new(big.Int).Quo(new(big.Int).Mul(new(big.Int).SetUint64(face), big.NewInt(tm.AdvanceRateBP)), big.NewInt(BP))
	if net.Uint64()-fee != got.Advance || gross.Uint64() != got.Gross || got.Gross-got.Discount-got.Fee != got.Advance {
		t.Fatalf("%+v: want net %s gross %s", got, net, gross)
	}
	if got.Advance > face || got.Gross > face {
		t.Fatalf("%+v above face", got)
	}
	// The chaincode's check: 0 ≤ face·K − M·(advance+fee) < M.
	c, err := CoefficientsFor(tm, maturity)
	if err != nil {
		t.Fatal(err)
	}
	x := new(big.Int).Mul(new(big.Int).SetUint64(face), new(big.Int).SetUint64(c.K))
	x.Sub(x, new(big.Int).Mul(new(big.Int).SetUint64(c.M), new(big.Int).Add(new(big.Int).SetUint64(got.Advance), new(big.Int).SetUint64(fee))))
	if x.Sign() < 0 || x.Cmp(new(big.Int).SetUint64(c.M)) >= 0 {
		t.Fatalf("remainder %s outside [0, M)", x)
	}
}

func TestCap(t *testing.T) {
	for _, c := range []struct {
		capBP         int64
		face, advance uint64
		within        bool
	}{
		{9000, 1000, 900, true}, {9000, 1000, 901, false}, {9000, 1001, 900, true}, {9000, 999, 900, false},
		{10_000, 5, 5, true}, {10_000, 5, 6, false}, {1, 10_000, 1, true}, {1, 9_999, 1, false},
		{9000, 0, 0, true}, {9000, 1, 1, false}, {7500, math.MaxUint64 / 3, math.MaxUint64 / 4, true},
	} {
		got, err := WithinCap(c.capBP, c.face, c.advance)
		if err != nil || got != c.within {
			t.Errorf("WithinCap(%d, %d, %d) = %v, %v; want %v", c.capBP, c.face, c.advance, got, err, c.within)
		}
	}
	if num, den, _ := CapCoefficients(9000); num != 9 || den != 10 {
		t.Errorf("9000 bp reduces to %d/%d, want 9/10", num, den)
	}
	if _, err := WithinCap(9000, math.MaxUint64, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("a face whose 9·face overflows: %v, want ErrInvalid", err)
	}
	for _, bad := range []int64{0, -1, 10_001} {
		if _, _, err := CapCoefficients(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("cap %d: %v", bad, err)
		}
	}
}

func FuzzCompute(f *testing.F) {
	f.Add(uint64(100_000_000), uint64(25_000), int64(9000), int64(500), false, uint16(90))
	f.Add(uint64(math.MaxUint64), uint64(0), int64(10_000), int64(0), true, uint16(0))
	f.Add(uint64(1), uint64(1), int64(1), int64(MaxAnnualRateBP), true, uint16(3660))
	f.Fuzz(func(t *testing.T, face, fee uint64, rate, disc int64, act365 bool, days uint16) {
		tm := mk(rate, disc, ACT360)
		if act365 {
			tm.DayCount = ACT365
		}
		maturity := value.AddDate(0, 0, int(days))
		got, err := Compute(tm, face, fee, maturity)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNoAdvance) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		checkInvariants(t, tm, face, fee, maturity, got)
	})
}

func TestOverdueInterest(t *testing.T) {
	tm := mk(9000, 500, ACT360)
	tm.PenaltyRateBP = 1200 // 12 % a year
	maturity := time.Date(2026, 6, 30, 15, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		amount uint64
		asOf   time.Time
		want   uint64
	}{
		{100_000, maturity, 0},
		{100_000, maturity.Add(-48 * time.Hour), 0},
		{100_000, maturity.Add(9 * time.Hour), 33},                          // the next day: 100 000 × 0.12 / 360 = 33.3…
		{36_000_000, time.Date(2026, 7, 30, 0, 0, 0, 0, time.UTC), 360_000}, // 30 days at 12 %/360
	} {
		got, err := OverdueInterest(tm, c.amount, maturity, c.asOf)
		if err != nil || got != c.want {
			t.Errorf("OverdueInterest(%d, %s) = %d, %v; want %d", c.amount, c.asOf, got, err, c.want)
		}
	}
	tm.PenaltyRateBP = MaxAnnualRateBP
	if _, err := OverdueInterest(tm, math.MaxUint64, maturity, maturity.AddDate(5, 0, 0)); !errors.Is(err, ErrInvalid) {
		t.Errorf("overflow: %v", err)
	}
}
