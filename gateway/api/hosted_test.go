package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/internal/problem"
)

// serves sends one request as role r and returns the status, the
// problem's code and the organisation the response names.
func serves(t *testing.T, h http.Handler, method, path string, r model.Role, hdr map[string]string) (int, string, string) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+roleToken(r))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "hosted-"+method+path)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var p problem.Problem
	_ = json.Unmarshal(rec.Body.Bytes(), &p)
	if rec.Code >= 400 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
		t.Errorf("%s %s: %d is not problem+json", method, path, rec.Code)
	}
	return rec.Code, p.Code, rec.Header().Get(gateway.OrgHeader)
}

// TestNotHostedRoutes: a gateway that is neither the regulator's nor the
// operator's answers every audit, onboarding, lifecycle, OPRF and signed
// route with 403 NOT_HOSTED, for every role, before the role check; the
// document lists 403 for each of them.
func TestNotHostedRoutes(t *testing.T) {
	d := loadDoc(t)
	h := serverWith(t, api.Deps{}, gateway.Config{Host: gateway.Host{Org: "BankB", MSPID: "TestMSP"}}).Handler()
	n := 0
	for key, op := range d.documented() {
		method, path, _ := strings.Cut(key, " ")
		hosted := !(strings.HasPrefix(path, "/v1/audit/") || strings.HasPrefix(path, "/v1/oprf/") || isSigned(path) ||
			(method == http.MethodPost && strings.HasPrefix(path, "/v1/enterprises")))
		if hosted {
			continue
		}
		n++

		for _, r := range roles {
			status, code, org := serves(t, h, method, samplePath(path), r, nil)
			if status != http.StatusForbidden || code != problem.CodeNotHosted || org != "BankB" {
				t.Errorf("%s as %s: %d %s (served by %q), want 403 NOT_HOSTED from BankB", key, r, status, code, org)
			}
		}
		if op.Responses["403"] == nil {
			t.Errorf("%s: the document lists no 403", key)
		}
	}
	if n < 12 {
		t.Fatalf("only %d routes are another organisation's", n)
	}
}

// TestReadOnlyGateway: the regulator's gateway refuses every documented
// write with 403 READ_ONLY, whatever the role, and serves reads; every
// gateway refuses a request that names another organisation, and a token
// of another MSP, with 403 NOT_HOSTED.
func TestReadOnlyGateway(t *testing.T) {
	d := loadDoc(t)
	h := serverWith(t, api.Deps{}, gateway.Config{Host: gateway.Host{Org: "Regulator", MSPID: "TestMSP", ReadOnly: true}}).Handler()
	writes := 0
	for key := range d.documented() {
		method, path, _ := strings.Cut(key, " ")
		if method == http.MethodGet || !strings.HasPrefix(path, "/v1/") || isSigned(path) {
			continue
		}
		writes++
		for _, r := range roles {
			status, code, org := serves(t, h, method, samplePath(path), r, nil)
			if status != http.StatusForbidden || code != problem.CodeReadOnly || org != "Regulator" {
				t.Errorf("%s as %s: %d %s (%q), want 403 READ_ONLY", key, r, status, code, org)
			}
		}
	}
	if writes < 20 {
		t.Fatalf("only %d writes documented", writes)
	}
	if status, _, _ := serves(t, h, http.MethodGet, "/v1/me", model.RoleRegulator, nil); status != http.StatusOK {
		t.Errorf("GET /v1/me on the read-only gateway: %d", status)
	}
	if status, code, _ := serves(t, h, http.MethodGet, "/v1/me", model.RoleRegulator, map[string]string{gateway.OrgHeader: "BankA"}); status != 403 || code != problem.CodeNotHosted {
		t.Errorf("a request naming BankA: %d %s", status, code)
	}
	if status, _, _ := serves(t, h, http.MethodGet, "/v1/me", model.RoleRegulator, map[string]string{gateway.OrgHeader: "Regulator"}); status != 200 {
		t.Errorf("a request naming the hosted organisation: %d", status)
	}
	other := serverWith(t, api.Deps{}, gateway.Config{Host: gateway.Host{Org: "BankB", MSPID: "BankBMSP"}}).Handler()
	if status, code, _ := serves(t, other, http.MethodGet, "/v1/me", model.RoleBank, nil); status != 403 || code != problem.CodeNotHosted {
		t.Errorf("a token of another MSP: %d %s", status, code)
	}
}
