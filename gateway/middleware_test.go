package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
)

// testRoutes are handlers that exercise the middleware.
func testRoutes(r *Routes) {
	r.GET("/test/panic", func(c *gin.Context) error { panic("secret internal state 0xdeadbeef") })
	r.GET("/test/fail", func(c *gin.Context) error {
		c.Header("Location", "/v1/test/created")
		c.Header("ETag", `"v1"`)
		return fmt.Errorf("db password=hunter2 at 10.0.0.7: %w", errors.New("connection refused"))
	})
	r.GET("/test/slow", func(c *gin.Context) error {
		<-c.Request.Context().Done()
		return c.Request.Context().Err()
	})
	r.GET("/test/unavailable", func(c *gin.Context) error {
		return &fabricclient.Error{Op: "evaluate baseline:Balance", Kind: fabricclient.ErrUnavailable, Cause: errors.New("dial tcp 10.1.2.3:7051")}
	})
	r.GET("/test/bank-only", func(c *gin.Context) error {
		c.JSON(http.StatusOK, gin.H{"ok": true})
		return nil
	}, model.RoleBank)
	r.Handle(http.MethodPost, "/test/echo", Options{MaxBodyBytes: 64}, func(c *gin.Context) error {
		var body struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
		}
		if err := DecodeJSON(c, &body); err != nil {
			return err
		}
		c.JSON(http.StatusOK, body)
		return nil
	})
}

func TestMiddleware(t *testing.T) {
	ts := newTestServer(t, nil, Config{ReadTimeoutPerRoute: 50 * time.Millisecond}, Deps{Routes: []func(*Routes){testRoutes}})
	idem := map[string]string{HeaderIdempotencyKey: "k1"}
	tests := []struct {
		name   string
		req    req
		status int
		code   string // "" for a non-problem response
		check  func(t *testing.T, p problem.Problem)
	}{
		{name: "panic is a 500 without internals", req: req{method: "GET", path: "/v1/test/panic", token: "tok-core"},
			status: 500, code: problem.CodeInternal},
		{name: "error is a 500 without internals", req: req{method: "GET", path: "/v1/test/fail", token: "tok-core"},
			status: 500, code: problem.CodeInternal},
		{name: "no token", req: req{method: "GET", path: "/v1/me"}, status: 401, code: problem.CodeUnauthenticated},
		{name: "unknown token", req: req{method: "GET", path: "/v1/me", token: "tok-nobody"}, status: 401, code: problem.CodeUnauthenticated},
		{name: "basic auth", req: req{method: "GET", path: "/v1/me", header: map[string]string{"Authorization": "Basic dXNlcjpwdw=="}},
			status: 401, code: problem.CodeUnauthenticated},
		{name: "empty bearer", req: req{method: "GET", path: "/v1/me", header: map[string]string{"Authorization": "Bearer "}},
			status: 401, code: problem.CodeUnauthenticated},
		{name: "good token", req: req{method: "GET", path: "/v1/me", token: "tok-bank"}, status: 200},
		{name: "wrong role", req: req{method: "GET", path: "/v1/test/bank-only", token: "tok-supplier"}, status: 403, code: problem.CodeForbidden},
		{name: "right role", req: req{method: "GET", path: "/v1/test/bank-only", token: "tok-bank"}, status: 200},
		{name: "auth before routing detail", req: req{method: "GET", path: "/v1/test/bank-only"}, status: 401, code: problem.CodeUnauthenticated},
		{name: "deadline is a 504", req: req{method: "GET", path: "/v1/test/slow", token: "tok-core"}, status: 504, code: problem.CodeTimeout},
		{name: "ledger unavailable is a 503", req: req{method: "GET", path: "/v1/test/unavailable", token: "tok-core"}, status: 503, code: problem.CodeUnavailable},
		{name: "unknown route", req: req{method: "GET", path: "/v2/nothing"}, status: 404, code: problem.CodeNotFound},
		{name: "wrong method", req: req{method: "DELETE", path: "/healthz"}, status: 405, code: problem.CodeMethodNotAllowed},
		{name: "good body", req: req{method: "POST", path: "/v1/test/echo", token: "tok-core", body: `{"name":"a","count":2}`, header: idem}, status: 200},
		{name: "malformed body", req: req{method: "POST", path: "/v1/test/echo", token: "tok-core", body: `{"name":`, header: idem},
			status: 400, code: problem.CodeInvalidArgument},
		{name: "unknown field", req: req{method: "POST", path: "/v1/test/echo", token: "tok-core", body: `{"nam":"a"}`, header: idem},
			status: 400, code: problem.CodeInvalidArgument, check: func(t *testing.T, p problem.Problem) {
				if len(p.Errors) != 1 || p.Errors[0].Field != "nam" {
					t.Errorf("errors %+v, want the field nam", p.Errors)
				}
			}},
		{name: "two values", req: req{method: "POST", path: "/v1/test/echo", token: "tok-core", body: `{"name":"a"} {"name":"b"}`, header: idem},
			status: 400, code: problem.CodeInvalidArgument},
		{name: "wrong type", req: req{method: "POST", path: "/v1/test/echo", token: "tok-core", body: `{"count":"x"}`, header: idem},
			status: 400, code: problem.CodeInvalidArgument},
		{name: "oversized body", req: req{method: "POST", path: "/v1/test/echo", token: "tok-core", body: `{"name":"` + strings.Repeat("a", 100) + `"}`, header: idem},
			status: 413, code: problem.CodePayloadTooLarge},
		{name: "not JSON", req: req{method: "POST", path: "/v1/test/echo", token: "tok-core", body: `name=a`,
			header: map[string]string{HeaderIdempotencyKey: "k1", "Content-Type": "application/x-www-form-urlencoded"}},
			status: 415, code: problem.CodeUnsupportedMedia},
		{name: "write without Idempotency-Key", req: req{method: "POST", path: "/v1/test/echo", token: "tok-core", body: `{}`},
			status: 400, code: problem.CodeInvalidArgument, check: func(t *testing.T, p problem.Problem) {
				if len(p.Errors) != 1 || p.Errors[0].Field != HeaderIdempotencyKey {
					t.Errorf("errors %+v", p.Errors)
				}
			}},
		{name: "bad Idempotency-Key", req: req{method: "POST", path: "/v1/test/echo", token: "tok-core", body: `{}`,
			header: map[string]string{HeaderIdempotencyKey: "has space"}}, status: 400, code: problem.CodeInvalidArgument},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A distinct key per case: the table shares one store.
			if tt.req.header[HeaderIdempotencyKey] == "k1" {
				h := map[string]string{}
				for k, v := range tt.req.header {
					h[k] = v
				}
				h[HeaderIdempotencyKey] = fmt.Sprintf("case-%d", i)
				tt.req.header = h
			}
			rec := ts.do(t, tt.req)
			if tt.code == "" {
				if rec.Code != tt.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
				}
				return
			}
			body := rec.Body.String()
			p := decodeProblemBody(t, rec, tt.status, tt.code)
			if p.Instance != strings.SplitN(tt.req.path, "?", 2)[0] {
				t.Errorf("instance %q", p.Instance)
			}
			if tt.status >= 500 {
				for _, secret := range []string{"secret", "deadbeef", "hunter2", "10.0.0.7", "10.1.2.3", "goroutine", "refused"} {
					if strings.Contains(body, secret) {
						t.Errorf("5xx body leaks %q: %s", secret, body)
					}
				}
			}
			if rec.Header().Get("Location") != "" || rec.Header().Get("ETag") != "" {
				t.Errorf("problem carries the handler's success headers: %v", rec.Header())
			}
			if tt.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if tt.status == 503 && rec.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}

	// The log has what the body does not.
	logs := ts.logs.String()
	for _, want := range []string{"secret internal state 0xdeadbeef", "runtime/debug.Stack", "hunter2", `"msg":"http request"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestRequestID(t *testing.T) {
	ts := newTestServer(t, nil, Config{}, Deps{})
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tt := range []struct {
		in   string
		keep bool
	}{
		{"", false},
		{"abc-123", true},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"trace:span.1_2", true},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{"-leading-dash", false},
		{"has space", false},
		{"new\nline", false},
		{"<script>", false},
		{"ünïcode", false},
	} {
		r := req{method: "GET", path: "/healthz", header: map[string]string{}}
		if tt.in != "" {
			r.header[HeaderRequestID] = tt.in
		}
		rec := ts.do(t, r)
		got := rec.Header().Get(HeaderRequestID)
		switch {
		case tt.keep && got != tt.in:
			t.Errorf("%q: echoed %q", tt.in, got)
		case !tt.keep && !generated.MatchString(got):
			t.Errorf("%q: replaced by %q, want a generated ID", tt.in, got)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	cc := func(code, msg string) error {
		return &fabricclient.ChaincodeError{Op: "submit tierchain:Split", TxID: "tx1", Code: code, Message: msg}
	}
	for _, tt := range []struct {
		err    error
		status int
		code   string
	}{
		{Invalid("bad"), 400, problem.CodeInvalidArgument},
		{cc("NOT_FOUND", "token t1"), 404, "NOT_FOUND"},
		{cc("CONFLICT", "token t1 is already spent"), 409, "CONFLICT"},
		{cc("INVALID_STATE", "token t1 is FINANCING"), 409, "INVALID_STATE"},
		{cc("INVALID_PROOF", "range proof"), 422, "INVALID_PROOF"},
		{cc("INVALID_ARGUMENT", "amount"), 400, "INVALID_ARGUMENT"},
		{cc("FORBIDDEN", "not the holder"), 403, "FORBIDDEN"},
		{cc("UNAUTHORIZED", "enterprise suspended"), 403, "UNAUTHORIZED"},
		{cc("INTERNAL", "corrupt state"), 500, problem.CodeInternal},
		{cc("SOMETHING_NEW", "later code"), 422, "SOMETHING_NEW"},
		{cc("", "untyped: stack trace here"), 502, problem.CodeLedgerRejected},
		{model.Errorf(model.CodeNotFound, "invoice i1"), 404, "NOT_FOUND"},
		{fmt.Errorf("service: %w", model.Errorf(model.CodeConflict, "fingerprint used")), 409, "CONFLICT"},
		{&fabricclient.NotCommittedError{TxID: "tx", Code: 11}, 409, problem.CodeLedgerConflict},
		{&fabricclient.NotCommittedError{TxID: "tx", Code: 10}, 502, problem.CodeNotCommitted},
		{&fabricclient.Error{Op: "submit", Kind: fabricclient.ErrUnavailable}, 503, problem.CodeUnavailable},
		{&fabricclient.Error{Op: "submit", Kind: fabricclient.ErrTimeout}, 504, problem.CodeTimeout},
		{&fabricclient.Error{Op: "submit", Kind: fabricclient.ErrUnknownOutcome}, 504, problem.CodeOutcomeUnknown},
		{&fabricclient.Error{Op: "submit", Kind: fabricclient.ErrForbidden}, 403, problem.CodeForbidden},
		{&fabricclient.Error{Op: "submit", Kind: fabricclient.ErrRejected}, 502, problem.CodeLedgerRejected},
		{context.DeadlineExceeded, 504, problem.CodeTimeout},
		{fmt.Errorf("query: %w", context.DeadlineExceeded), 504, problem.CodeTimeout},
		{&http.MaxBytesError{Limit: 10}, 413, problem.CodePayloadTooLarge},
		{errors.New("anything else"), 500, problem.CodeInternal},
	} {
		p := toProblem(tt.err)
		if p.Status != tt.status || p.Code != tt.code {
			t.Errorf("%v: %d %s, want %d %s", tt.err, p.Status, p.Code, tt.status, tt.code)
		}
		if p.Status >= 500 && strings.Contains(p.Detail, tt.err.Error()) {
			t.Errorf("%v: 5xx detail carries the error: %q", tt.err, p.Detail)
		}
	}
}

func TestCanceledRequestIsLoggedNotRendered(t *testing.T) {
	ts := newTestServer(t, nil, Config{}, Deps{Routes: []func(*Routes){testRoutes}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	hr := newRequest(t, "GET", "/v1/test/slow", "tok-core", "").WithContext(ctx)
	rec := serve(ts, hr)
	if rec.Code != statusClientClosed || rec.Body.Len() != 0 {
		t.Fatalf("status %d body %q", rec.Code, rec.Body)
	}
	if !strings.Contains(ts.logs.String(), `"status":499`) {
		t.Error("access log lacks status 499")
	}
}

func TestHandlerProblem5xxDetailIsGeneric(t *testing.T) {
	p := toProblem(problem.New(http.StatusInternalServerError, problem.CodeInternal, "pq: password authentication failed for 10.0.0.7"))
	if p.Detail != detailInternal {
		t.Fatalf("detail %q", p.Detail)
	}
	p = toProblem(problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable, "db at 10.0.0.7 down").WithErrors(problem.FieldError{Field: "database", Reason: "not ready"}))
	if p.Detail != detailUnavailable || len(p.Errors) != 1 {
		t.Fatalf("problem %+v", p)
	}
}
