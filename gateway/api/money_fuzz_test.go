package api

import (
	"testing"
)

// FuzzAmount: the amount parsers take any request text without panicking;
// what parseAmount accepts, amountSyntax accepts too (so checking the
// syntax before the ledger never refuses a valid amount), and it formats
// back to the same value.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{"1000000.00", "400000", "0.01", "0", "0.00", "-5", "1.2.3", "1e6", "", ".5", "5.",
		"18446744073709551615", "00012.50", "1 000,00", "１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		syntaxErr := amountSyntax("amount", s)
		for _, cur := range []string{"CNY", "JPY", "KWD", ""} {
			v, err := parseAmount("amount", s, cur)
			if err != nil {
				continue
			}
			if syntaxErr != nil {
				t.Fatalf("%q: parseAmount(%s) = %d but amountSyntax refuses it: %v", s, cur, v, syntaxErr)
			}
			if v == 0 {
				t.Fatalf("%q in %s: zero accepted", s, cur)
			}
			m := NewMoney(v, cur)
			if back, err := parseAmount("amount", m.Decimal, cur); err != nil || back != v {
				t.Fatalf("%q in %s: %d formats to %q, which parses to %d, %v", s, cur, v, m.Decimal, back, err)
			}
		}
	})
}
