package browserwallet_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tierchain/tierchain/internal/browserwallet"
	"github.com/tierchain/tierchain/internal/testenv"
)

const page = `<!doctype html><meta charset="utf-8"><script src="wasm_exec.js"></script>
<script>
const go = new Go();
WebAssembly.instantiateStreaming(fetch("wallet.wasm"), go.importObject).then(r => go.run(r.instance));
</script>`

func chromium(t *testing.T) string {
	for _, name := range []string{os.Getenv("TIERCHAIN_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if testenv.Strict() {
		t.Fatal("no Chromium on PATH (`make test` and CI must run the browser tests)")
	}
	t.Skip("no Chromium on PATH")
	return ""
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestSplitInBrowser builds the wallet core for the browser
// (GOOS=js GOARCH=wasm), proves and signs two-output splits in headless
// Chromium and natively in the same run, and verifies the browser's last
// split natively as the chaincode would. It logs the figures
// docs/BENCHMARKS.md reports: the compressed download and the median
// times.
func TestSplitInBrowser(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "wallet.wasm"), "../../cmd/tierwallet-wasm")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	execJS, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	wasm, err := os.ReadFile(filepath.Join(dir, "wallet.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(wasm)
	zw.Close()
	t.Logf("wasm: %d bytes, %d gzip -9", len(wasm), gz.Len())

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(page)) })
	mux.HandleFunc("/wasm_exec.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(execJS)
	})
	mux.HandleFunc("/wallet.wasm", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/wasm")
		w.Write(wasm)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := context.WithTimeout(actx, 3*time.Minute)
	defer cancel()
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	defer cancelBrowser()
	const runs = 5
	var raw string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.Poll(`window.tierchainReady === true`, nil, chromedp.WithPollingTimeout(time.Minute)),
		chromedp.Evaluate(fmt.Sprintf("tierchainBenchSplit(%d)", runs), &raw),
	); err != nil {
		t.Fatal(err)
	}
	var res struct {
		RunsMs    []float64                 `json:"runsMs"`
		Public    browserwallet.BenchPublic `json:"public"`
		Request   []byte                    `json:"request"`
		Signature []byte                    `json:"signature"`
		Error     string                    `json:"error"`
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil || res.Error != "" || len(res.RunsMs) != runs {
		t.Fatalf("browser: %v %s (%.200s)", err, res.Error, raw)
	}
	if err := browserwallet.VerifyBench(res.Public, res.Request, res.Signature); err != nil {
		t.Fatalf("the browser's split does not verify: %v", err)
	}
	res.Request[len(res.Request)/2] ^= 1
	if browserwallet.VerifyBench(res.Public, res.Request, res.Signature) == nil {
		t.Fatal("a tampered browser split verifies")
	}

	b, err := browserwallet.NewSplitBench()
	if err != nil {
		t.Fatal(err)
	}
	var native []float64
	for range runs {
		start := time.Now()
		req, sig, err := b.Run()
		native = append(native, float64(time.Since(start).Microseconds())/1000)
		if err != nil {
			t.Fatal(err)
		}
		rawReq, _ := json.Marshal(req)
		if err := b.Verify(rawReq, sig); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("two-output split, prove + sign, median of %d: browser (wasm, headless Chromium) %.0f ms %v; native %.0f ms %v",
		runs, median(res.RunsMs), res.RunsMs, median(native), native)
}
