package invoice

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/tierchain/tierchain/chaincode/model"
)

// maxAmountLen bounds the text of one amount; 2^63 has 19 digits.
const maxAmountLen = 40

// validCurrency reports whether code is an ISO 4217 code of the table the
// ledger uses (chaincode/model): the one table of currencies and their
// minor units.
func validCurrency(code string) bool { return model.ValidCurrency(code) }

// MinorUnitExponent returns how many decimals currency's minor unit has
// (model.MinorUnitExponent: 2 for CNY, 0 for JPY, 3 for KWD).
func MinorUnitExponent(currency string) int { return model.MinorUnitExponent(currency) }

var (
	errAmountSyntax   = errors.New("must be a decimal number such as 1234.50, without sign, exponent or separators")
	errAmountDecimals = errors.New("has more decimals than the currency's minor unit; amounts are never rounded")
	errAmountRange    = errors.New("is too large")
)

// parseMinor converts a decimal string to integer minor units of a currency
// with exp decimals, exactly: no floating point, no rounding. Decimals beyond
// exp are accepted only when they are zeros. An optional leading '-' is
// allowed when signed is true.
func parseMinor(s string, exp int, signed bool) (int64, error) {
	if len(s) == 0 || len(s) > maxAmountLen {
		return 0, errAmountSyntax
	}
	neg := false
	if signed && s[0] == '-' {
		neg, s = true, s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return 0, errAmountSyntax
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return 0, errAmountDecimals
		}
		frac = frac[:exp]
	}
	frac += strings.Repeat("0", exp-len(frac))
	intPart = strings.TrimLeft(intPart, "0")
	digits := intPart + frac
	if digits == "" {
		return 0, nil
	}
	// ParseUint's range check is exact; then the int64 bound.
	u, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || u > math.MaxInt64 {
		return 0, errAmountRange
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseAmount converts a decimal amount of currency to minor units, exactly.
// The amount must be positive: 0 < amount < 2^63 minor units.
func ParseAmount(s, currency string) (int64, error) {
	if !validCurrency(currency) {
		return 0, errors.New("invoice: bad currency code")
	}
	return ParseMinorUnits(s, MinorUnitExponent(currency))
}

// ParseMinorUnits converts a positive decimal amount with at most decimals
// places to minor units, exactly: for an amount whose currency is not
// named (a legacy record's, two decimals).
func ParseMinorUnits(s string, decimals int) (int64, error) {
	v, err := parseMinor(s, decimals, false)
	if err != nil {
		return 0, err
	}
	if v == 0 {
		return 0, errors.New("must be greater than zero")
	}
	return v, nil
}

// FormatAmount renders minor units of currency as a decimal string with
// exactly the currency's number of decimals.
func FormatAmount(minor int64, currency string) string {
	if minor < 0 {
		return "-" + FormatMinor(-uint64(minor), MinorUnitExponent(currency))
	}
	return FormatMinor(uint64(minor), MinorUnitExponent(currency))
}

// FormatMinor writes v minor units as a decimal with decimals places
// (FormatMinor(100000000, 2) = "1000000.00"), exactly, over the whole
// uint64 range (ledger amounts go up to 2^64 − 1).
func FormatMinor(v uint64, decimals int) string {
	s := strconv.FormatUint(v, 10)
	if decimals <= 0 {
		return s
	}
	if len(s) <= decimals {
		s = strings.Repeat("0", decimals-len(s)+1) + s
	}
	return s[:len(s)-decimals] + "." + s[len(s)-decimals:]
}

// addMinor adds with an overflow check.
func addMinor(a, b int64) (int64, bool) {
	c := a + b
	if (b > 0 && c < a) || (b < 0 && c > a) {
		return 0, false
	}
	return c, true
}
