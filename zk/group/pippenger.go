package group

import (
	"github.com/bwesterb/go-ristretto/edwards25519"
)

// pippengerThreshold is the number of points from which the bucket method
// beats Straus here (measured: BenchmarkVarTimeMultiScalarMult; see
// docs/crypto/msm.md).
const pippengerThreshold = 160

// pippengerWindow picks the digit width c for n points.
func pippengerWindow(n int) uint {
	switch {
	case n < 500:
		return 6
	case n < 800:
		return 7
	case n < 4000:
		return 8
	default:
		return 9
	}
}

// signedDigits returns the radix-2^c digits of s, each in [−2^(c−1), 2^(c−1)),
// least significant first; windows = ⌈256/c⌉ + 1 covers the final carry.
func signedDigits(s *[32]byte, c uint, out []int32) {
	windows := len(out)
	var carry int32
	for k := 0; k < windows; k++ {
		bit := uint(k) * c
		var v uint64
		for b := uint(0); b < c; b++ {
			pos := bit + b
			if pos < 256 {
				v |= uint64(s[pos/8]>>(pos%8)&1) << b
			}
		}
		d := int32(v) + carry
		carry = (d + (1 << (c - 1))) >> c
		out[k] = d - carry<<c
	}
}

// pippenger computes Σ scalars[i]·points[i] with the bucket method (signed
// digits, 2^(c−1) buckets a window, inputs in affine Niels form). Variable
// time. Zero scalars are skipped by the caller.
func pippenger(scalars []*Scalar, points []*Element) edwards25519.ExtendedPoint {
	n := len(points)
	c := pippengerWindow(n)
	windows := int((256+c-1)/c) + 1
	digits := make([]int32, n*windows)
	var b [32]byte
	for i, s := range scalars {
		s.s.BytesInto(&b)
		signedDigits(&b, c, digits[i*windows:(i+1)*windows])
	}
	ext := make([]edwards25519.ExtendedPoint, n)
	for i := range points {
		ext[i] = points[i].p
	}
	niels := make([]edwards25519.NielsPoint, n)
	toNiels(ext, niels)

	buckets := make([]edwards25519.ExtendedPoint, 1<<(c-1))
	var acc, running, sum edwards25519.ExtendedPoint
	acc.SetZero()
	var cp edwards25519.CompletedPoint
	for k := windows - 1; k >= 0; k-- {
		for j := uint(0); j < c && k != windows-1; j++ {
			cp.DoubleExtended(&acc)
			acc.SetCompleted(&cp)
		}
		for j := range buckets {
			buckets[j].SetZero()
		}
		used := false
		for i := 0; i < n; i++ {
			d := digits[i*windows+k]
			switch {
			case d > 0:
				cp.AddExtendedNiels(&buckets[d-1], &niels[i])
				buckets[d-1].SetCompleted(&cp)
				used = true
			case d < 0:
				cp.SubExtendedNiels(&buckets[-d-1], &niels[i])
				buckets[-d-1].SetCompleted(&cp)
				used = true
			}
		}
		if !used {
			continue
		}
		// Σ j·bucket[j] as a running sum from the top bucket down.
		running.SetZero()
		sum.SetZero()
		for j := len(buckets) - 1; j >= 0; j-- {
			running.Add(&running, &buckets[j])
			sum.Add(&sum, &running)
		}
		acc.Add(&acc, &sum)
	}
	return acc
}
