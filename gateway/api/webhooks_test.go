package api_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/webhook"
)

// TestWebhooksREST: a bank subscribes, gets its secret once, lists and
// deletes its subscription; a URL that is not http(s) and an unknown event
// type are 400 problems naming the field, as is a URL
// on loopback, a private or a link-local address; another bank cannot delete it.
func TestWebhooksREST(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := webhook.New(t.Context(), storetest.SQLite(t), webhook.Config{})
	if err != nil {
		t.Fatal(err)
	}
	a := api.New(api.Deps{Log: log})
	a.SetWebhooks(svc)
	var seeds []gateway.SeedToken
	for _, r := range roles {
		seeds = append(seeds, gateway.SeedToken{Token: roleToken(r), Label: "webhooks test",
			Principal: gateway.Principal{EnterpriseID: string(r) + "1", Role: r, MSPID: "TestMSP"}})
	}
	s, err := gateway.New(gateway.Config{Tokens: seeds}, gateway.Deps{Logger: log, DB: storetest.SQLite(t),
		Routes: []func(*gateway.Routes){gateway.BaselineRoutes(nopLedger{}), a.Register}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(t.Context()); err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	n := 0
	do := func(method, path string, role model.Role, body string) *httptest.ResponseRecorder {
		n++
		req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+roleToken(role))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("webhooks-%d", n))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, c := range []struct{ body, field string }{
		{`{"url":"ftp://bank.example/hook"}`, "url"},
		{`{"url":"javascript:alert(1)"}`, "url"},
		{`{"url":"https://user:pw@bank.example/hook"}`, "url"},
		{`{"url":"https://bank.example/hook","events":["quote.won"]}`, "events[0]"},
		{`{"url":"http://169.254.169.254/latest/meta-data/"}`, "url"}, // the cloud metadata service
		{`{"url":"http://127.0.0.1:9443/metrics"}`, "url"},            // the peer's operations port
		{`{"url":"http://localhost:8081/v1/tokens"}`, "url"},          // another gateway on this host
	} {
		rec := do("POST", "/v1/webhooks", model.RoleBank, c.body)
		var p problem.Problem
		if rec.Code != http.StatusBadRequest || json.Unmarshal(rec.Body.Bytes(), &p) != nil || len(p.Errors) == 0 || p.Errors[0].Field != c.field {
			t.Fatalf("%s: %d %s", c.body, rec.Code, rec.Body)
		}
	}
	rec := do("POST", "/v1/webhooks", model.RoleBank, `{"url":"https://bank.example/hook","events":["quote.accepted","default"]}`)
	var created api.WebhookCreated
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &created) != nil {
		t.Fatalf("subscribe: %d %s", rec.Code, rec.Body)
	}
	if secret, err := hex.DecodeString(created.Secret); err != nil || len(secret) != webhook.SecretSize || len(created.Subscription.Events) != 2 {
		t.Fatalf("created %+v", created)
	}
	rec = do("GET", "/v1/webhooks", model.RoleBank, "")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), created.Secret) || !strings.Contains(rec.Body.String(), created.Subscription.ID) {
		t.Fatalf("list: %d %s", rec.Code, rec.Body)
	}
	if rec := do("GET", "/v1/webhooks", model.RoleSupplier, ""); rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Fatalf("another enterprise lists %s", rec.Body)
	}
	if rec := do("DELETE", "/v1/webhooks/"+created.Subscription.ID, model.RoleSupplier, ""); rec.Code != http.StatusNotFound {
		t.Fatalf("another enterprise deletes: %d %s", rec.Code, rec.Body)
	}
	if rec := do("DELETE", "/v1/webhooks/"+created.Subscription.ID, model.RoleBank, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := do("GET", "/v1/webhooks/deliveries", model.RoleBank, ""); rec.Code != http.StatusOK {
		t.Fatalf("deliveries: %d %s", rec.Code, rec.Body)
	}
}
