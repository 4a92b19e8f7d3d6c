package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway/api"
)

// TestMoneyJSON: every amount carries its currency and that currency's
// decimals; a sealed amount renders its currency only, never a zero.
func TestMoneyJSON(t *testing.T) {
	for _, c := range []struct {
		m    any
		want string
	}{
		{api.NewMoney(125_000_000, "CNY"), `{"minor":125000000,"decimal":"1250000.00","currency":"CNY"}`},
		{api.NewMoney(125_000_000, "USD"), `{"minor":125000000,"decimal":"1250000.00","currency":"USD"}`},
		{api.NewMoney(1_250_000, "JPY"), `{"minor":1250000,"decimal":"1250000","currency":"JPY"}`},
		{api.NewMoney(1_250_000, "KWD"), `{"minor":1250000,"decimal":"1250.000","currency":"KWD"}`},
		{api.NewMoney(0, "CNY"), `{"minor":0,"decimal":"0.00","currency":"CNY"}`},
		{api.SealedMoney("CNY"), `{"currency":"CNY","sealed":true}`},
		{api.Money{Minor: 5, Decimal: "0.05", Currency: "USD", Sealed: true}, `{"currency":"USD","sealed":true}`},
	} {
		b, err := json.Marshal(c.m)
		if err != nil {
			t.Fatal(err)
		}
		if c.want != "" && string(b) != c.want {
			t.Errorf("%+v: %s, want %s", c.m, b, c.want)
		}
	}
	b, _ := json.Marshal(api.TokenView{TokenView: model.TokenView{Token: model.Token{ID: "t1", Currency: "USD"}}, Amount: api.SealedMoney("USD")})
	var v struct {
		Currency string         `json:"currency"`
		Amount   map[string]any `json:"amount"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.Currency != "USD" || v.Amount["sealed"] != true || v.Amount["minor"] != nil {
		t.Errorf("sealed token view: %s", b)
	}
}

// TestCurrencyRequests: a credit line names its currency (an ISO 4217 code
// of the table), and an issue's optional currency must be one; both are
// refused before the ledger (this server has none).
func TestCurrencyRequests(t *testing.T) {
	h := businessServer(t).Handler()
	inv := fmt.Sprintf("%0128x", 1)
	for i, c := range []struct {
		name, path, body string
		role             model.Role
		field            string
	}{
		{"line without currency", "/v1/credit-lines", `{"core":"core1","limit":"1000.00","expiry":"2027-01-01T00:00:00Z"}`, model.RoleBank, "currency"},
		{"line in lower case", "/v1/credit-lines", `{"core":"core1","currency":"cny","limit":"1000.00","expiry":"2027-01-01T00:00:00Z"}`, model.RoleBank, "currency"},
		{"line in no currency", "/v1/credit-lines", `{"core":"core1","currency":"XYZ","limit":"1000.00","expiry":"2027-01-01T00:00:00Z"}`, model.RoleBank, "currency"},
		{"JPY line with decimals", "/v1/credit-lines", `{"core":"core1","currency":"JPY","limit":"1000.50","expiry":"2027-01-01T00:00:00Z"}`, model.RoleBank, "limit"},
		{"CNY line with three decimals", "/v1/credit-lines", `{"core":"core1","currency":"CNY","limit":"1000.505","expiry":"2027-01-01T00:00:00Z"}`, model.RoleBank, "limit"},
		{"issue in no currency", "/v1/receivables", `{"holder":"s1","bank":"b1","invoices":["` + inv + `"],"amount":"1.00","maturity":"2027-01-01T00:00:00Z","currency":"RMB"}`, model.RoleCore, "currency"},
	} {
		t.Run(c.name, func(t *testing.T) {
			expectFieldProblem(t, h, "POST", c.path, c.role, c.body, fmt.Sprintf("currency-%d", i), c.field)
		})
	}
}
