package invoice

import (
	"errors"
	"testing"
)

// checkParsed holds for anything a parser accepts or refuses: no panic, a
// typed error, and an accepted invoice that is within every bound.
func checkParsed(t *testing.T, inv *Invoice, err error) {
	t.Helper()
	if err != nil {
		var v *ValidationError
		if !errors.As(err, &v) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		if v != nil && len(v.Fields) == 0 {
			t.Fatal("ValidationError with no fields")
		}
		return
	}
	if inv.AmountMinor <= 0 || inv.Number == "" || inv.Seller.ID == "" || inv.Buyer.ID == "" ||
		!validCurrency(inv.Currency) || inv.DueDate.Before(inv.IssueDate) || len(inv.Lines) > MaxLines {
		t.Fatalf("accepted an invalid invoice: %+v", inv)
	}
	_ = FingerprintInput(inv)
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(validJSON))
	f.Add(readTestdata(f, "invoice.json"))
	f.Add(readTestdata(f, "minimal.json"))
	f.Add([]byte(`{"invoice":{"lines":[null,{"amount":1}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := ParseJSON(data)
		checkParsed(t, inv, err)
	})
}

func FuzzParseUBL(f *testing.F) {
	f.Add(readTestdata(f, "peppol-bis3-invoice.xml"))
	f.Add([]byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := ParseUBL(data)
		checkParsed(t, inv, err)
	})
}
