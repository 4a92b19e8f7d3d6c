package demo

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// CoreLegalID is the founding core enterprise's (carmaker's, 华东汽车制造有限公司)
// legal ID: its unified social credit code, as internal/fabnet registers it.
const CoreLegalID = "USCC:91310115MA1HD04170"

// supplierCodes are the first run's suppliers' unified social credit codes.
var supplierCodes = [3]string{"91320594MA1QT01018", "91320206MA1WX0202L", "91320411MA1CX0303M"}

// SupplierNames are the story's suppliers, tier 1 to tier 3.
var SupplierNames = [3]string{"苏州精密零部件有限公司", "无锡华源机械有限公司", "常州金属制品有限公司"}

// usccAlphabet is GB 32100-2015's alphabet: digits and the upper-case
// letters without I, O, S, V and Z.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// SupplierLegalID is the legal ID of the story's supplier i (0, 1 or 2) in a
// run with this suffix: a Chinese unified social credit code (18
// characters, GB 32100-2015 check character), valid as onboarding
// requires, the same for the same suffix and distinct across suffixes, so
// that every run onboards new enterprises.
func SupplierLegalID(i int, suffix string) string {
	if suffix == "" {
		return "USCC:" + supplierCodes[i]
	}
	// 91 (enterprise), 320500 (Suzhou), MA and seven characters drawn
	// from the run: 17, then the check character.
	seed := sha256.Sum256(fmt.Appendf(nil, "tierchain demo supplier %d %s", i, suffix))
	var b strings.Builder
	b.WriteString("91320500MA")
	for _, x := range seed[:7] {
		b.WriteByte(usccAlphabet[int(x)%len(usccAlphabet)])
	}
	return "USCC:" + b.String() + string(usccCheck(b.String()))
}

// usccCheck is the check character of a code's first 17 characters:
// weights 3^i mod 31, check (31 − Σ mod 31) mod 31.
func usccCheck(body string) byte {
	sum, w := 0, 1
	for i := range 17 {
		sum += strings.IndexByte(usccAlphabet, body[i]) * w
		w = w * 3 % 31
	}
	return usccAlphabet[(31-sum%31)%31]
}
