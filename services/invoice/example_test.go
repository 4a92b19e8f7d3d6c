package invoice_test

import (
	"errors"
	"fmt"

	"github.com/tierchain/tierchain/services/invoice"
)

func ExampleParseJSON() {
	inv, err := invoice.ParseJSON([]byte(`{"invoice": {
		"number": "INV-7", "issueDate": "2026-03-01", "dueDate": "2026-05-30",
		"currency": "EUR", "amount": "1250.50",
		"seller": {"scheme": "0192", "id": "915600123"}, "buyer": {"id": "CORE-1"}}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(inv.AmountMinor, inv.Currency, inv.Seller.ID)
	fmt.Printf("%d-byte fingerprint input\n", len(invoice.FingerprintInput(inv)))
	// Output:
	// 125050 EUR 0192:915600123
	// 71-byte fingerprint input
}

func ExampleValidationError() {
	_, err := invoice.ParseJSON([]byte(`{"invoice": {
		"number": "INV-7", "issueDate": "2026-03-01", "dueDate": "2026-02-01",
		"currency": "EUR", "amount": "10.005", "seller": {"id": "S"}, "buyer": {"id": "B"}}}`))
	var v *invoice.ValidationError
	if errors.As(err, &v) {
		for _, f := range v.Fields {
			fmt.Printf("%s: %s\n", f.Field, f.Reason)
		}
	}
	// Output:
	// invoice.dueDate: is before the issue date
	// invoice.amount: has more decimals than the currency's minor unit; amounts are never rounded
}
