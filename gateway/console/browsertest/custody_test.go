package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/gateway/console"
	"github.com/tierchain/tierchain/internal/demo"
)

// walletSite serves the console with the WebAssembly wallet built from
// cmd/tierwallet-wasm (as `tierchain serve --wallet-wasm` does), and passes
// /v1 to the consortium's router: one origin, as a gateway serving the
// console and its API has.
func walletSite(t *testing.T, router string) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "wallet.wasm"), "../../../cmd/tierwallet-wasm")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the wasm wallet: %v\n%s", err, out)
	}
	target, err := url.Parse(router)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", httputil.NewSingleHostReverseProxy(target))
	mux.Handle("/console/", http.StripPrefix("/console", console.HandlerWithWallet(filepath.Join(dir, "wallet.wasm"))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// waitStatus waits for the page's status line to hold want; an error on
// it ends the wait.
func (p *page) waitStatus(want string) {
	p.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got := p.text("#status")
		if strings.Contains(got, want) {
			return
		}
		if strings.HasPrefix(got, "Error:") || time.Now().After(deadline) {
			p.shot("failure")
			p.t.Fatalf("waiting for %q, the page says %q", want, got)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestSelfCustodyInBrowser: a supplier signs up in self-custody on the
// console's wallet page (keys made in the browser, sealed in IndexedDB),
// the operator registers it, a hosted supplier pays it a piece, the page
// opens it, splits it and requests financing, proving and signing in
// WebAssembly; then the browser's storage is wiped and the wallet comes
// back from the key file and the chain. The gateway's database holds no
// private key or opening of it, and no request body the browser sent
// carried an amount.
func TestSelfCustodyInBrowser(t *testing.T) {
	c, _, res := playOverREST(t, demo.Config{Suffix: "-w", Maturity: time.Hour, StopBefore: "pay"})
	site := walletSite(t, c.Router)
	b := newPage(t, site, 5*time.Minute)

	var mu sync.Mutex
	var bodies []string
	chromedp.ListenTarget(b.ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request.HasPostData {
			var body strings.Builder
			for _, d := range e.Request.PostDataEntries {
				raw, _ := base64.StdEncoding.DecodeString(d.Bytes)
				body.Write(raw)
			}
			mu.Lock()
			bodies = append(bodies, e.Request.URL+" "+body.String())
			mu.Unlock()
		}
	})
	b.run(network.Enable())

	id := "browser-w"
	const pass = "correct horse battery"
	b.run(chromedp.Navigate(site + "/console/custody.html"))
	b.waitStatus("Ready.")
	b.run(chromedp.SendKeys(`#create input[name=id]`, id, chromedp.ByQuery),
		chromedp.SendKeys(`#create input[name=name]`, "Browser Parts AS", chromedp.ByQuery),
		chromedp.SendKeys(`#create input[name=legalId]`, demo.SupplierLegalID(2, "-browser"), chromedp.ByQuery),
		chromedp.SendKeys(`#create input[name=passphrase]`, pass, chromedp.ByQuery),
		chromedp.Click(`#create button`, chromedp.ByQuery))
	b.waitStatus("waiting for the operator")
	request := b.text("#request")
	if strings.Contains(request, "PRIVATE") {
		t.Fatal("the onboarding request carries a private key")
	}

	// The operator registers it after KYC.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	op := &demo.Client{Base: c.URL("x"), Token: c.Token("operator")}
	var answer json.RawMessage
	if err := op.DoJSON(ctx, http.MethodPost, "/v1/custody/enterprises", []byte(request), &answer); err != nil {
		t.Fatal(err)
	}
	b.eval(fmt.Sprintf(`document.querySelector("#accept textarea").value = %q`, string(answer)), nil)
	b.run(chromedp.Click(`#accept button`, chromedp.ByQuery))
	b.waitStatus("Unlocked " + id)
	b.shot("onboarded")

	// Tier 1 (hosted) pays it 100,000.00.
	tier1 := &demo.Client{Base: c.URL(res.Suppliers[0]), Token: res.SupplierTokens[0]}
	var paid struct {
		Tokens []demo.Token `json:"tokens"`
	}
	if err := tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+res.Held[0].ID+"/split", map[string]any{
		"outputs": []map[string]string{{"to": id, "amount": "100000.00"}}}, &paid); err != nil {
		t.Fatal(err)
	}
	piece := paid.Tokens[0].ID
	b.run(chromedp.Click("#sync", chromedp.ByID))
	b.waitStatus("Synced")
	b.waitText(fmt.Sprintf(`#holdings tr[data-token=%q]`, piece), false, "100,000.00", "ACTIVE")
	b.shot("received")

	b.run(chromedp.SendKeys(`#split input[name=token]`, piece, chromedp.ByQuery),
		chromedp.SendKeys(`#split input[name=to]`, res.Suppliers[1], chromedp.ByQuery),
		chromedp.SendKeys(`#split input[name=amount]`, "30000.00", chromedp.ByQuery),
		chromedp.Click(`#split button`, chromedp.ByQuery))
	b.waitStatus("Split committed")
	var toks []struct{ ID, Holder string }
	if err := json.Unmarshal([]byte(b.text("#result")), &toks); err != nil || len(toks) != 2 || toks[1].Holder != id {
		t.Fatalf("split result %q (%v)", b.text("#result"), err)
	}
	change := toks[1].ID
	b.run(chromedp.Click("#sync", chromedp.ByID))
	b.waitStatus("Synced")
	b.waitText(fmt.Sprintf(`#holdings tr[data-token=%q]`, change), false, "70,000.00", "ACTIVE")

	b.run(chromedp.SendKeys(`#finance input[name=token]`, change, chromedp.ByQuery),
		chromedp.SendKeys(`#finance input[name=bank]`, "bankA", chromedp.ByQuery),
		chromedp.Click(`#finance button`, chromedp.ByQuery))
	b.waitStatus("Financing requested")
	if r := b.text("#result"); !strings.Contains(r, "FINANCING") {
		t.Fatalf("financing result %q", r)
	}
	b.shot("financing-requested")

	// The browser's storage wiped: the key file restored, the wallet
	// rebuilt from the chain.
	backup := b.text("#backup")
	b.eval(`new Promise((ok, fail) => { const r = indexedDB.deleteDatabase("tierchain-custody"); r.onsuccess = () => ok(true); r.onerror = () => fail(r.error); })`, nil)
	b.run(chromedp.Reload())
	b.waitStatus("Ready.")
	if b.text("#backup") != "" {
		t.Fatal("the key file survived the wipe")
	}
	b.eval(fmt.Sprintf(`document.querySelector("#import textarea").value = %q`, backup), nil)
	b.run(chromedp.Click(`#import button`, chromedp.ByQuery))
	b.waitStatus("Key file restored")
	b.run(chromedp.SendKeys(`#unlock input[name=passphrase]`, "a wrong passphrase", chromedp.ByQuery),
		chromedp.Click(`#unlock button`, chromedp.ByQuery))
	b.waitStatus("Error:")
	b.eval(`document.querySelector("#status").textContent = "…"`, nil)
	b.run(chromedp.SetValue(`#unlock input[name=passphrase]`, pass, chromedp.ByQuery),
		chromedp.Click(`#unlock button`, chromedp.ByQuery))
	b.waitStatus("Unlocked " + id)
	b.run(chromedp.Click("#sync", chromedp.ByID))
	b.waitStatus("Synced")
	b.waitText(fmt.Sprintf(`#holdings tr[data-token=%q]`, change), false, "70,000.00", "FINANCING")
	b.shot("rebuilt")

	// The gateway holds nothing secret of it, and saw no amount.
	opGW := c.Gateway("Operator")
	for _, q := range []string{
		`SELECT COUNT(*) FROM wallet_keys WHERE enterprise_id = ?`,
		`SELECT COUNT(*) FROM wallet_openings WHERE enterprise_id = ?`,
		`SELECT COUNT(*) FROM directory_members WHERE id = ?`,
	} {
		var n int
		if err := opGW.DB.SQL.QueryRowContext(ctx, opGW.DB.Rebind(q), id).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows, %v", q, n, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	relayed := 0
	for _, body := range bodies {
		if strings.Contains(body, "/v1/relay/") {
			relayed++
		}
		for _, amount := range []string{"10000000", "100000.00", "3000000", "30000.00", "7000000", "70000.00"} {
			if bytes.Contains([]byte(body), []byte(amount)) {
				t.Errorf("a request body carried the amount %s: %.200s", amount, body)
			}
		}
	}
	if relayed < 6 {
		t.Fatalf("saw %d relayed request bodies; the capture is not working", relayed)
	}
}
