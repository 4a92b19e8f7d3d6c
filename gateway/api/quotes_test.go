package api_test

import (
	"fmt"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
)

// TestQuotesBadInput: malformed requests for quotes and quotes are refused
// with problem+json naming the field before the wallet or the ledger is
// reached (this server has neither).
func TestQuotesBadInput(t *testing.T) {
	h := businessServer(t).Handler()
	terms := func(rate int64) string {
		return fmt.Sprintf(`{"advanceRateBp":%d,"discountRateBp":400,"dayCount":"ACT/360","penaltyRateBp":0,"recourse":false,`+
			`"valueDate":"2026-12-08T00:00:00Z","expiry":"2026-12-09T17:00:00Z"}`, rate)
	}
	for i, c := range []struct {
		name, path, body string
		role             model.Role
		field            string
	}{
		{"no bank", "/v1/tokens/t1/rfq", `{"banks":[],"expiry":"2026-12-09T17:00:00Z"}`, model.RoleSupplier, "banks"},
		{"nine banks", "/v1/tokens/t1/rfq", `{"banks":["b1","b2","b3","b4","b5","b6","b7","b8","b9"],"expiry":"2026-12-09T17:00:00Z"}`, model.RoleSupplier, "banks"},
		{"a bank twice", "/v1/tokens/t1/rfq", `{"banks":["bankA","bankA"],"expiry":"2026-12-09T17:00:00Z"}`, model.RoleSupplier, "banks[1]"},
		{"bank not an ID", "/v1/tokens/t1/rfq", `{"banks":["bank A"],"expiry":"2026-12-09T17:00:00Z"}`, model.RoleSupplier, "banks[0]"},
		{"no expiry", "/v1/tokens/t1/rfq", `{"banks":["bankA"]}`, model.RoleSupplier, "expiry"},
		{"quote rate above 100 %", "/v1/rfqs/r1/quotes", `{"terms":` + terms(10_001) + `}`, model.RoleBank, "terms"},
		{"quote negative rate", "/v1/rfqs/r1/quotes", `{"terms":` + terms(-1) + `}`, model.RoleBank, "terms"},
		{"quote fee not an amount", "/v1/rfqs/r1/quotes", `{"fee":"1.2.3","terms":` + terms(9000) + `}`, model.RoleBank, "fee"},
		{"resale price not an amount", "/v1/tokens/t1/resale", `{"buyer":"bankA","price":"-5"}`, model.RoleBank, "price"},
		{"resale without a price", "/v1/tokens/t1/resale", `{"buyer":"bankA"}`, model.RoleBank, "price"},
		{"resale buyer not an ID", "/v1/tokens/t1/resale", `{"buyer":"bank A","price":"10.00"}`, model.RoleBank, "buyer"},
		{"resale accepted without a payment reference", "/v1/tokens/t1/resale/accept", `{}`, model.RoleBank, "paymentRef"},
	} {
		expectFieldProblem(t, h, "POST", c.path, c.role, c.body, fmt.Sprintf("quotes-bad-%d", i), c.field)
	}
}
