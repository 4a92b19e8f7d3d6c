package api_test

import (
	"reflect"

	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/services/custody"
)

// The self-custody routes' schemas (docs/custody.md), checked with the
// others by TestOpenAPISchemas.
func init() {
	for name, typ := range map[string]reflect.Type{
		"CustodyMode":         reflect.TypeFor[api.CustodyMode](),
		"SelfCustodyRequest":  reflect.TypeFor[api.SelfCustodyRequest](),
		"SelfCustodyResponse": reflect.TypeFor[api.SelfCustodyResponse](),
		"CustodyLog":          reflect.TypeFor[api.CustodyLog](),
		"CustodyEvent":        reflect.TypeFor[custody.Event](),
		"ExportRequest":       reflect.TypeFor[api.ExportRequest](),
		"ExportResponse":      reflect.TypeFor[api.ExportResponse](),
		"ImportRequest":       reflect.TypeFor[api.ImportRequest](),
		"RelayPrepareRequest": reflect.TypeFor[api.RelayPrepareRequest](),
		"RelayUnsigned":       reflect.TypeFor[api.RelayUnsigned](),
		"RelaySigned":         reflect.TypeFor[api.RelaySigned](),
		"RelayResult":         reflect.TypeFor[api.RelayResult](),
		"RelayParty":          reflect.TypeFor[api.RelayParty](),
		"RelayInvoiceParties": reflect.TypeFor[api.RelayInvoiceParties](),
	} {
		goSchemas[name] = typ
	}
}
