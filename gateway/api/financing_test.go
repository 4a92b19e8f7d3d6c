package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/problem"
)

// TestFinancingBadInput: malformed financing requests are refused with
// RFC 9457 problem+json naming the field, before the wallet or the ledger
// is reached (this server has neither: a request that got past the
// checks would fail otherwise).
func TestFinancingBadInput(t *testing.T) {
	h := businessServer(t).Handler()
	terms := func(rate, disc int64) string {
		return fmt.Sprintf(`{"advanceRateBp":%d,"discountRateBp":%d,"dayCount":"ACT/360","penaltyRateBp":0,"recourse":true,`+
			`"valueDate":"2026-12-08T00:00:00Z","expiry":"2026-12-09T17:00:00Z"}`, rate, disc)
	}
	for i, c := range []struct {
		name, method, path, body string
		role                     model.Role
		field                    string
	}{
		{"rate above 100 %", "POST", "/v1/tokens/t1/financing/terms", `{"bank":"bankB","terms":` + terms(10_001, 0) + `}`, model.RoleSupplier, "terms"},
		{"negative rate", "POST", "/v1/tokens/t1/financing/terms", `{"bank":"bankB","terms":` + terms(-9000, 0) + `}`, model.RoleSupplier, "terms"},
		{"negative discount, quote", "POST", "/v1/tokens/t1/financing/quote", `{"bank":"bankB","terms":` + terms(9000, -1) + `}`, model.RoleSupplier, "terms"},
		{"unknown day count", "POST", "/v1/tokens/t1/financing/terms", `{"bank":"bankB","terms":` + strings.Replace(terms(9000, 0), "ACT/360", "30/360", 1) + `}`, model.RoleSupplier, "terms"},
		{"fee not an amount", "POST", "/v1/tokens/t1/financing/terms", `{"bank":"bankB","fee":"-1","terms":` + terms(9000, 0) + `}`, model.RoleSupplier, "fee"},
		{"bank not an ID", "POST", "/v1/tokens/t1/financing/terms", `{"bank":"bank B","terms":` + terms(9000, 0) + `}`, model.RoleSupplier, "bank"},
		{"cap above 100 %", "PUT", "/v1/financing/policy", `{"maxAdvanceBp":10001,"graceDays":0}`, model.RoleOperator, "maxAdvanceBp"},
		{"negative grace", "PUT", "/v1/financing/policy", `{"maxAdvanceBp":9000,"graceDays":-1}`, model.RoleOperator, "graceDays"},
		{"recourse without a reference", "POST", "/v1/tokens/t1/recourse", `{}`, model.RoleBank, "reason"},
		{"repayment without a reference", "POST", "/v1/tokens/t1/recourse/repaid", `{"reason":""}`, model.RoleBank, "reason"},
	} {
		expectFieldProblem(t, h, c.method, c.path, c.role, c.body, fmt.Sprintf("financing-bad-%d", i), c.field)
	}
}

// expectFieldProblem sends a request that must be refused with 400
// problem+json naming field.
func expectFieldProblem(t *testing.T, h http.Handler, method, path string, role model.Role, body, key, field string) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+roleToken(role))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var p problem.Problem
	if rec.Code != http.StatusBadRequest || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") ||
		json.Unmarshal(rec.Body.Bytes(), &p) != nil {
		t.Errorf("%s %s %s: %d %s %s", method, path, body, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		return
	}
	if !slices.ContainsFunc(p.Errors, func(e problem.FieldError) bool { return e.Field == field }) {
		t.Errorf("%s %s %s: errors %+v do not name %s", method, path, body, p.Errors, field)
	}
}
