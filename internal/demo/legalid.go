package demo

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// CoreLegalID is the founding core enterprise's (carmaker's) legal ID.
const CoreLegalID = "0192:987123451"

// supplierNumbers are the first run's suppliers' organisation numbers.
var supplierNumbers = [3]string{"915600123", "915600468", "915600786"}

// SupplierLegalID is the legal ID of the story's supplier i (0, 1 or 2) in a
// run with this suffix: a Norwegian organisation number, valid under its
// mod-11 check as onboarding requires, the same for the same suffix and
// distinct across suffixes, so that every run onboards new enterprises.
func SupplierLegalID(i int, suffix string) string {
	if suffix == "" {
		return "0192:" + supplierNumbers[i]
	}
	seed := sha256.Sum256(fmt.Appendf(nil, "tierchain demo supplier %d %s", i, suffix))
	n := binary.BigEndian.Uint64(seed[:8]) % 10_000_000
	for {
		body := fmt.Sprintf("9%07d", n)
		if d, ok := orgNumberCheck(body); ok {
			return fmt.Sprintf("0192:%s%d", body, d)
		}
		n = (n + 1) % 10_000_000
	}
}

// orgNumberCheck is the mod-11 check digit of an eight-digit organisation
// number body; ok is false when none exists (remainder 1).
func orgNumberCheck(body string) (int, bool) {
	weights := [8]int{3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, w := range weights {
		sum += w * int(body[i]-'0')
	}
	switch r := sum % 11; r {
	case 0:
		return 0, true
	case 1:
		return 0, false
	default:
		return 11 - r, true
	}
}
