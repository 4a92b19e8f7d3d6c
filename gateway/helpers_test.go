package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// Test tokens, one per role.
var testPrincipals = map[string]Principal{
	"tok-core":      {EnterpriseID: "core-1", Role: model.RoleCore, MSPID: "CoreMSP"},
	"tok-supplier":  {EnterpriseID: "sup-1", Role: model.RoleSupplier, MSPID: "OperatorMSP"},
	"tok-supplier2": {EnterpriseID: "sup-2", Role: model.RoleSupplier, MSPID: "OperatorMSP"},
	"tok-bank":      {EnterpriseID: "bank-a", Role: model.RoleBank, MSPID: "BankAMSP"},
	"tok-regulator": {EnterpriseID: "reg", Role: model.RoleRegulator, MSPID: "RegulatorMSP"},
	"tok-operator":  {EnterpriseID: "operator", Role: model.RoleOperator, MSPID: "OperatorMSP"},
}

// fakeClock is a settable clock for TTL tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logBuffer collects log output for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type testServer struct {
	*Server
	logs  *logBuffer
	clock *fakeClock
}

// newTestServer builds a prepared server over db (a fresh SQLite when nil),
// with a token per role, then applies the tweaks.
func newTestServer(t testing.TB, db *store.DB, cfg Config, deps Deps) *testServer {
	t.Helper()
	if db == nil {
		db = storetest.SQLite(t)
	}
	logs := &logBuffer{}
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	deps.DB = db
	deps.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if deps.Now == nil {
		deps.Now = clock.Now
	}
	for tok, p := range testPrincipals {
		cfg.Tokens = append(cfg.Tokens, SeedToken{Token: tok, Principal: p})
	}
	s, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &testServer{Server: s, logs: logs, clock: clock}
}

// req is one test request.
type req struct {
	method, path, token, body string
	header                    map[string]string
}

func (ts *testServer) do(t testing.TB, r req) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, hr)
	return rec
}

// decodeProblemBody checks that rec is a problem+json response with status
// and code, and returns it.
func decodeProblemBody(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) problem.Problem {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != problem.MediaType {
		t.Fatalf("Content-Type %q, want %q; body %s", ct, problem.MediaType, rec.Body)
	}
	var p problem.Problem
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	if p.Status != status || p.Code != code || p.Type != problem.TypeURI(code) || p.Title == "" {
		t.Fatalf("problem %+v, want status %d code %s", p, status, code)
	}
	if p.RequestID == "" || p.RequestID != rec.Header().Get(HeaderRequestID) {
		t.Fatalf("problem requestId %q, header %q", p.RequestID, rec.Header().Get(HeaderRequestID))
	}
	return p
}

// fakeLedger answers from functions.
type fakeLedger struct {
	evaluate func(ctx context.Context, contract, fn string, args ...string) ([]byte, error)
	submit   func(ctx context.Context, contract, fn string, args ...string) (fabricclient.Result, error)
}

func (f fakeLedger) Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
	return f.evaluate(ctx, contract, fn, args...)
}

func (f fakeLedger) Submit(ctx context.Context, contract, fn string, args ...string) (fabricclient.Result, error) {
	return f.submit(ctx, contract, fn, args...)
}

func newRequest(t testing.TB, method, path, token, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	hr := httptest.NewRequest(method, path, rd)
	if body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	return hr
}

func serve(ts *testServer, hr *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	ts.Handler().ServeHTTP(rec, hr)
	return rec
}

// serveRun serves ts on a local port, so that its run beats, and returns
// its URL once the run is registered, and a function that stops it (as a
// graceful shutdown) and waits for Serve; the test's end calls it too.
func serveRun(t *testing.T, ts *testServer) (url string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- ts.Serve(ctx, ln) }()
	for deadline := time.Now().Add(10 * time.Second); !runBeat(t, ts.deps.DB, ts.idem.Run()).Valid; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the served run did not register")
		}
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-served; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
}
