package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
)

func TestNewChecksDeps(t *testing.T) {
	if _, err := New(Config{}, Deps{}); !errors.Is(err, ErrConfig) {
		t.Fatalf("New without deps: %v", err)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	var ledgerErr error
	var mu sync.Mutex
	ts := newTestServer(t, nil, Config{}, Deps{ReadyChecks: map[string]func(context.Context) error{
		"ledger": func(context.Context) error { mu.Lock(); defer mu.Unlock(); return ledgerErr },
	}})
	if rec := ts.do(t, req{method: "GET", path: "/healthz"}); rec.Code != 200 {
		t.Fatalf("healthz %d", rec.Code)
	}
	rec := ts.do(t, req{method: "GET", path: "/readyz"})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ledger":"ok"`) || !strings.Contains(rec.Body.String(), `"database":"ok"`) {
		t.Fatalf("readyz %d %s", rec.Code, rec.Body)
	}
	mu.Lock()
	ledgerErr = errors.New("peer0.core.example.com:7051 connection refused")
	mu.Unlock()
	rec = ts.do(t, req{method: "GET", path: "/readyz"})
	body := rec.Body.String()
	p := decodeProblemBody(t, rec, 503, problem.CodeUnavailable)
	if len(p.Errors) != 1 || p.Errors[0].Field != "ledger" || strings.Contains(body, "refused") {
		t.Fatalf("readyz problem %s", body)
	}
}

func TestMetrics(t *testing.T) {
	ts := newTestServer(t, nil, Config{}, Deps{Routes: []func(*Routes){testRoutes}})
	ts.do(t, req{method: "GET", path: "/healthz"})
	ts.do(t, req{method: "GET", path: "/v1/me", token: "tok-core"})
	ts.do(t, req{method: "GET", path: "/v1/test/panic", token: "tok-core"})
	ts.do(t, req{method: "GET", path: "/no/such/path/12345"})
	rec := ts.do(t, req{method: "GET", path: "/metrics", token: "tok-operator"})
	body := rec.Body.String()
	for _, want := range []string{
		`tierchain_gateway_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`tierchain_gateway_http_requests_total{method="GET",route="/v1/me",status="200"} 1`,
		`tierchain_gateway_http_requests_total{method="GET",route="/v1/test/panic",status="500"} 1`,
		`tierchain_gateway_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`tierchain_gateway_http_request_duration_seconds_bucket{method="GET",route="/v1/me",status="200",le="0.005"}`,
		`tierchain_gateway_http_requests_in_flight 1`, // the /metrics request itself
		`tierchain_gateway_http_panics_total 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The path, not its digits: a runtime metric's value may contain them.
	if strings.Contains(body, "/no/such/path") {
		t.Error("a raw path became a label")
	}
}

func TestBaselineRoutes(t *testing.T) {
	var mu sync.Mutex
	balances := map[string]uint64{"alice": 42}
	ledger := fakeLedger{
		evaluate: func(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
			if contract != "baseline" || fn != "Balance" || len(args) != 1 {
				return nil, errors.New("unexpected call")
			}
			if args[0] == "down" {
				return nil, &fabricclient.Error{Op: "evaluate", Kind: fabricclient.ErrUnavailable}
			}
			if args[0] == "slow" {
				<-ctx.Done()
				return nil, &fabricclient.Error{Op: "evaluate", Kind: fabricclient.ErrTimeout, Cause: ctx.Err()}
			}
			mu.Lock()
			defer mu.Unlock()
			return []byte(strconv.FormatUint(balances[args[0]], 10)), nil
		},
		submit: func(ctx context.Context, contract, fn string, args ...string) (fabricclient.Result, error) {
			if contract != "baseline" || fn != "Mint" || len(args) != 2 {
				return fabricclient.Result{}, errors.New("unexpected call")
			}
			mu.Lock()
			defer mu.Unlock()
			n, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return fabricclient.Result{}, err
			}
			balances[args[0]] += n
			return fabricclient.Result{TxID: "tx-" + args[0], BlockNumber: 9}, nil
		},
	}
	ts := newTestServer(t, nil, Config{ReadTimeoutPerRoute: 50 * time.Millisecond}, Deps{Routes: []func(*Routes){BaselineRoutes(ledger)}})

	rec := ts.do(t, req{method: "GET", path: "/v1/ledger/baseline/alice", token: "tok-regulator"})
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"account":"alice","balance":42}` {
		t.Fatalf("balance: %d %s", rec.Code, rec.Body)
	}
	p := decodeProblemBody(t, ts.do(t, req{method: "GET", path: "/v1/ledger/baseline/-bad", token: "tok-core"}), 400, problem.CodeInvalidArgument)
	if len(p.Errors) != 1 || p.Errors[0].Field != "account" {
		t.Errorf("errors %+v", p.Errors)
	}
	decodeProblemBody(t, ts.do(t, req{method: "GET", path: "/v1/ledger/baseline/down", token: "tok-operator"}), 503, problem.CodeUnavailable)
	decodeProblemBody(t, ts.do(t, req{method: "GET", path: "/v1/ledger/baseline/slow", token: "tok-operator"}), 504, problem.CodeTimeout)
	decodeProblemBody(t, ts.do(t, req{method: "GET", path: "/v1/ledger/baseline/alice"}), 401, problem.CodeUnauthenticated)

	mint := req{method: "POST", path: "/v1/ledger/baseline/bob/mint", token: "tok-core", body: `{"amount":5}`, header: map[string]string{HeaderIdempotencyKey: "mint-bob-1"}}
	for range 3 { // retries replay, they do not mint again
		if rec := ts.do(t, mint); rec.Code != 200 {
			t.Fatalf("mint: %d %s", rec.Code, rec.Body)
		}
	}
	if rec := ts.do(t, req{method: "GET", path: "/v1/ledger/baseline/bob", token: "tok-operator"}); !strings.Contains(rec.Body.String(), `"balance":5`) {
		t.Fatalf("after three identical mints: %s", rec.Body)
	}
	mint.token = "tok-supplier"
	decodeProblemBody(t, ts.do(t, mint), 403, problem.CodeForbidden)
}

// TestServeAndShutdown runs the real http.Server: it answers, and when ctx
// ends it closes event streams, lets a request in flight finish and returns.
func TestServeAndShutdown(t *testing.T) {
	started, finish := make(chan struct{}), make(chan struct{})
	ts := newTestServer(t, nil, Config{}, Deps{Routes: []func(*Routes){func(r *Routes) {
		r.GET("/test/hold", func(c *gin.Context) error {
			close(started)
			<-finish
			c.String(200, "finished")
			return nil
		})
	}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- ts.Serve(ctx, ln) }()

	resp, err := http.Get(url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()

	stream := openStream(t, context.Background(), url, "tok-core", "")
	held := make(chan string, 1)
	go func() {
		hr, _ := http.NewRequest("GET", url+"/v1/test/hold", nil)
		hr.Header.Set("Authorization", "Bearer tok-core")
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			held <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		held <- string(b)
	}()
	<-started
	cancel()
	for stream.next(t) != "EOF" { // the stream ends at shutdown
	}
	close(finish)
	if got := <-held; got != "finished" {
		t.Fatalf("in-flight request: %q", got)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

func TestTokens(t *testing.T) {
	ts := newTestServer(t, nil, Config{}, Deps{})
	ctx := context.Background()
	p := Principal{EnterpriseID: "bank-b", Role: model.RoleBank, MSPID: "BankBMSP"}
	tok, err := ts.Tokens().Issue(ctx, p, "ops")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, TokenPrefix) || len(tok) < 40 {
		t.Fatalf("token %q", tok)
	}
	if got, err := ts.Tokens().Lookup(ctx, tok); err != nil || got != p {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	// Only the hash is stored.
	var n int
	if err := ts.deps.DB.SQL.QueryRow(`SELECT COUNT(*) FROM gateway_tokens WHERE token_hash = ? OR enterprise_id = ? AND label LIKE ?`,
		tok, "bank-b", "%"+tok+"%").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the token itself is stored: %d %v", n, err)
	}
	if rec := ts.do(t, req{method: "GET", path: "/v1/me", token: tok}); !strings.Contains(rec.Body.String(), `"enterpriseId":"bank-b"`) {
		t.Fatalf("me: %s", rec.Body)
	}
	if err := ts.Tokens().Revoke(ctx, HashToken(tok)); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Tokens().Lookup(ctx, tok); !errors.Is(err, ErrUnknownToken) {
		t.Fatalf("revoked token: %v", err)
	}
	decodeProblemBody(t, ts.do(t, req{method: "GET", path: "/v1/me", token: tok}), 401, problem.CodeUnauthenticated)

	for _, bad := range []Principal{
		{EnterpriseID: "", Role: model.RoleBank, MSPID: "M"},
		{EnterpriseID: "x", Role: "admin", MSPID: "M"},
		{EnterpriseID: "x", Role: model.RoleBank},
		{EnterpriseID: "has space", Role: model.RoleBank, MSPID: "M"},
	} {
		if _, err := ts.Tokens().Issue(ctx, bad, ""); err == nil {
			t.Errorf("issued a token for %+v", bad)
		}
	}

	// Seeds by hash; a seed whose token and hash disagree is refused.
	seeded := newTestServer(t, nil, Config{Tokens: []SeedToken{{SHA256: HashToken("dev-token"), Principal: p}}}, Deps{})
	if rec := seeded.do(t, req{method: "GET", path: "/v1/me", token: "dev-token"}); rec.Code != 200 {
		t.Fatalf("seeded by hash: %d", rec.Code)
	}
	s, err := New(Config{Tokens: []SeedToken{{Token: "a", SHA256: HashToken("b"), Principal: p}}}, Deps{Logger: ts.log, DB: ts.deps.DB})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(ctx); !errors.Is(err, ErrConfig) {
		t.Fatalf("inconsistent seed: %v", err)
	}
}
