package invoice

import (
	"math"
	"strconv"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in, currency string
		want         int64
		wantErr      bool
	}{
		{"1000000.00", "EUR", 100000000, false},
		{"0.01", "EUR", 1, false},
		{"12", "EUR", 1200, false},
		{"12.5", "EUR", 1250, false},
		{"12.500", "EUR", 1250, false}, // trailing zeros are exact
		{"007.10", "EUR", 710, false},
		{"1500", "JPY", 1500, false},
		{"1500.0", "JPY", 1500, false},
		{"1.234", "KWD", 1234, false},
		{"92233720368547758.07", "EUR", math.MaxInt64, false},

		{"12.345", "EUR", 0, true}, // would need rounding
		{"12.001", "EUR", 0, true},
		{"1500.5", "JPY", 0, true},
		{"0", "EUR", 0, true},
		{"0.00", "EUR", 0, true},
		{"-5.00", "EUR", 0, true},
		{"+5.00", "EUR", 0, true},
		{"92233720368547758.08", "EUR", 0, true}, // 2^63 minor units
		{"99999999999999999999999", "EUR", 0, true},
		{"1e3", "EUR", 0, true},
		{"1,000.00", "EUR", 0, true},
		{" 1.00", "EUR", 0, true},
		{"1.", "EUR", 0, true},
		{".5", "EUR", 0, true},
		{"", "EUR", 0, true},
		{"١٢", "EUR", 0, true}, // non-ASCII digits
		{"NaN", "EUR", 0, true},
		{"1.00", "eur", 0, true},
		{"1.00", "EU", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in, tt.currency)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d, error %v", tt.in, tt.currency, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFormatAmountRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{1, "EUR", "0.01"},
		{100000000, "EUR", "1000000.00"},
		{-250, "EUR", "-2.50"},
		{1500, "JPY", "1500"},
		{1, "KWD", "0.001"},
		{math.MaxInt64, "EUR", "92233720368547758.07"},
		{math.MinInt64, "EUR", "-92233720368547758.08"},
	} {
		got := FormatAmount(tt.minor, tt.currency)
		if got != tt.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", tt.minor, tt.currency, got, tt.want)
		}
		if tt.minor > 0 {
			back, err := ParseAmount(got, tt.currency)
			if err != nil || back != tt.minor {
				t.Errorf("ParseAmount(FormatAmount(%d)) = %d, %v", tt.minor, back, err)
			}
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1.00", "0.001", "92233720368547758.07", "-1", "1e9", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseAmount(s, "EUR")
		if err != nil {
			return
		}
		if v <= 0 {
			t.Fatalf("ParseAmount(%q) = %d, want > 0", s, v)
		}
		// Exact: formatting and parsing again gives the same value.
		if back, err := ParseAmount(FormatAmount(v, "EUR"), "EUR"); err != nil || back != v {
			t.Fatalf("round trip of %q: %d → %q → %d, %v", s, v, FormatAmount(v, "EUR"), back, err)
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			t.Fatalf("ParseAmount accepted %q, which is not even a number", s)
		}
	})
}

func TestFormatMinor(t *testing.T) {
	tests := []struct {
		v    uint64
		dec  int
		want string
	}{
		{0, 2, "0.00"}, {5, 2, "0.05"}, {99, 2, "0.99"}, {100, 2, "1.00"}, {100_000_000, 2, "1000000.00"},
		{math.MaxUint64, 2, "184467440737095516.15"}, {1 << 63, 2, "92233720368547758.08"},
		{1234, 0, "1234"}, {7, 0, "7"}, {7, 3, "0.007"}, {12, 3, "0.012"},
	}
	for _, tc := range tests {
		if got := FormatMinor(tc.v, tc.dec); got != tc.want {
			t.Errorf("FormatMinor(%d, %d) = %q, want %q", tc.v, tc.dec, got, tc.want)
		}
	}
}
