package api_test

import (
	"reflect"

	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/services/invoice"
)

// The buyer's side of an invoice (invoiceconfirm.go), kept beside the
// other schemas of goSchemas.
func init() {
	for name, t := range map[string]reflect.Type{
		"ConfirmInvoiceRequest": reflect.TypeFor[api.ConfirmInvoiceRequest](),
		"Filing":                reflect.TypeFor[api.FilingView](),
		"FilingParty":           reflect.TypeFor[api.PartyView](),
		"InvoiceHold":           reflect.TypeFor[api.Hold](),
		"InvoiceReview":         reflect.TypeFor[invoice.Review](),
	} {
		goSchemas[name] = t
	}
}
