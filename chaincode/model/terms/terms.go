// Package terms is the arithmetic of a bank's financing terms: from a face
// value, an advance rate, an annual discount rate with its day-count basis
// and a fee, the advance the holder receives, in integer minor units.
//
// One rounding rule (docs/crypto/financing.md): the net advance before fees,
//
//	net = face × a/10⁴ × (1 − d/10⁴ × days/B)
//	    = face × K / M,  K = a × (10⁴·B − d·days),  M = 10⁸·B
//
// is computed exactly in 128-bit integers and rounded down to a whole minor
// unit once; the advance is net − fee. Gross (face × a/10⁴, rounded down)
// and the discount (gross − net) are shown so that the parts add up
// exactly: advance = gross − discount − fee. Rounding down is in the
// bank's favour by less than one minor unit, and it is the same on every
// side: holder, bank and the chaincode's proof (which checks
// 0 ≤ face·K − M·(advance + fee) < M on commitments).
//
// The package is pure: no clock, no randomness, no panics on any input.
package terms

import (
	"errors"
	"fmt"
	"math/bits"
	"time"
)

// DayCount is the day-count basis of the discount interest: actual days
// over a 360- or 365-day year.
type DayCount string

// Day-count bases.
const (
	ACT360 DayCount = "ACT/360"
	ACT365 DayCount = "ACT/365"
)

// Year is the basis's days per year (0 for an unknown basis).
func (d DayCount) Year() uint64 {
	switch d {
	case ACT360:
		return 360
	case ACT365:
		return 365
	}
	return 0
}

// Bounds on terms. Rates are in basis points (1 bp = 0.01 %).
const (
	BP = 10_000 // basis points in 100 %
	// MaxAnnualRateBP bounds the discount and penalty rates (1000 % a
	// year): far above any bank's price, and it keeps every product well
	// inside 128 bits.
	MaxAnnualRateBP = 100_000
	// MaxTenorDays bounds the days from value date to maturity (ten years).
	MaxTenorDays = 3660
)

// Errors, matched with errors.Is.
var (
	// ErrInvalid: a rate, basis or date outside its bounds.
	ErrInvalid = errors.New("terms: invalid")
	// ErrNoAdvance: discount interest and fees consume the whole advance.
	ErrNoAdvance = errors.New("terms: interest and fees exceed the advance")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Terms are a bank's public financing terms. The fee is an amount, and
// like every amount it is confidential: it is not part of Terms.
type Terms struct {
	AdvanceRateBP  int64     `json:"advanceRateBp"`  // share of face advanced, 1..10 000
	DiscountRateBP int64     `json:"discountRateBp"` // annual discount rate, 0..MaxAnnualRateBP
	DayCount       DayCount  `json:"dayCount"`       // ACT/360 or ACT/365
	PenaltyRateBP  int64     `json:"penaltyRateBp"`  // annual overdue rate after maturity, 0..MaxAnnualRateBP
	Recourse       bool      `json:"recourse"`       // the bank may claim against the seller on default
	ValueDate      time.Time `json:"valueDate"`      // the day the advance is paid (UTC midnight)
	Expiry         time.Time `json:"expiry"`         // the bank must approve by then
}

// Validate checks the terms' own bounds (not their dates against a clock).
func (t *Terms) Validate() error {
	switch {
	case t.AdvanceRateBP < 1 || t.AdvanceRateBP > BP:
		return invalid("advance rate %d bp: must be 1..%d (at most 100 %%)", t.AdvanceRateBP, BP)
	case t.DiscountRateBP < 0 || t.DiscountRateBP > MaxAnnualRateBP:
		return invalid("discount rate %d bp: must be 0..%d", t.DiscountRateBP, MaxAnnualRateBP)
	case t.PenaltyRateBP < 0 || t.PenaltyRateBP > MaxAnnualRateBP:
		return invalid("penalty rate %d bp: must be 0..%d", t.PenaltyRateBP, MaxAnnualRateBP)
	case t.DayCount.Year() == 0:
		return invalid("day count %q: must be %s or %s", t.DayCount, ACT360, ACT365)
	case !isDate(t.ValueDate):
		return invalid("value date: must be a UTC midnight")
	case t.Expiry.IsZero() || t.Expiry.Nanosecond() != 0 || t.Expiry.Unix() <= 0:
		return invalid("expiry: required, whole seconds")
	}
	return nil
}

func isDate(t time.Time) bool {
	return !t.IsZero() && t.Unix() > 0 && t.Unix()%86400 == 0
}

// Days is the actual number of days from the value date to maturity's UTC
// date (ACT: calendar days, no adjustment).
func Days(valueDate, maturity time.Time) (uint64, error) {
	m := maturity.UTC().Truncate(24 * time.Hour)
	if maturity.Unix() < valueDate.Unix() {
		return 0, invalid("value date %s is after maturity %s", valueDate.UTC().Format(time.DateOnly), m.Format(time.DateOnly))
	}
	d := (m.Unix() - valueDate.UTC().Truncate(24*time.Hour).Unix()) / 86400
	if d < 0 || d > MaxTenorDays {
		return 0, invalid("%d days to maturity: must be 0..%d", d, MaxTenorDays)
	}
	return uint64(d), nil
}

// Coefficients are the integers of the one rounding rule: the net advance
// before fees is ⌊face·K/M⌋.
type Coefficients struct {
	K, M uint64
}

// CoefficientsFor returns K and M for terms financing a piece maturing at
// maturity. K ≤ M < 2^36.
func CoefficientsFor(t *Terms, maturity time.Time) (Coefficients, error) {
	if err := t.Validate(); err != nil {
		return Coefficients{}, err
	}
	days, err := Days(t.ValueDate, maturity)
	if err != nil {
		return Coefficients{}, err
	}
	year := t.DayCount.Year()
	full := uint64(BP) * year                   // ≤ 3.65e6
	interest := uint64(t.DiscountRateBP) * days // ≤ 1e5 × 3660 = 3.66e8
	if interest >= full {
		return Coefficients{}, fmt.Errorf("%w: %d bp a year over %d days is 100 %% or more", ErrNoAdvance, t.DiscountRateBP, days)
	}
	return Coefficients{K: uint64(t.AdvanceRateBP) * (full - interest), M: uint64(BP) * uint64(BP) * year}, nil
}

// NetOf returns ⌊face·K/M⌋ and the remainder face·K − M·net (< M).
func (c Coefficients) NetOf(face uint64) (net, rem uint64, err error) {
	if c.M == 0 || c.K > c.M {
		return 0, 0, invalid("coefficients K=%d M=%d", c.K, c.M)
	}
	hi, lo := bits.Mul64(face, c.K)
	// K ≤ M, so the quotient is at most face < 2^64: hi < M, and Div64
	// cannot overflow.
	net, rem = bits.Div64(hi, lo, c.M)
	return net, rem, nil
}

// Advance is what a financing pays, in minor units.
type Advance struct {
	Face     uint64 `json:"face"`
	Days     uint64 `json:"days"`
	Gross    uint64 `json:"gross"`    // ⌊face × advance rate⌋
	Discount uint64 `json:"discount"` // gross − net: the discount interest to maturity, after rounding
	Fee      uint64 `json:"fee"`
	Advance  uint64 `json:"advance"` // gross − discount − fee = ⌊face·K/M⌋ − fee
}

// Compute returns the advance on face under t for a piece maturing at
// maturity, with fee. It fails with ErrInvalid for terms out of bounds and
// ErrNoAdvance when interest and fee leave nothing (never a negative
// advance); the advance is never above face.
func Compute(t *Terms, face, fee uint64, maturity time.Time) (Advance, error) {
	c, err := CoefficientsFor(t, maturity)
	if err != nil {
		return Advance{}, err
	}
	days, _ := Days(t.ValueDate, maturity) // checked by CoefficientsFor
	net, _, err := c.NetOf(face)
	if err != nil {
		return Advance{}, err
	}
	hi, lo := bits.Mul64(face, uint64(t.AdvanceRateBP))
	gross, _ := bits.Div64(hi, lo, BP) // rate ≤ BP: hi < BP
	if fee > net {
		return Advance{}, fmt.Errorf("%w: fee %d is more than the net advance %d", ErrNoAdvance, fee, net)
	}
	return Advance{Face: face, Days: days, Gross: gross, Discount: gross - net, Fee: fee, Advance: net - fee}, nil
}

// CapCoefficients reduces a policy cap of capBP basis points to the
// smallest integers (num, den) with num/den = capBP/10⁴: the chaincode
// proves num·face − den·advance ≥ 0 as a 64-bit range, which an honest
// holder can prove while num·face < 2^64.
func CapCoefficients(capBP int64) (num, den uint64, err error) {
	if capBP < 1 || capBP > BP {
		return 0, 0, invalid("cap %d bp: must be 1..%d", capBP, BP)
	}
	g := gcd(uint64(capBP), BP)
	return uint64(capBP) / g, BP / g, nil
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// WithinCap reports whether advance ≤ capBP/10⁴ × face, exactly. It fails
// with ErrInvalid when num·face ≥ 2^64: the cap's 64-bit range proof could
// not carry such a face.
func WithinCap(capBP int64, face, advance uint64) (bool, error) {
	num, den, err := CapCoefficients(capBP)
	if err != nil {
		return false, err
	}
	nh, nl := bits.Mul64(num, face)
	dh, dl := bits.Mul64(den, advance)
	if nh != 0 {
		return false, invalid("face %d is too large for a %d bp cap's proof", face, capBP)
	}
	return dh == 0 && dl <= nl, nil
}

// OverdueInterest is the interest an unpaid amount owes at the terms'
// penalty rate from maturity's date to asOf's date (ACT on the terms'
// basis), rounded down to a minor unit: ⌊amount·p·days / (10⁴·B)⌋. It is 0
// up to maturity's date.
func OverdueInterest(t *Terms, amount uint64, maturity, asOf time.Time) (uint64, error) {
	if err := t.Validate(); err != nil {
		return 0, err
	}
	m := maturity.UTC().Truncate(24 * time.Hour)
	a := asOf.UTC().Truncate(24 * time.Hour)
	if !a.After(m) {
		return 0, nil
	}
	days := uint64(a.Sub(m) / (24 * time.Hour))
	if days > MaxTenorDays {
		return 0, invalid("%d days overdue: at most %d", days, MaxTenorDays)
	}
	// amount·p·days < 2^64 · 2^17 · 2^12: 128 bits; the quotient is at
	// most amount·p·days/(10⁴·360) < amount·(10^5·3660)/(3.6·10^6) ≈ 102·amount,
	// which can exceed 2^64: bound it.
	hi, lo := bits.Mul64(amount, uint64(t.PenaltyRateBP)*days)
	d := uint64(BP) * t.DayCount.Year()
	if hi >= d {
		return 0, invalid("overdue interest on %d exceeds 2^64", amount)
	}
	q, _ := bits.Div64(hi, lo, d)
	return q, nil
}
