package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		os.Exit(m.Run()) // fuzzing FuzzWriteBodies needs no network
	}
	os.Exit(fabnettest.Main(m, fabnettest.Options{}))
}

// gatewayProc is the operator's gateway of this test binary (the one its
// suppliers act through), serving on a fixed loopback address, that a test
// may stop and start again on the same data directory and port (what a
// restarted gateway process does). The other organisations' gateways run
// beside it (others), each with its own data, and are not restarted.
type gatewayProc struct {
	dir, addr string

	mu     sync.Mutex
	p      *platform.Platform
	cancel context.CancelFunc
	served chan error

	others *platform.Local
	router string // sends each request to its enterprise's gateway
}

var (
	shared    *gatewayProc
	sharedErr error
	sharedMu  sync.Mutex
)

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// gw returns the binary's gateway, starting it on first use.
func gw(t *testing.T) *gatewayProc {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		// Where `tierchain serve --dir <network>` keeps its data, so that
		// TestGatewayCrashDuringLoad can run the binary on the same state.
		g := &gatewayProc{dir: fabnettest.Network().GatewayDir("Operator")}
		// Once more after a failure: the bootstrap has been refused by an
		// endorsing peer a block behind its previous registration
		// (docs/faults.md, smaller findings); these tests are not about it.
		if sharedErr = g.start(context.Background()); sharedErr != nil {
			t.Logf("starting the gateway: %v; once more", sharedErr)
			time.Sleep(time.Second)
			sharedErr = g.start(context.Background())
		}
		if sharedErr == nil {
			sharedErr = g.startOthers(context.Background())
		}
		if sharedErr == nil {
			shared = g
		}
	}
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	// Every test starts on a network that endorses: one that restarted a
	// node may leave discovery a few seconds short of it (docs/faults.md),
	// and the next test's first write must not meet that.
	if err := fabnettest.Network().WaitEndorsable(context.Background()); err != nil {
		t.Fatal(err)
	}
	return shared
}

// descriptions are the test network's organisations' descriptions: the
// operator's, and the others'.
func descriptions() (operator orgconfig.Description, others []orgconfig.Description, err error) {
	ds, err := platformtest.Descriptions()
	if err != nil {
		return operator, nil, err
	}
	for _, d := range ds {
		if d.Org.Role == orgconfig.RoleOperator {
			operator = d
		} else {
			others = append(others, d)
		}
	}
	return operator, others, nil
}

// startOthers starts the other organisations' gateways, once, with the
// operator's at g.base().
func (g *gatewayProc) startOthers(ctx context.Context) error {
	_, others, err := descriptions()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tierchain-faults-")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if g.others, err = platform.StartLocal(ctx, platform.LocalConfig{Descriptions: others, DataDir: dir, Logger: logger(), OperatorURL: g.base()}); err != nil {
		return err
	}
	g.router, err = g.others.Router()
	return err
}

// start builds the operator's platform on the data directory and serves it
// on the gateway's address (a free one the first time).
func (g *gatewayProc) start(ctx context.Context) error {
	d, _, err := descriptions()
	if err != nil {
		return err
	}
	p, err := platform.New(ctx, platform.Config{Org: d, DataDir: g.dir, Logger: logger()})
	if err != nil {
		return err
	}
	g.mu.Lock()
	addr := g.addr
	g.mu.Unlock()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	for try := 0; ; try++ {
		if ln, err = net.Listen("tcp", addr); err == nil || try == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		p.Close()
		return err
	}
	sctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(sctx, ln) }()
	g.mu.Lock()
	g.p, g.cancel, g.served, g.addr = p, cancel, served, ln.Addr().String()
	g.mu.Unlock()
	return nil
}

// stop shuts the gateway down as on SIGTERM (in-flight requests finish,
// new connections are refused) and releases its database and ledger
// connections.
func (g *gatewayProc) stop() error {
	g.mu.Lock()
	p, cancel, served := g.p, g.cancel, g.served
	g.mu.Unlock()
	cancel()
	err := <-served
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, p.Close())
}

// restart stops the gateway and starts a new one on the same data
// directory and port.
func (g *gatewayProc) restart(ctx context.Context) error {
	if err := g.stop(); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	return g.start(ctx)
}

func (g *gatewayProc) platform() *platform.Platform {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.p
}

func (g *gatewayProc) base() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return "http://" + g.addr
}

// tokens are the founding enterprises' dev tokens, each at its own
// gateway.
func (g *gatewayProc) tokens() map[string]string {
	out := g.others.Tokens()
	for id, tok := range g.platform().Tokens {
		out[id] = tok
	}
	return out
}

func (g *gatewayProc) token(id string) string { return g.tokens()[id] }

// url is the base URL of the gateway enterprise id acts through: its
// organisation's for a founder, the operator's (this one) for a supplier.
func (g *gatewayProc) url(id string) string {
	if o := g.others.For(id); o != nil {
		return o.URL
	}
	return g.base()
}

// client is the demo's client as enterprise id (a founder), at its own
// gateway.
func (g *gatewayProc) client(id string) *demo.Client {
	return &demo.Client{Base: g.url(id), Token: g.token(id)}
}

// story runs the demo story up to the financing: three fresh suppliers,
// tier 1 holding its change of 600,000.00, tier 2 its change of
// 250,000.00, tier 3 a token of 150,000.00, all ACTIVE.
func (g *gatewayProc) story(t *testing.T, ctx context.Context, suffix string) *demo.Result {
	t.Helper()
	start := time.Now()
	var res *demo.Result
	for attempt := 1; ; attempt++ {
		// Unique per run, so that -count=N onboards new suppliers each time.
		unique := suffix + "-" + strconv.FormatInt(time.Now().UnixMilli()%1e6, 36)
		var err error
		res, err = demo.Run(ctx, demo.Config{Base: g.router, Tokens: g.tokens(), Maturity: time.Hour,
			Suffix: unique, StopBefore: "finance"})
		if err == nil {
			suffix = unique
			break
		}
		if attempt == 2 {
			t.Fatal(err)
		}
		// A write right after the one it depends on has been refused by a
		// peer a block behind (docs/faults.md); the story is not the test.
		t.Logf("story %s: %v; once more with new suppliers", unique, err)
	}
	t.Logf("story %s: 3 suppliers, 3 active tokens in %s", suffix, time.Since(start).Round(time.Millisecond))
	return res
}

// withStory is the start of a test that needs fresh suppliers holding
// tokens: the gateway, a context the test's length, and the story's result.
func withStory(t *testing.T, suffix string) (*gatewayProc, context.Context, *demo.Result) {
	t.Helper()
	g := gw(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	return g, ctx, g.story(t, ctx, suffix)
}

// holding is one supplier's unspent token from a story, and another
// supplier to pay.
type holding struct {
	holder, apiToken, other, token string
}

// pool hands out the three tokens of one story to three tests: each story
// issues 1,000,000.00 against carmaker's line at Bank A, whose limit the
// story's grant resets to 5,000,000.00, so a network holds five stories.
var pool struct {
	sync.Mutex
	res  *demo.Result
	next int
}

// withHolding is the start of a test that needs one supplier's token.
func withHolding(t *testing.T) (*gatewayProc, context.Context, holding) {
	t.Helper()
	g := gw(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	pool.Lock()
	defer pool.Unlock()
	if pool.res == nil || pool.next == len(pool.res.Held) {
		pool.res, pool.next = g.story(t, ctx, "-pool"), 0
	}
	i, r := pool.next, pool.res
	pool.next++
	return g, ctx, holding{holder: r.Suppliers[i], apiToken: r.SupplierTokens[i], other: r.Suppliers[(i+1)%3], token: r.Held[i].ID}
}

// reply is one HTTP exchange: the status (0 when no response came), the
// problem's code, the body, and the transport error.
type reply struct {
	status   int
	code     string
	body     []byte
	header   http.Header
	err      error
	sent     time.Time
	duration time.Duration
}

func (r reply) String() string {
	if r.err != nil {
		return "transport: " + r.err.Error()
	}
	return fmt.Sprintf("%d %s", r.status, r.code)
}

// kind is the reply's status and code, or the transport error's cause
// without the request's URL.
func (r reply) kind() string {
	if r.err != nil {
		var ue *url.Error
		if errors.As(r.err, &ue) {
			return "no answer: " + ue.Err.Error()
		}
		return "no answer: " + r.err.Error()
	}
	return r.String()
}

var httpClient = &http.Client{Timeout: 2 * time.Minute}

// send makes one request with exactly the headers given (no retries, no
// generated Idempotency-Key).
func send(ctx context.Context, method, url string, header map[string]string, body []byte) reply {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	return sendReader(ctx, method, url, header, r)
}

// sendReader is send with a body of unknown length (sent chunked) unless r
// is a *bytes.Reader.
func sendReader(ctx context.Context, method, url string, header map[string]string, r io.Reader) reply {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return reply{err: err, sent: start}
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return reply{err: err, sent: start, duration: time.Since(start)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	out := reply{status: resp.StatusCode, body: data, header: resp.Header, err: err, sent: start, duration: time.Since(start)}
	if resp.StatusCode/100 != 2 {
		var p struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(data, &p) == nil {
			out.code = p.Code
		}
	}
	return out
}

// write sends a JSON write as the bearer of token with the given
// Idempotency-Key.
func write(ctx context.Context, base, token, key, path string, body any) reply {
	h := map[string]string{"Authorization": "Bearer " + token, "Idempotency-Key": key}
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return reply{err: err}
		}
		h["Content-Type"] = "application/json"
	}
	return send(ctx, http.MethodPost, base+path, h, raw)
}

// retryAfter is the reply's Retry-After, or def.
func (r reply) retryAfter(def time.Duration) time.Duration {
	if r.header != nil {
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err == nil && s > 0 {
			return min(time.Duration(s)*time.Second, 2*time.Second)
		}
	}
	return def
}
