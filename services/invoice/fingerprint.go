package invoice

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// FingerprintDomain separates this encoding from every other hashed or
// OPRF-evaluated input. A change to the encoding is a new version: the old
// one must keep producing the same bytes (FingerprintInputV1 does), or
// invoices registered under it could be registered again.
//
// v2 keys an invoice by what identifies it and nothing a forger can nudge:
// the canonical seller and buyer and the canonical number. v1 also held the
// issue date, the currency and the amount, so one cent more or one day
// later made a "new" invoice, and the OPRF endpoint could be asked to test
// guessed amounts.
const FingerprintDomain = "tierchain/invoice-fingerprint/v2"

// FingerprintDomainV1 is the frozen first encoding's domain.
const FingerprintDomainV1 = "tierchain/invoice-fingerprint/v1"

// FingerprintKey is what identifies an invoice: its seller, its buyer and
// its number, each in canonical form (CanonicalPartyID or PartyKey for the
// parties, NumberKey for the number).
type FingerprintKey struct {
	Seller, Buyer, Number string
}

// KeyOf returns the fingerprint key of a parsed invoice. The gateway first
// replaces the parties' IDs with the registered legal IDs they were checked
// against, so that a document naming a party without its scheme keys the
// same as one naming it in full.
func KeyOf(inv *Invoice) FingerprintKey {
	return FingerprintKey{Seller: PartyKey(inv.Seller.ID), Buyer: PartyKey(inv.Buyer.ID), Number: NumberKey(inv.Number)}
}

// Input is the canonical encoding of the key, the input the OPRF turns into
// the invoice's ledger fingerprint:
//
//	field(FingerprintDomain) || field(Seller) || field(Buyer) || field(Number)
//
// where field(s) = uint32be(len(s)) || s. Length prefixes make it
// unambiguous. The amount, the currency and the dates are left out: they
// are what a forger nudges to make one invoice look like two, and the
// near-duplicate review (same parties, amount within 1 %, issue date within
// 7 days) covers invoices whose numbers differ.
func (k FingerprintKey) Input() []byte {
	n := 4*4 + len(FingerprintDomain) + len(k.Seller) + len(k.Buyer) + len(k.Number)
	b := make([]byte, 0, n)
	for _, s := range []string{FingerprintDomain, k.Seller, k.Buyer, k.Number} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// KeysFor returns an invoice's canonical keys, its main key first: the
// parties folded by PartyKey with the number as NumberKey folds it, then,
// when it keys otherwise, the number with every separator removed before
// folding. NumberKey drops leading zeros per run of digits, so a number
// retyped by zero-padding a run ("INV-2026-000500") keys like the original
// ("INV-2026-0500"), but one retyped by removing a separator before a run
// that starts with zero ("INV20260500") keys like the second key only. The
// ledger reserves both (the second as an alias), so either retyping
// collides with the registration.
func KeysFor(seller, buyer, number string) []FingerprintKey {
	main := FingerprintKey{Seller: PartyKey(seller), Buyer: PartyKey(buyer), Number: NumberKey(number)}
	joined := main
	joined.Number = NumberKey(strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			return r
		}
		return -1
	}, norm.NFKC.String(number)))
	if joined == main {
		return []FingerprintKey{main}
	}
	return []FingerprintKey{main, joined}
}

// FingerprintInput is KeyOf(inv).Input().
func FingerprintInput(inv *Invoice) []byte { return KeyOf(inv).Input() }

// FingerprintInputV1 is the frozen v1 encoding, kept so that its bytes can be
// checked against the golden file and old fingerprints recomputed:
//
//	field(v1 domain) || field(seller ID) || field(buyer ID)
//	|| field(NumberKeyV1(number)) || field(issue date YYYY-MM-DD)
//	|| field(currency) || uint64be(amount in minor units)
func FingerprintInputV1(inv *Invoice) []byte {
	number := NumberKeyV1(inv.Number)
	date := inv.IssueDate.Format(DateLayout)
	n := 6*4 + len(FingerprintDomainV1) + len(inv.Seller.ID) + len(inv.Buyer.ID) +
		len(number) + len(date) + len(inv.Currency) + 8
	b := make([]byte, 0, n)
	for _, s := range []string{FingerprintDomainV1, inv.Seller.ID, inv.Buyer.ID, number, date, inv.Currency} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return binary.BigEndian.AppendUint64(b, uint64(inv.AmountMinor))
}

// NumberKeyV1 is v1's number folding: NFKC, trimmed, case folded.
func NumberKeyV1(number string) string {
	s := norm.NFKC.String(number)
	s = strings.TrimSpace(s)
	return cases.Fold().String(s)
}

// NumberKey is the canonical form of an invoice number, the same for every
// way people retype one number:
//
//   - Unicode NFKC and full case folding (full-width forms, ligatures,
//     superscripts, upper and lower case);
//   - decimal digits of every script read as ASCII digits;
//   - leading zeros of each run of digits dropped ("INV-007" is "INV-7"; a
//     run of zeros is one zero);
//   - then everything that is neither a letter nor a digit removed: spaces
//     and whitespace of every kind, dashes of every kind (hyphen, en dash,
//     em dash, minus sign), slashes, dots, format characters.
//
// Leading zeros are dropped per run before separators are removed, so
// "NK-2026-00417" and "NK 2026 417" agree; a number retyped by both
// removing a separator and zero-padding the run after it can differ, which
// the near-duplicate review catches. Two numbers that differ only by
// separators are one number to TierChain: a seller's numbering must not
// rely on punctuation alone.
func NumberKey(number string) string {
	// Removing a separator can bring a letter and a combining mark together,
	// which NFKC then composes: fold until nothing changes (twice in
	// practice), so that the key of a key is the key.
	k := numberKeyOnce(number)
	for range 4 {
		next := numberKeyOnce(k)
		if next == k {
			break
		}
		k = next
	}
	return k
}

func numberKeyOnce(number string) string {
	s := cases.Fold().String(norm.NFKC.String(number))
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	inRun, leading, zeros := false, false, false
	flush := func() {
		if inRun && leading && zeros {
			b.WriteByte('0')
		}
		inRun, leading, zeros = false, false, false
	}
	for _, r := range s {
		if d, ok := digitValue(r); ok {
			if !inRun {
				inRun, leading = true, true
			}
			if leading && d == 0 {
				zeros = true
				continue
			}
			leading = false
			b.WriteByte(byte('0' + d))
			continue
		}
		flush()
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) {
			b.WriteRune(r)
		}
	}
	flush()
	return b.String()
}

// digitValue returns the value of a decimal digit of any script (Unicode
// category Nd, whose ranges run in whole decades from a zero).
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if r < 0x80 || !unicode.Is(unicode.Nd, r) {
		return 0, false
	}
	for _, rg := range unicode.Nd.R16 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi {
			return int(r-lo) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if lo, hi := rune(rg.Lo), rune(rg.Hi); r >= lo && r <= hi {
			return int(r-lo) % 10, true
		}
	}
	return 0, false
}

// DocumentHash is the SHA-256 of a document exactly as uploaded.
func DocumentHash(doc []byte) [32]byte {
	return sha256.Sum256(doc)
}
