package networktest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/store/storetest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode) // no route table on stdout
	os.Exit(fabnettest.Main(m, fabnettest.Options{}))
}

const (
	coreToken     = "it-core-token-0123456789"
	supplierToken = "it-supplier-token-012345"
	operatorToken = "it-operator-token-012345"
)

// startGateway serves a gateway signing as Core's User1 on a loopback
// port and returns its base URL; it shuts down (and must do so cleanly)
// when the test ends.
func startGateway(t *testing.T) string {
	t.Helper()
	conn := fabnettest.Connect(t, "Core", "User1")
	ledger := fabricclient.New(conn.Gateway, fabricclient.Options{
		Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName, MSPID: "CoreMSP",
	})
	srv, err := gateway.New(gateway.Config{
		Tokens: []gateway.SeedToken{
			{Token: coreToken, Principal: gateway.Principal{EnterpriseID: "core-1", Role: model.RoleCore, MSPID: "CoreMSP"}},
			{Token: supplierToken, Principal: gateway.Principal{EnterpriseID: "tier1", Role: model.RoleSupplier, MSPID: "OperatorMSP"}},
			{Token: operatorToken, Principal: gateway.Principal{EnterpriseID: "operator", Role: model.RoleOperator, MSPID: "OperatorMSP"}},
		},
		EventsHeartbeat: 200 * time.Millisecond,
	}, gateway.Deps{
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		DB:          storetest.SQLite(t),
		Routes:      []func(*gateway.Routes){gateway.BaselineRoutes(ledger)},
		ReadyChecks: map[string]func(context.Context) error{"ledger": ledger.Ping},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the gateway did not shut down")
		}
	})
	return "http://" + ln.Addr().String()
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func call(t *testing.T, method, url, token, idemKey, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func balance(t *testing.T, base, account string) uint64 {
	t.Helper()
	r := call(t, http.MethodGet, base+"/v1/ledger/baseline/"+account, operatorToken, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("balance: %d %s", r.status, r.body)
	}
	var b gateway.BaselineBalance
	if err := json.Unmarshal(r.body, &b); err != nil {
		t.Fatal(err)
	}
	return b.Balance
}

func problemCode(t *testing.T, r response, status int) string {
	t.Helper()
	if r.status != status || r.header.Get("Content-Type") != problem.MediaType {
		t.Fatalf("got %d %s %s, want a %d problem", r.status, r.header.Get("Content-Type"), r.body, status)
	}
	var p problem.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	return p.Code
}

// TestMintOverHTTP is the stack end to end: a mint through the gateway is
// committed on the real network and read back; the same Idempotency-Key
// replays without minting again.
func TestMintOverHTTP(t *testing.T) {
	base := startGateway(t)
	if r := call(t, http.MethodGet, base+"/readyz", "", "", ""); r.status != http.StatusOK {
		t.Fatalf("readyz: %d %s", r.status, r.body)
	}

	// An event stream opened before the mint sees it.
	events := openEvents(t, base, coreToken)

	const account, key = "it-acme", "mint-acme-1"
	url := base + "/v1/ledger/baseline/" + account + "/mint"
	first := call(t, http.MethodPost, url, coreToken, key, `{"amount":7}`)
	if first.status != http.StatusOK {
		t.Fatalf("mint: %d %s", first.status, first.body)
	}
	var minted gateway.MintResponse
	if err := json.Unmarshal(first.body, &minted); err != nil {
		t.Fatal(err)
	}
	if minted.TxID == "" || minted.BlockNumber == 0 || minted.Amount != 7 {
		t.Fatalf("mint response %+v", minted)
	}
	if got := balance(t, base, account); got != 7 {
		t.Fatalf("balance %d after the mint, want 7", got)
	}

	// The client did not see the answer and retries: same key, same body.
	retry := call(t, http.MethodPost, url, coreToken, key, `{"amount":7}`)
	if retry.status != http.StatusOK || string(retry.body) != string(first.body) || retry.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %q replayed=%q, want the first response replayed", retry.status, retry.body, retry.header.Get("Idempotent-Replayed"))
	}
	if got := balance(t, base, account); got != 7 {
		t.Fatalf("balance %d after the retry: minted twice", got)
	}

	// The same key for another request is refused; no key at all too.
	if code := problemCode(t, call(t, http.MethodPost, url, coreToken, key, `{"amount":8}`), http.StatusUnprocessableEntity); code != problem.CodeIdempotencyKeyReused {
		t.Fatalf("reused key: code %s", code)
	}
	if code := problemCode(t, call(t, http.MethodPost, url, coreToken, "", `{"amount":8}`), http.StatusBadRequest); code != problem.CodeInvalidArgument {
		t.Fatalf("no key: code %s", code)
	}
	// A supplier may not mint; nothing reaches the ledger.
	if code := problemCode(t, call(t, http.MethodPost, url, supplierToken, "mint-by-supplier", `{"amount":1}`), http.StatusForbidden); code != problem.CodeForbidden {
		t.Fatalf("supplier mint: code %s", code)
	}
	if got := balance(t, base, account); got != 7 {
		t.Fatalf("balance %d after refused writes, want 7", got)
	}

	// The metrics saw the mints, by route pattern (never the raw path).
	m := call(t, http.MethodGet, base+"/metrics", operatorToken, "", "")
	if m.status != http.StatusOK || !strings.Contains(string(m.body), `route="/v1/ledger/baseline/:account/mint"`) {
		t.Fatalf("metrics: %d, no series for the mint route", m.status)
	}

	select {
	case ev := <-events:
		if ev.typ != "baseline.minted" || !strings.Contains(ev.data, minted.TxID) {
			t.Fatalf("event %+v, want baseline.minted of %s", ev, minted.TxID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event for the mint")
	}
}

type sseEvent struct{ id, typ, data string }

// openEvents reads /v1/events in the background and sends each event.
func openEvents(t *testing.T, base, token string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 16)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.typ != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.typ = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
		if err := sc.Err(); err != nil && !errors.Is(err, context.Canceled) {
			return
		}
	}()
	return out
}
