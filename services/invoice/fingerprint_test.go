package invoice

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// The v1 encoding is frozen: fingerprints already on the ledger were made
// from it. testdata/fingerprint-v1.hex is the encoding of the Peppol sample.
// testdata/fingerprint-v2.hex is v2's; regenerate it with -update only when
// introducing a new version.
func TestFingerprintInputGolden(t *testing.T) {
	inv, err := ParseUBL(readTestdata(t, "peppol-bis3-invoice.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for golden, input := range map[string]func(*Invoice) []byte{
		"testdata/fingerprint-v1.hex": FingerprintInputV1,
		"testdata/fingerprint-v2.hex": FingerprintInput,
	} {
		got := hex.EncodeToString(input(inv)) + "\n"
		if *update && strings.Contains(golden, "v2") {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s changed:\n got %s\nwant %s", golden, got, want)
		}
	}
}

func TestFingerprintInputLayout(t *testing.T) {
	inv := &Invoice{
		Number: "Ab-1", IssueDate: date("2026-01-02"), Currency: "EUR", AmountMinor: 258,
		Seller: Party{ID: "0192:987654325"}, Buyer: Party{ID: "B"},
	}
	want := []byte{}
	for _, s := range []string{FingerprintDomain, "0192:987654325", "B", "ab1"} {
		want = append(want, 0, 0, 0, byte(len(s)))
		want = append(want, s...)
	}
	if got := FingerprintInput(inv); !bytes.Equal(got, want) {
		t.Errorf("FingerprintInput = %x\nwant               %x", got, want)
	}
}

// Fields that identify the invoice change the input; what a forger can
// nudge (amount, dates, currency) and every retyping of the number or the
// parties' identifiers do not.
func TestFingerprintInputSensitivity(t *testing.T) {
	base := func() *Invoice {
		return &Invoice{
			Number: "NK-2026-417", IssueDate: date("2026-01-02"), DueDate: date("2026-03-02"), Currency: "EUR",
			AmountMinor: 50000000, Seller: Party{ID: "0192:915600123"}, Buyer: Party{ID: "0192:987654325"},
		}
	}
	ref := FingerprintInput(base())
	same := map[string]func(*Invoice){
		"number case":          func(i *Invoice) { i.Number = "nk-2026-417" },
		"number spaces":        func(i *Invoice) { i.Number = "  NK-2026-417\t" },
		"number inner spaces":  func(i *Invoice) { i.Number = "NK - 2026 -  417" },
		"number dash removed":  func(i *Invoice) { i.Number = "NK2026417" },
		"number en dash":       func(i *Invoice) { i.Number = "NK\u20132026\u2013417" },
		"number leading zeros": func(i *Invoice) { i.Number = "NK-2026-000417" },
		"number fullwidth":     func(i *Invoice) { i.Number = "ＮＫ－２０２６－４１７" },
		"number slashes":       func(i *Invoice) { i.Number = "NK/2026/417" },
		"seller bare":          func(i *Invoice) { i.Seller.ID = "915600123" },
		"seller spaced":        func(i *Invoice) { i.Seller.ID = "0192: 915 600 123" },
		"amount one cent more": func(i *Invoice) { i.AmountMinor++ },
		"issue date":           func(i *Invoice) { i.IssueDate = date("2026-01-03") },
		"due date":             func(i *Invoice) { i.DueDate = date("2026-04-02") },
		"currency":             func(i *Invoice) { i.Currency = "USD" },
		"names":                func(i *Invoice) { i.Seller.Name = "Other" },
	}
	for name, edit := range same {
		inv := base()
		edit(inv)
		if !bytes.Equal(FingerprintInput(inv), ref) {
			t.Errorf("%s changed the fingerprint input", name)
		}
	}
	differ := map[string]func(*Invoice){
		"number":        func(i *Invoice) { i.Number = "NK-2026-418" },
		"number digits": func(i *Invoice) { i.Number = "NK-2026-4170" },
		"seller":        func(i *Invoice) { i.Seller.ID = "0192:915600999" },
		"buyer":         func(i *Invoice) { i.Buyer.ID = "0192:915600123" },
		// Length prefixes: moving a byte from one field to the next matters.
		"shifted": func(i *Invoice) { i.Seller.ID, i.Buyer.ID = "0192:915600123:0192", ":987654325" },
	}
	for name, edit := range differ {
		inv := base()
		edit(inv)
		if bytes.Equal(FingerprintInput(inv), ref) {
			t.Errorf("%s did not change the fingerprint input", name)
		}
	}
	if !strings.HasPrefix(string(ref[4:]), FingerprintDomain) {
		t.Error("the input does not start with the domain")
	}
	if bytes.Contains(ref, []byte{0x02, 0xfa, 0xf0, 0x80}) {
		t.Error("the input holds the amount")
	}
}
