package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/invoice"
)

// Money is an amount in its own currency: minor units, and the same
// amount as a decimal string with the currency's decimals ("1250000.00";
// JPY has none). An amount the caller cannot open is Sealed: it renders
// only its currency and "sealed": true.
type Money struct {
	Minor    uint64 `json:"minor"`
	Decimal  string `json:"decimal"`
	Currency string `json:"currency"`
	Sealed   bool   `json:"sealed,omitempty"`
}

// MarshalJSON renders a sealed amount without minor and decimal.
func (m Money) MarshalJSON() ([]byte, error) {
	if m.Sealed {
		return json.Marshal(struct {
			Currency string `json:"currency"`
			Sealed   bool   `json:"sealed"`
		}{m.Currency, true})
	}
	type plain Money
	return json.Marshal(plain(m))
}

// NewMoney is v minor units of currency (an ISO 4217 code; "" for an
// amount recorded before amounts had their currency: two decimals).
func NewMoney(v uint64, currency string) Money {
	return Money{Minor: v, Decimal: invoice.FormatMinor(v, model.MinorUnitExponent(currency)), Currency: currency}
}

// SealedMoney is an amount of currency the caller cannot open.
func SealedMoney(currency string) *Money {
	return &Money{Currency: currency, Sealed: true}
}

// parseAmount reads a positive decimal amount of currency, with at most
// its decimals.
func parseAmount(field, s, currency string) (uint64, error) {
	var v int64
	var err error
	if currency == "" { // a legacy token's amount: no named currency
		v, err = invoice.ParseMinorUnits(s, model.MinorUnitExponent(""))
	} else {
		v, err = invoice.ParseAmount(s, currency)
	}
	if err != nil {
		return 0, gateway.Invalid("invalid amount", problem.FieldError{Field: field,
			Reason: fmt.Sprintf("a positive decimal amount of %s with at most %d decimals: %v",
				currencyName(currency), model.MinorUnitExponent(currency), err)})
	}
	return uint64(v), nil
}

func currencyName(c string) string {
	if c == "" {
		return "the receivable's currency"
	}
	return c
}

// tokenCurrency is the currency of a token's amount, as the ledger holds
// it: the amounts a request states for it (a fee, a piece, a price) are in
// that currency.
func (a *API) tokenCurrency(c *gin.Context, id string) (string, error) {
	t, err := a.token(c, id)
	return t.Currency, err
}

func currencyMismatch(detail string, errs ...problem.FieldError) error {
	return problem.New(http.StatusUnprocessableEntity, string(model.CodeCurrencyMismatch), detail).WithErrors(errs...)
}

// amountSyntax refuses what is no positive decimal amount in any currency
// ("-5", "1.2.3", "1e6", "0"), before the currency it is in is read from
// the ledger; parseAmount then checks it against that currency's decimals
// and range.
func amountSyntax(field, s string) error {
	whole, frac, dot := strings.Cut(s, ".")
	ok := len(s) <= maxAmountText && whole != "" && (!dot || frac != "") && strings.Trim(s, "0.") != ""
	for _, r := range whole + frac {
		ok = ok && r >= '0' && r <= '9'
	}
	if !ok {
		return gateway.Invalid("invalid amount", problem.FieldError{Field: field,
			Reason: "a positive decimal amount: digits with an optional fraction, without sign, exponent or separators"})
	}
	return nil
}

// maxAmountText bounds an amount's text (2^64 has 20 digits).
const maxAmountText = 40
