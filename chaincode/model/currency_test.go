package model

import (
	"errors"
	"testing"
	"time"
)

func TestCurrencyTable(t *testing.T) {
	for code, exp := range map[string]int{
		"CNY": 2, "USD": 2, "EUR": 2, "NOK": 2, "JPY": 0, "GBP": 2, "HKD": 2, "KRW": 0,
		"SGD": 2, "CHF": 2, "SEK": 2, "DKK": 2, "KWD": 3, "CLF": 4,
	} {
		if !ValidCurrency(code) {
			t.Errorf("ValidCurrency(%q) = false", code)
		}
		if got := MinorUnitExponent(code); got != exp {
			t.Errorf("MinorUnitExponent(%q) = %d, want %d", code, got, exp)
		}
	}
	for _, code := range []string{"", "cny", "CN", "CNYY", "XAU", "XXX", "ABC", "ÇNY"} {
		if ValidCurrency(code) {
			t.Errorf("ValidCurrency(%q) = true", code)
		}
	}
	for code := range iso4217 {
		if len(code) != 3 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' || code[2] < 'A' || code[2] > 'Z' {
			t.Errorf("table entry %q is not three upper-case letters", code)
		}
	}
}

func TestSameCurrency(t *testing.T) {
	if err := SameCurrency("invoice", "CNY", "CNY"); err != nil {
		t.Fatal(err)
	}
	if err := SameCurrency("invoice", "", ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"CNY", "USD"}, {"", "CNY"}, {"CNY", ""}} {
		err := SameCurrency("invoice", c[0], c[1])
		if !errors.Is(err, ErrCurrencyMismatch) || CodeOf(err) != CodeCurrencyMismatch {
			t.Errorf("SameCurrency(%q, %q) = %v, want CURRENCY_MISMATCH", c[0], c[1], err)
		}
		if pe := ParseError("chaincode response 500, " + err.Error()); pe == nil || pe.Code != CodeCurrencyMismatch {
			t.Errorf("ParseError lost the code of %v", err)
		}
	}
}

func TestCurrencyValidation(t *testing.T) {
	g := GrantCreditLineRequest{Core: "core1", Limit: 1, Expiry: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := g.Validate(); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("grant without currency: %v", err)
	}
	g.Currency = "CNY"
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	g.Currency = "cny"
	if err := g.Validate(); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("grant in cny: %v", err)
	}
}
