package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/testenv"
)

// BrowserEnv names the Chromium binary to drive; without it the tests look
// for chromium, chromium-browser, google-chrome and headless-shell on PATH.
const BrowserEnv = "TIERCHAIN_CHROMIUM"

// ArtifactsEnv names the directory the screenshots are kept in (a
// subdirectory per test); without it they go to
// <repo>/.tierchain/artifacts/browser.
const ArtifactsEnv = "TIERCHAIN_ARTIFACTS"

var browserPath, browserMissing = findBrowser()

// findBrowser returns Chromium's path, or why there is none.
func findBrowser() (path, missing string) {
	if p := os.Getenv(BrowserEnv); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Sprintf("%s=%s: %v", BrowserEnv, p, err)
		}
		return found, ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, ""
		}
	}
	return "", fmt.Sprintf("no Chromium on PATH: install Debian's chromium (apt-get install -y chromium) or set %s", BrowserEnv)
}

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	if browserPath == "" {
		// No network without a browser: each test skips, or fails in CI.
		os.Exit(m.Run())
	}
	os.Exit(fabnettest.Main(m, fabnettest.Options{}))
}

// requireBrowser skips the test without Chromium, or fails it in CI.
func requireBrowser(t *testing.T) {
	t.Helper()
	if browserPath != "" {
		return
	}
	if testenv.Strict() {
		t.Fatal(browserMissing + " (`make test` and CI must run the browser tests)")
	}
	t.Skip(browserMissing)
}

// startStack returns the consortium's gateways serving on the test
// network (each serves the console under /console/ beside the API) and the
// base URL of their router: the console's calls carry the signed-in
// enterprise's token, and the router sends each to that enterprise's own
// gateway (the suppliers' to the operator's).
func startStack(t *testing.T) (*platformtest.Consortium, string) {
	c := platformtest.Start(t)
	return c, c.Router
}

// page is one browser tab on the console, with the test's helpers.
type page struct {
	t      *testing.T
	ctx    context.Context
	base   string
	shots  string
	n      int
	mu     sync.Mutex
	errors []string // uncaught exceptions in the page
}

func artifactsDir(t *testing.T) string {
	dir := os.Getenv(ArtifactsEnv)
	if dir == "" {
		dir = defaultArtifacts()
	}
	dir = filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_"))
	// A run's screenshots replace the last run's, never mix with them.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newPage starts headless Chromium (one per test) on a 1280×900 window.
func newPage(t *testing.T, base string, timeout time.Duration) *page {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tctx, cancelTimeout := context.WithTimeout(actx, timeout)
	ctx, cancelBrowser := chromedp.NewContext(tctx)
	t.Cleanup(func() { cancelBrowser(); cancelTimeout(); cancelAlloc() })
	p := &page{t: t, ctx: ctx, base: base, shots: shotDir(t)}
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			p.mu.Lock()
			p.errors = append(p.errors, e.ExceptionDetails.Error())
			p.mu.Unlock()
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start %s: %v", browserPath, err)
	}
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, e := range p.errors {
			t.Errorf("uncaught in the page: %s", e)
		}
	})
	t.Logf("screenshots in %s", p.shots)
	return p
}

// run runs actions; on failure it keeps a screenshot of the page as it was.
func (p *page) run(actions ...chromedp.Action) {
	p.t.Helper()
	if err := chromedp.Run(p.ctx, actions...); err != nil {
		p.shot("failure")
		p.t.Fatal(err)
	}
}

// shot saves a full-page PNG named after the step, numbered in order.
func (p *page) shot(name string) string {
	p.t.Helper()
	var buf []byte
	if err := chromedp.Run(p.ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p.n++
	path := filepath.Join(p.shots, fmt.Sprintf("%02d-%s.png", p.n, name))
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
	if !bytes.HasPrefix(buf, []byte("\x89PNG")) {
		p.t.Errorf("%s is not a PNG", path)
	}
	return path
}

func (p *page) eval(expr string, out any) {
	p.t.Helper()
	p.run(chromedp.Evaluate(expr, out, func(e *runtime.EvaluateParams) *runtime.EvaluateParams { return e.WithAwaitPromise(true) }))
}

func (p *page) text(sel string) string {
	p.t.Helper()
	var s string
	// No-break spaces (inside amounts, "NOK 1.00") read as plain spaces.
	p.eval(fmt.Sprintf(`(document.querySelector(%q)?.textContent ?? "").replace(/[\u00a0\u202f]/g, " ")`, sel), &s)
	return s
}

// signIn opens the console in a fresh session and signs in with token,
// landing on role's first tab.
func (p *page) signIn(token, role string) {
	p.t.Helper()
	p.run(chromedp.Navigate(p.base+"/console/"),
		chromedp.Evaluate(`sessionStorage.clear()`, nil),
		chromedp.Reload(),
		chromedp.WaitVisible("#token", chromedp.ByID),
		chromedp.SendKeys("#token", token, chromedp.ByID),
		chromedp.Click("#signin-submit", chromedp.ByID),
		chromedp.WaitVisible(fmt.Sprintf(`section[data-view=%q]:not([aria-busy])`, role), chromedp.ByQuery))
}

// tab opens one of the role's tabs and waits for it to render.
func (p *page) tab(id string) {
	p.t.Helper()
	p.run(chromedp.Click("#tab-"+id, chromedp.ByID),
		chromedp.WaitVisible(fmt.Sprintf(`#view-%s:not([aria-busy])`, id), chromedp.ByQuery))
}

// waitText waits until sel's text holds every one of want. With refresh it
// presses the tab's Refresh between looks: lists come from a read model
// that follows the ledger a moment behind. A form error on the page ends
// the wait at once, with its text.
func (p *page) waitText(sel string, refresh bool, want ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		got := p.text(sel)
		missing := ""
		for _, w := range want {
			if !strings.Contains(got, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return got
		}
		if e := p.text(".form-error"); e != "" {
			p.shot("failure")
			p.t.Fatalf("waiting for %q in %s: the page shows an error: %s", missing, sel, e)
		}
		if time.Now().After(deadline) {
			p.shot("failure")
			p.t.Fatalf("%s never showed %q; it reads %q", sel, missing, got)
		}
		if refresh {
			p.run(chromedp.Click("#refresh", chromedp.ByID),
				chromedp.WaitVisible(`section[data-tab]:not([aria-busy])`, chromedp.ByQuery))
		}
		time.Sleep(400 * time.Millisecond)
	}
}

// typeInto replaces an input's value by typing, so the page sees each
// keystroke (the split form's live change).
func (p *page) typeInto(sel, text string) {
	p.t.Helper()
	p.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = ""; el.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`, sel), nil)
	p.run(chromedp.SendKeys(sel, text, chromedp.ByQuery))
}
