package invoice

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// checkParsed holds for anything a parser accepts or refuses: no panic, a
// typed error, and an accepted invoice that is within every bound and
// re-validates: written out in TierChain's JSON schema and parsed again,
// it is the same invoice.
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

	again, err := ParseJSON(asJSON(t, inv))
	if err != nil {
		t.Fatalf("accepted invoice does not re-validate: %v\n%+v", err, inv)
	}
	want := *inv
	want.Format = FormatJSON
	if !linesAddUp(inv) {
		want.Lines = []Line{} // UBL lines add up to LineExtensionAmount, not the payable amount
	}
	if !reflect.DeepEqual(*again, want) {
		t.Fatalf("re-parsed invoice differs:\n got %+v\nwant %+v", *again, want)
	}
}

func linesAddUp(inv *Invoice) bool {
	if len(inv.Lines) == 0 {
		return false
	}
	var sum int64
	for _, l := range inv.Lines {
		var ok bool
		if sum, ok = addMinor(sum, l.AmountMinor); !ok {
			return false
		}
	}
	return sum == inv.AmountMinor
}

// asJSON writes inv in TierChain's JSON schema.
func asJSON(t *testing.T, inv *Invoice) []byte {
	t.Helper()
	in := jsonInvoice{
		Number: inv.Number, IssueDate: inv.IssueDate.Format(DateLayout), DueDate: inv.DueDate.Format(DateLayout),
		Currency: inv.Currency, Amount: inv.Amount(),
		Seller: jsonParty{ID: inv.Seller.ID, Name: inv.Seller.Name},
		Buyer:  jsonParty{ID: inv.Buyer.ID, Name: inv.Buyer.Name},
	}
	if linesAddUp(inv) {
		for _, l := range inv.Lines {
			raw, err := json.Marshal(jsonLine{ID: l.ID, Description: l.Description, Quantity: l.Quantity,
				Amount: FormatAmount(l.AmountMinor, inv.Currency)})
			if err != nil {
				t.Fatal(err)
			}
			in.Lines = append(in.Lines, raw)
		}
	}
	b, err := json.Marshal(jsonDocument{Invoice: &in})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(validJSON), "")
	f.Add(readTestdata(f, "invoice.json"), "")
	f.Add(readTestdata(f, "minimal.json"), "")
	f.Add([]byte(`{"invoice":{"lines":[null,{"amount":1}]}}`), "")
	f.Add([]byte(`{"invoice":{"number":"1","number":"2"}}`), "")
	f.Add([]byte("{\"invoice\":{\"number\":\"\xff\"}}"), "2026-05-30")
	f.Fuzz(func(t *testing.T, data []byte, due string) {
		inv, err := ParseUpload(Upload{Format: FormatJSON, Document: data, DueDate: due})
		checkParsed(t, inv, err)
	})
}

func FuzzParseUBL(f *testing.F) {
	f.Add(readTestdata(f, "peppol-bis3-invoice.xml"), "")
	f.Add(readTestdata(f, "peppol-bis3-no-duedate.xml"), "")
	f.Add(readTestdata(f, "peppol-bis3-no-duedate.xml"), "2026-05-04")
	f.Add([]byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`), "")
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>`), "")
	f.Fuzz(func(t *testing.T, data []byte, due string) {
		inv, err := ParseUpload(Upload{Format: FormatUBL, Document: data, DueDate: due})
		checkParsed(t, inv, err)
	})
}
