package invoice

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ErrPartyID reports a party identifier (an enterprise's legal ID, or a
// seller or buyer ID in an invoice) that is not a valid identifier of a
// supported scheme. Its message says why, never whose it is.
var ErrPartyID = errors.New("invoice: invalid party identifier")

// SchemeUSCC is the scheme code TierChain uses for the Chinese unified social
// credit code (GB 32100-2015), which has no ISO 6523 ICD of its own.
const SchemeUSCC = "USCC"

// partyScheme is one identifier scheme: an ISO 6523 ICD code (or SchemeUSCC)
// and the check its values must pass. A value reaching check is already
// upper case with separators removed.
type partyScheme struct {
	code  string
	name  string
	check func(v string) bool
	// inferable: a bare value that passes check and no other inferable
	// scheme's check is taken to be of this scheme. Schemes without a check
	// character (DUNS) are never inferred.
	inferable bool
}

// partySchemes are the schemes a legal ID may use. An unknown scheme is
// refused: a bank cannot check an identifier it does not know.
var partySchemes = []partyScheme{
	{code: "0002", name: "French SIREN", check: func(v string) bool { return digits(v, 9) && luhn(v) }},
	{code: "0007", name: "Swedish organisation number", check: func(v string) bool { return digits(v, 10) && luhn(v) }},
	{code: "0009", name: "French SIRET", check: func(v string) bool { return digits(v, 14) && luhn(v) }},
	{code: "0060", name: "DUNS number", check: func(v string) bool { return digits(v, 9) }},
	{code: "0088", name: "GS1 GLN", check: func(v string) bool { return digits(v, 13) && gs1(v) }, inferable: true},
	{code: "0184", name: "Danish CVR number", check: func(v string) bool { return digits(v, 8) && mod11(v, []int{2, 7, 6, 5, 4, 3, 2, 1}) }},
	{code: "0192", name: "Norwegian organisation number", check: norwegianOrgNumber, inferable: true},
	{code: "0199", name: "LEI", check: lei, inferable: true},
	{code: "0208", name: "Belgian enterprise number", check: belgianEnterprise},
	{code: SchemeUSCC, name: "Chinese unified social credit code", check: uscc, inferable: true},
}

func schemeByCode(code string) (partyScheme, bool) {
	for _, s := range partySchemes {
		if s.code == code {
			return s, true
		}
	}
	return partyScheme{}, false
}

// CanonicalPartyID returns the canonical form "scheme:value" of a party
// identifier, or an error wrapping ErrPartyID. It folds what people retype:
// Unicode compatibility forms (NFKC), case, spaces, dashes of every kind,
// dots and slashes inside the value; "CN-USCC" and "uscc" name SchemeUSCC. A
// value without a scheme is given the one scheme whose check character it
// passes, and refused when none or several do. The value must pass its
// scheme's check (length, alphabet and check digit).
func CanonicalPartyID(id string) (string, error) {
	s := norm.NFKC.String(id)
	scheme, value, named := strings.Cut(s, ":")
	if !named {
		value = scheme
		scheme = ""
	}
	scheme = strings.ToUpper(strings.TrimSpace(scheme))
	if scheme == "CN-USCC" {
		scheme = SchemeUSCC
	}
	value = strings.ToUpper(stripSeparators(value))
	if value == "" {
		return "", fmt.Errorf("%w: no identifier value", ErrPartyID)
	}
	if !named {
		var found []partyScheme
		for _, sc := range partySchemes {
			if sc.inferable && sc.check(value) {
				found = append(found, sc)
			}
		}
		if len(found) != 1 {
			return "", fmt.Errorf("%w: name the identifier's scheme (for example 0192:)", ErrPartyID)
		}
		return found[0].code + ":" + value, nil
	}
	sc, ok := schemeByCode(scheme)
	if !ok {
		return "", fmt.Errorf("%w: unsupported identifier scheme", ErrPartyID)
	}
	if !sc.check(value) {
		return "", fmt.Errorf("%w: not a valid %s", ErrPartyID, sc.name)
	}
	return sc.code + ":" + value, nil
}

// PartyKey is the party's part of the fingerprint key: CanonicalPartyID
// when the identifier is valid, or else the same folding without the check
// (upper case, separators removed), so that a document naming a party by an
// identifier this platform cannot check still fingerprints stably.
func PartyKey(id string) string {
	if c, err := CanonicalPartyID(id); err == nil {
		return c
	}
	s := norm.NFKC.String(id)
	scheme, value, named := strings.Cut(s, ":")
	if !named {
		return strings.ToUpper(stripSeparators(scheme))
	}
	return strings.ToUpper(stripSeparators(scheme)) + ":" + strings.ToUpper(stripSeparators(value))
}

// SamePartyID reports whether an identifier written in a document names the
// enterprise whose registered legal ID is legalID. A document may leave out
// the scheme when no scheme can be inferred from the value and the value is
// the registered one: the registration makes it unambiguous. A legal ID
// recorded before identifiers were checked is compared as PartyKey folds it.
func SamePartyID(doc, legalID string) bool {
	legal := PartyKey(legalID)
	if legal == "" {
		return false
	}
	if c, err := CanonicalPartyID(doc); err == nil {
		return c == legal
	}
	s := norm.NFKC.String(doc)
	if strings.ContainsRune(s, ':') {
		return PartyKey(doc) == legal
	}
	_, value, _ := strings.Cut(legal, ":")
	v := strings.ToUpper(stripSeparators(s))
	return v != "" && v == value
}

// stripSeparators removes what is not a letter or a digit: spaces of every
// kind, dashes of every kind, dots, slashes, format characters.
func stripSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

func digits(v string, n int) bool {
	if len(v) != n {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// luhn is the Luhn mod-10 check (SIREN, SIRET, Swedish organisation
// numbers).
func luhn(v string) bool {
	sum := 0
	for i := 0; i < len(v); i++ {
		d := int(v[len(v)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// gs1 is the GS1 mod-10 check digit (GLN).
func gs1(v string) bool {
	sum := 0
	for i := 0; i < len(v)-1; i++ {
		d := int(v[len(v)-2-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return int(v[len(v)-1]-'0') == (10-sum%10)%10
}

// mod11 holds when Σ weight·digit ≡ 0 (mod 11).
func mod11(v string, weights []int) bool {
	sum := 0
	for i, w := range weights {
		sum += w * int(v[i]-'0')
	}
	return sum%11 == 0
}

// norwegianOrgNumber checks a Brønnøysund organisation number: nine digits,
// the first 8 or 9, the last a mod-11 check digit with weights 3 2 7 6 5 4 3 2.
func norwegianOrgNumber(v string) bool {
	if !digits(v, 9) || (v[0] != '8' && v[0] != '9') {
		return false
	}
	return mod11(v, []int{3, 2, 7, 6, 5, 4, 3, 2, 1})
}

// belgianEnterprise: ten digits, the last two 97 − (the first eight mod 97).
func belgianEnterprise(v string) bool {
	if !digits(v, 10) || (v[0] != '0' && v[0] != '1') {
		return false
	}
	n := 0
	for i := 0; i < 8; i++ {
		n = n*10 + int(v[i]-'0')
	}
	return 97-n%97 == int(v[8]-'0')*10+int(v[9]-'0')
}

// lei checks an ISO 17442 Legal Entity Identifier: 18 upper-case
// alphanumerics and two check digits, ISO 7064 MOD 97-10.
func lei(v string) bool {
	if len(v) != 20 || !digits(v[18:], 2) {
		return false
	}
	rem := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// usccAlphabet is GB 32100-2015's alphabet: digits and the upper-case
// letters without I, O, S, V and Z.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// uscc checks a Chinese unified social credit code: 18 characters of
// usccAlphabet, the last a check character, weights 3^i mod 31.
func uscc(v string) bool {
	if len(v) != 18 {
		return false
	}
	sum, w := 0, 1
	for i := 0; i < 17; i++ {
		n := strings.IndexByte(usccAlphabet, v[i])
		if n < 0 {
			return false
		}
		sum += n * w
		w = w * 3 % 31
	}
	check := (31 - sum%31) % 31
	return v[17] == usccAlphabet[check]
}
