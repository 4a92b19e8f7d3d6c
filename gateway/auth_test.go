package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
)

// /metrics answers only a scrape token or the operator: request counts by
// route are traffic a competitor or an attacker should not read.
func TestMetricsRequiresCredential(t *testing.T) {
	const scrape = "scrape-token-0123456789abcdef"
	ts := newTestServer(t, nil, Config{MetricsTokens: []string{HashToken(scrape)}}, Deps{})
	decodeProblemBody(t, ts.do(t, req{method: "GET", path: "/metrics"}), 401, problem.CodeUnauthenticated)
	decodeProblemBody(t, ts.do(t, req{method: "GET", path: "/metrics", token: "not-a-token"}), 401, problem.CodeUnauthenticated)
	for _, role := range []string{"tok-core", "tok-supplier", "tok-bank", "tok-regulator"} {
		decodeProblemBody(t, ts.do(t, req{method: "GET", path: "/metrics", token: role}), 403, problem.CodeForbidden)
	}
	for _, tok := range []string{scrape, "tok-operator"} {
		rec := ts.do(t, req{method: "GET", path: "/metrics", token: tok})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "tierchain_gateway_http_requests_total") {
			t.Fatalf("metrics with %s: %d", tok, rec.Code)
		}
	}
	// The scrape token is good for nothing else.
	decodeProblemBody(t, ts.do(t, req{method: "GET", path: "/v1/me", token: scrape}), 401, problem.CodeUnauthenticated)

	if _, err := New(Config{MetricsTokens: []string{scrape}}, Deps{Logger: ts.log, DB: ts.deps.DB}); err == nil {
		t.Fatal("a metrics token given in clear (not its SHA-256) was accepted")
	}
}

// A baseline balance is read by its account's enterprise, the operator and
// the regulator; anyone else gets the 404 an absent account would get.
func TestBaselineBalanceRestricted(t *testing.T) {
	ledger := &fakeLedger{
		evaluate: func(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
			return []byte("42"), nil
		},
		submit: func(ctx context.Context, contract, fn string, args ...string) (fabricclient.Result, error) {
			return fabricclient.Result{}, nil
		},
	}
	ts := newTestServer(t, nil, Config{}, Deps{Routes: []func(*Routes){BaselineRoutes(ledger)}})
	for _, tc := range []struct {
		token, account string
		status         int
	}{
		{"tok-supplier", "sup-1", 200}, // its own
		{"tok-operator", "sup-1", 200},
		{"tok-regulator", "sup-1", 200},
		{"tok-supplier2", "sup-1", 404},
		{"tok-core", "sup-1", 404},
		{"tok-bank", "sup-1", 404},
		{"tok-bank", "bank-a", 200},
		{"tok-core", "alice", 404},
	} {
		rec := ts.do(t, req{method: "GET", path: "/v1/ledger/baseline/" + tc.account, token: tc.token})
		if rec.Code != tc.status {
			t.Errorf("%s reads %s: %d, want %d", tc.token, tc.account, rec.Code, tc.status)
		}
		if tc.status == 404 {
			decodeProblemBody(t, rec, 404, problem.CodeNotFound)
		}
	}
}

// Repeated failed authentications from one client are refused with 429
// and Retry-After before the token is looked up, even a valid token, until
// the window ends; other clients are not affected.
func TestAuthFailureLimitPerClient(t *testing.T) {
	ts := newTestServer(t, nil, Config{AuthFailures: 3, AuthFailureWindow: time.Minute}, Deps{})
	forged := 0
	from := func(addr, token string) *httptest.ResponseRecorder {
		hr := httptest.NewRequest(http.MethodGet, "/v1/me", nil)
		hr.RemoteAddr = addr
		hr.Header.Set("Authorization", "Bearer "+token)
		// A client may not pick the address it is counted under.
		forged++
		hr.Header.Set("X-Forwarded-For", "198.51.100."+strconv.Itoa(forged))
		rec := httptest.NewRecorder()
		ts.Handler().ServeHTTP(rec, hr)
		return rec
	}
	for i := range 3 {
		decodeProblemBody(t, from("203.0.113.7:4000", "tct_guess"+strconv.Itoa(i)+"-aaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 401, problem.CodeUnauthenticated)
	}
	rec := from("203.0.113.7:4001", "tok-core")
	decodeProblemBody(t, rec, 429, problem.CodeRateLimited)
	if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
	if rec := from("192.0.2.1:4000", "tok-core"); rec.Code != 200 {
		t.Fatalf("another client: %d", rec.Code)
	}
	// An IPv6 host counts by its /64.
	for i := range 3 {
		from("[2001:db8:1:2::"+strconv.Itoa(i+1)+"]:4000", "tct_v6guess"+strconv.Itoa(i)+"-bbbbbbbbbbbbbbbbbbbbbbbbbbbb")
	}
	decodeProblemBody(t, from("[2001:db8:1:2::99]:4000", "tok-core"), 429, problem.CodeRateLimited)
	if rec := from("[2001:db8:1:3::1]:4000", "tok-core"); rec.Code != 200 {
		t.Fatalf("another /64: %d", rec.Code)
	}
	ts.clock.Advance(time.Minute)
	if rec := from("203.0.113.7:4002", "tok-core"); rec.Code != 200 {
		t.Fatalf("after the window: %d", rec.Code)
	}
	if !strings.Contains(ts.logs.String(), "authentication failures over the limit") {
		t.Error("blocking was not logged")
	}
}

// Guesses at one token's remainder from many addresses are limited by the
// token's prefix; /metrics counts failures too.
func TestAuthFailureLimitPerPrefix(t *testing.T) {
	ts := newTestServer(t, nil, Config{AuthFailures: 3, AuthFailureWindow: time.Minute}, Deps{})
	const leaked = TokenPrefix + "Abc123Def456" // a partial leak: the prefix key's length
	try := func(i int, path string) *httptest.ResponseRecorder {
		hr := httptest.NewRequest(http.MethodGet, path, nil)
		hr.RemoteAddr = "198.51.100." + strconv.Itoa(i) + ":5000"
		hr.Header.Set("Authorization", "Bearer "+leaked+"guess"+strconv.Itoa(i))
		rec := httptest.NewRecorder()
		ts.Handler().ServeHTTP(rec, hr)
		return rec
	}
	decodeProblemBody(t, try(1, "/v1/me"), 401, problem.CodeUnauthenticated)
	decodeProblemBody(t, try(2, "/metrics"), 401, problem.CodeUnauthenticated)
	decodeProblemBody(t, try(3, "/v1/me"), 401, problem.CodeUnauthenticated)
	decodeProblemBody(t, try(4, "/v1/me"), 429, problem.CodeRateLimited)
	decodeProblemBody(t, try(5, "/metrics"), 429, problem.CodeRateLimited)
	// Other tokens and a missing header are unaffected (they guess nothing).
	if rec := ts.do(t, req{method: "GET", path: "/v1/me", token: "tok-core"}); rec.Code != 200 {
		t.Fatalf("another token: %d", rec.Code)
	}
}
