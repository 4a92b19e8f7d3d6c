// Package console is TierChain's web console: static pages (HTML, CSS and
// JavaScript ES modules, no build step, nothing fetched from elsewhere)
// that call the gateway's /v1 API with the API token the user pastes in.
// The gateway serves Handler under /console/ with the prefix stripped and
// without auth: the pages hold no data, every figure comes from /v1 under
// the user's own token. docs/console.md describes the pages.
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var static embed.FS

// contentSecurityPolicy lets the pages load only their own files and talk
// only to their own origin: no inline script, no third-party host. SVG
// charts are built through the DOM and styled by classes, so no inline
// style is needed either. 'wasm-unsafe-eval' lets the self-custody page
// compile its own WebAssembly wallet (custody.html); it allows no eval of
// JavaScript.
const contentSecurityPolicy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Files are the console's static files, rooted at its index.html.
func Files() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// Handler serves the console's files, "/" being index.html; it lists no
// directory. HandlerWithWallet also serves the self-custody page's
// WebAssembly wallet. Each response
// forbids framing and sniffing and asks the browser to revalidate, so a
// new gateway's pages are picked up at once.
func Handler() http.Handler { return HandlerWithWallet("") }

// WalletModule is the path the self-custody page loads its WebAssembly
// wallet from (custody.html's directory).
const WalletModule = "/wallet.wasm"

// HandlerWithWallet is Handler, and serves the file walletWasm (built
// from cmd/tierwallet-wasm; empty: none, 404) at WalletModule.
func HandlerWithWallet(walletWasm string) http.Handler {
	files := http.FileServerFS(Files())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == WalletModule {
			if walletWasm == "" {
				http.NotFound(w, r)
				return
			}
			h.Set("Content-Type", "application/wasm")
			http.ServeFile(w, r, walletWasm)
			return
		}
		if r.URL.Path != "/" && strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		files.ServeHTTP(w, r)
	})
}
