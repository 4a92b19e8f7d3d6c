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
// from it. testdata/fingerprint-v1.hex is the encoding of the Peppol sample;
// regenerate it with -update only when introducing a new version.
func TestFingerprintInputGolden(t *testing.T) {
	inv, err := ParseUBL(readTestdata(t, "peppol-bis3-invoice.xml"))
	if err != nil {
		t.Fatal(err)
	}
	got := hex.EncodeToString(FingerprintInput(inv)) + "\n"
	const golden = "testdata/fingerprint-v1.hex"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("FingerprintInput changed:\n got %s\nwant %s", got, want)
	}
}

func TestFingerprintInputLayout(t *testing.T) {
	inv := &Invoice{
		Number: "Ab-1", IssueDate: date("2026-01-02"), Currency: "EUR", AmountMinor: 258,
		Seller: Party{ID: "S"}, Buyer: Party{ID: "B"},
	}
	want := []byte{}
	for _, s := range []string{FingerprintDomain, "S", "B", "ab-1", "2026-01-02", "EUR"} {
		want = append(want, 0, 0, 0, byte(len(s)))
		want = append(want, s...)
	}
	want = append(want, 0, 0, 0, 0, 0, 0, 1, 2)
	if got := FingerprintInput(inv); !bytes.Equal(got, want) {
		t.Errorf("FingerprintInput = %x\nwant               %x", got, want)
	}
}

// Fields that identify the invoice change the input; the due date and
// cosmetic differences in the number do not.
func TestFingerprintInputSensitivity(t *testing.T) {
	base := func() *Invoice {
		return &Invoice{
			Number: "INV-7", IssueDate: date("2026-01-02"), DueDate: date("2026-03-02"), Currency: "EUR",
			AmountMinor: 100, Seller: Party{ID: "S"}, Buyer: Party{ID: "B"},
		}
	}
	ref := FingerprintInput(base())
	same := map[string]func(*Invoice){
		"number case":      func(i *Invoice) { i.Number = "inv-7" },
		"number spaces":    func(i *Invoice) { i.Number = "  INV-7\t" },
		"number fullwidth": func(i *Invoice) { i.Number = "ＩＮＶ－７" },
		"due date":         func(i *Invoice) { i.DueDate = date("2026-04-02") },
		"names":            func(i *Invoice) { i.Seller.Name = "Other" },
	}
	for name, edit := range same {
		inv := base()
		edit(inv)
		if !bytes.Equal(FingerprintInput(inv), ref) {
			t.Errorf("%s changed the fingerprint input", name)
		}
	}
	differ := map[string]func(*Invoice){
		"number":     func(i *Invoice) { i.Number = "INV-8" },
		"issue date": func(i *Invoice) { i.IssueDate = date("2026-01-03") },
		"currency":   func(i *Invoice) { i.Currency = "USD" },
		"amount":     func(i *Invoice) { i.AmountMinor = 101 },
		"seller":     func(i *Invoice) { i.Seller.ID = "S2" },
		"buyer":      func(i *Invoice) { i.Buyer.ID = "B2" },
		// Length prefixes: moving a byte from one field to the next matters.
		"shifted": func(i *Invoice) { i.Seller.ID, i.Buyer.ID = "SB", "" },
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
}
