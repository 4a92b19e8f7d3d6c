package console_test

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/gateway/console"
)

func get(t *testing.T, h http.Handler, method, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Result()
}

func TestHandlerServesFiles(t *testing.T) {
	h := console.Handler()
	for _, tc := range []struct {
		target, status, contentType, contains string
	}{
		{"/", "200", "text/html; charset=utf-8", `<script type="module" src="js/main.js">`},
		{"/console.css", "200", "text/css; charset=utf-8", ".dropzone"},
		{"/js/main.js", "200", "text/javascript; charset=utf-8", "import"},
		{"/js/views/supplier.js", "200", "text/javascript; charset=utf-8", "split"},
		{"/no-such-file.js", "404", "", ""},
		{"/js/", "404", "", ""},
		{"/js/views/", "404", "", ""},
		{"/../console.go", "404", "", ""},
	} {
		t.Run(tc.target, func(t *testing.T) {
			res := get(t, h, http.MethodGet, tc.target)
			body, _ := io.ReadAll(res.Body)
			if got := res.Status[:3]; got != tc.status {
				t.Fatalf("status %s, want %s", res.Status, tc.status)
			}
			if tc.contentType != "" && res.Header.Get("Content-Type") != tc.contentType {
				t.Errorf("Content-Type %q, want %q", res.Header.Get("Content-Type"), tc.contentType)
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("body lacks %q", tc.contains)
			}
			csp := res.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no X-Content-Type-Options: nosniff")
			}
		})
	}
}

func TestHandlerRefusesWrites(t *testing.T) {
	res := get(t, console.Handler(), http.MethodPost, "/")
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("POST /: %s, Allow %q", res.Status, res.Header.Get("Allow"))
	}
}

var (
	importPattern = regexp.MustCompile(`(?m)^\s*(?:import|export)\s[^"']*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']`)
	refPattern    = regexp.MustCompile(`(?:src|href)="([^"]+)"`)
)

// eachFile calls f with each embedded file's path and contents.
func eachFile(t *testing.T, f func(p string, b []byte)) {
	t.Helper()
	files := console.Files()
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		f(p, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReferencesResolve: every module a module imports, and every file
// index.html names, is one of the embedded files - a typo would otherwise
// show only in a browser, as a page that never loads.
func TestReferencesResolve(t *testing.T) {
	files := console.Files()
	n := 0
	eachFile(t, func(p string, b []byte) {
		var refs []string
		switch path.Ext(p) {
		case ".js":
			for _, m := range importPattern.FindAllStringSubmatch(string(b), -1) {
				refs = append(refs, m[1]+m[2])
			}
		case ".html":
			for _, m := range refPattern.FindAllStringSubmatch(string(b), -1) {
				if !strings.HasPrefix(m[1], "data:") {
					refs = append(refs, m[1])
				}
			}
		}
		for _, ref := range refs {
			n++
			if !strings.HasPrefix(ref, "./") && !strings.HasPrefix(ref, "../") && path.Ext(p) == ".js" {
				t.Errorf("%s imports %q: only relative module paths load without a build step", p, ref)
				continue
			}
			target := path.Join(path.Dir(p), ref)
			if _, err := fs.Stat(files, target); err != nil {
				t.Errorf("%s refers to %q: %v", p, ref, err)
			}
		}
	})
	if n < 20 {
		t.Errorf("found %d references; the patterns no longer match the sources", n)
	}
}

// TestNothingFromElsewhere: the pages load nothing from another host (no
// CDN, no web font), so they work offline and under the CSP.
func TestNothingFromElsewhere(t *testing.T) {
	allowed := "http://www.w3.org/2000/svg" // the SVG namespace, a name not a download
	// Go's wasm_exec.js (a verbatim copy, for the self-custody page) cites
	// an issue in a comment.
	goIssue := "https://github.com/golang/go/issues/28975"
	url := regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'` + "`" + `)]*`)
	eachFile(t, func(p string, b []byte) {
		for _, u := range url.FindAllString(string(b), -1) {
			if u != allowed && !(p == "wasm_exec.js" && u == goIssue) {
				t.Errorf("%s refers to %s", p, u)
			}
		}
	})
}

// TestWalletModule: the self-custody page's WebAssembly wallet is served
// from the file the gateway is given, as application/wasm, and is a 404
// without one.
func TestWalletModule(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wallet.wasm")
	module := []byte("\x00asm\x01\x00\x00\x00")
	if err := os.WriteFile(path, module, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		h      http.Handler
		status int
	}{{console.HandlerWithWallet(path), http.StatusOK}, {console.Handler(), http.StatusNotFound}} {
		rec := httptest.NewRecorder()
		tc.h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, console.WalletModule, nil))
		if rec.Code != tc.status {
			t.Fatalf("status %d, want %d", rec.Code, tc.status)
		}
		if tc.status == http.StatusOK && (rec.Header().Get("Content-Type") != "application/wasm" || !bytes.Equal(rec.Body.Bytes(), module)) {
			t.Fatalf("served %q as %q", rec.Body.Bytes(), rec.Header().Get("Content-Type"))
		}
	}
}
