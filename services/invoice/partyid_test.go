package invoice

import (
	"errors"
	"testing"
	"unicode/utf8"
)

func TestNumberKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"NK-2026-417", "nk2026417"},
		{"NK2026417", "nk2026417"},
		{"NK - 2026  417", "nk2026417"},
		{"  NK-2026-417 \t", "nk2026417"},
		{"NK\u20132026\u2014417", "nk2026417"}, // en dash, em dash
		{"NK\u22122026\u2010417", "nk2026417"}, // minus sign, hyphen
		{"NK-2026-000417", "nk2026417"},        // leading zeros of a run
		{"nk-02026-0417", "nk2026417"},         // of every run
		{"NK/2026.417", "nk2026417"},           // slashes and dots
		{"NK\u00a02026\u200b417", "nk2026417"}, // no-break and zero-width space
		{"ＮＫ－２０２６－４１７", "nk2026417"},           // full width (NFKC)
		{"NK-٢٠٢٦-٤١٧", "nk2026417"},           // Arabic-Indic digits
		{"INV-000", "inv0"},                    // a run of zeros is one zero
		{"0", "0"},                             //
		{"Straße-7", "strasse7"},               // full case folding
		{"ﬁ-1", "fi1"},                         // ligature (NFKC)
		{"INV-10", "inv10"},                    // inner and trailing zeros stay
		{"e-\u0301", "\u00e9"},                 // a mark joins its letter once the dash goes
		{"---", ""},                            //
	} {
		if got := NumberKey(tc.in); got != tc.want {
			t.Errorf("NumberKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, pair := range [][2]string{{"INV-1", "INV-10"}, {"INV-1", "INV-2"}, {"A-1", "B-1"}, {"1-A", "1-AA"}} {
		if NumberKey(pair[0]) == NumberKey(pair[1]) {
			t.Errorf("%q and %q have one key", pair[0], pair[1])
		}
	}
}

func TestCanonicalPartyID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0192:915600123", "0192:915600123"},
		{"0192: 915 600 123", "0192:915600123"},
		{"0192:915-600-123", "0192:915600123"},
		{"０１９２:９１５６００１２３", "0192:915600123"}, // full width
		{"915600123", "0192:915600123"},      // bare, only 0192 fits
		{"0088:5790000435968", "0088:5790000435968"},
		{"5790000435968", "0088:5790000435968"},
		{"0199:5493001KJTIIGC8Y1R12", "0199:5493001KJTIIGC8Y1R12"},
		{"0199:5493001kjtiigc8y1r12", "0199:5493001KJTIIGC8Y1R12"},
		{"USCC:91350100M000100Y43", "USCC:91350100M000100Y43"},
		{"cn-uscc:91350100m000100y43", "USCC:91350100M000100Y43"},
		{"91350100M000100Y43", "USCC:91350100M000100Y43"},
		{"9135 0100 M000 100Y 43", "USCC:91350100M000100Y43"},
		{"0007:5560360793", "0007:5560360793"},
		{"0184:10150817", "0184:10150817"},
		{"0208:0403170701", "0208:0403170701"},
		{"0002:732829320", "0002:732829320"},
		{"0060:123456789", "0060:123456789"},
	} {
		got, err := CanonicalPartyID(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("CanonicalPartyID(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			continue
		}
		if again, err := CanonicalPartyID(got); err != nil || again != got {
			t.Errorf("CanonicalPartyID(%q) = %q, %v: not a fixed point", got, again, err)
		}
	}
	for _, in := range []string{
		"", "0192:", ":", "0192:915600124", // check digit
		"0192:715600123",            // first digit
		"0192:91560012",             // length
		"9999:123",                  // unknown scheme
		"USCC:91350100M000100Y44",   // check character
		"USCC:91350100M0001O0Y43",   // O is not in the alphabet
		"0088:5790000435967",        // GLN check digit
		"0199:5493001KJTIIGC8Y1R13", // LEI check digits
		"123",                       // bare, no scheme fits
		"0060123456789",             // bare: 13 digits, no valid GLN
		"0192:987123456",            // the old demo number: fails mod 11
	} {
		if got, err := CanonicalPartyID(in); !errors.Is(err, ErrPartyID) {
			t.Errorf("CanonicalPartyID(%q) = %q, %v; want ErrPartyID", in, got, err)
		}
	}
}

func TestSamePartyID(t *testing.T) {
	for _, tc := range []struct {
		doc, legal string
		want       bool
	}{
		{"0192:915600123", "0192:915600123", true},
		{"915600123", "0192:915600123", true},
		{"915 600 123", "0192:915600123", true},
		{"0060:915600123", "0192:915600123", false}, // another scheme's value
		{"0192:915600999", "0192:915600123", false},
		{"", "0192:915600123", false},
		{"0060:123456789", "0060:123456789", true},
		{"123456789", "0060:123456789", true}, // bare DUNS: the registration disambiguates
	} {
		if got := SamePartyID(tc.doc, tc.legal); got != tc.want {
			t.Errorf("SamePartyID(%q, %q) = %v", tc.doc, tc.legal, got)
		}
	}
}

// FuzzCanonicalKeys: the canonical forms never panic, are fixed points, and
// stay valid UTF-8.
func FuzzCanonicalKeys(f *testing.F) {
	for _, s := range []string{"NK-2026-417", "ＮＫ－２０２６－４１７", "e-\u0301", "0192: 915 600 123",
		"USCC:91350100M000100Y43", "\xff\xfe", "٠٠٠-١", "ﬁ\u0301-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := NumberKey(s)
		if NumberKey(k) != k {
			t.Fatalf("NumberKey(%q) = %q, whose key is %q", s, k, NumberKey(k))
		}
		if utf8.ValidString(s) && !utf8.ValidString(k) {
			t.Fatalf("NumberKey(%q) = %q is not UTF-8", s, k)
		}
		if c, err := CanonicalPartyID(s); err == nil {
			if again, err := CanonicalPartyID(c); err != nil || again != c {
				t.Fatalf("CanonicalPartyID(%q) = %q, then %q, %v", s, c, again, err)
			}
			if !SamePartyID(s, c) {
				t.Fatalf("SamePartyID(%q, its canonical %q) is false", s, c)
			}
		} else if !errors.Is(err, ErrPartyID) {
			t.Fatalf("untyped error %v", err)
		}
		if p := PartyKey(s); PartyKey(p) != p {
			t.Fatalf("PartyKey(%q) = %q, then %q", s, p, PartyKey(p))
		}
	})
}

// The second key catches what NumberKey's per-run zero dropping cannot: a
// separator removed before a run that starts with zero.
func TestKeysFor(t *testing.T) {
	keys := func(n string) []FingerprintKey { return KeysFor("0192:915600123", "0192:987123451", n) }
	orig := keys("INV-2026-0500")
	if len(orig) != 2 || orig[0].Number != "inv2026500" || orig[1].Number != "inv20260500" {
		t.Fatalf("keys %+v", orig)
	}
	shares := func(a, b []FingerprintKey) bool {
		for _, x := range a {
			for _, y := range b {
				if x == y {
					return true
				}
			}
		}
		return false
	}
	for _, n := range []string{"INV20260500", "INV-2026-000500", "INV–2026–0500", "INV - 2026  0500", "inv 2026 500"} {
		if !shares(orig, keys(n)) {
			t.Errorf("%q shares no key with INV-2026-0500: %+v", n, keys(n))
		}
	}
	for _, n := range []string{"INV-2026-0501", "INV-2026-05000"} {
		if shares(orig, keys(n)) {
			t.Errorf("%q shares a key with INV-2026-0500", n)
		}
	}
	if k := keys("NK-417"); len(k) != 1 {
		t.Errorf("a number without inner zeros has %d keys", len(k))
	}
}
