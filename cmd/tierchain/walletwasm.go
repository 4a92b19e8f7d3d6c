package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The self-custody page's WebAssembly wallet, as `up` builds it: once per
// source, kept in DIR/wallet/wallet.wasm beside the SHA-256 of what it was
// built from (DIR/wallet/wallet.wasm.source). The operator's gateway serves
// it (`tierchain serve --wallet-wasm`) at /console/wallet.wasm.

// walletWasmPackage is the module's main package, relative to the checkout.
const walletWasmPackage = "./cmd/tierwallet-wasm"

// walletWasmFile is where `up` keeps the module of the network in dir.
func walletWasmFile(dir string) string { return filepath.Join(dir, "wallet", "wallet.wasm") }

// walletWasmBuild says what ensureWalletWasm did.
type walletWasmBuild struct {
	File    string
	Cached  bool          // the module of the same source was there already
	Elapsed time.Duration // the whole step, the source hash included
	Size    int64
}

// errNoGoToolchain: the module cannot be built here (no `go` on PATH); up
// goes on without it.
var errNoGoToolchain = errors.New("no Go toolchain on PATH to build the self-custody page's WebAssembly wallet")

// ensureWalletWasm builds pkg (a main package of the module at repo) with
// GOOS=js GOARCH=wasm into file unless file was built from the same
// source: the Go version, go.mod, go.sum and every file of the module's
// own packages the build reads (dependencies outside the module are
// pinned by go.sum). The new module replaces the old atomically, so a
// gateway serving it never sends half a file.
func ensureWalletWasm(ctx context.Context, repo, pkg, file string) (walletWasmBuild, error) {
	start := time.Now()
	res := walletWasmBuild{File: file}
	if _, err := exec.LookPath("go"); err != nil {
		return res, errNoGoToolchain
	}
	repo, err := filepath.Abs(repo)
	if err != nil {
		return res, err
	}
	key, err := walletWasmSourceKey(ctx, repo, pkg)
	if err != nil {
		return res, err
	}
	stamp := file + ".source"
	if old, err := os.ReadFile(stamp); err == nil && strings.TrimSpace(string(old)) == key {
		if st, err := os.Stat(file); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
			res.Cached, res.Size, res.Elapsed = true, st.Size(), time.Since(start)
			return res, nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return res, err
	}
	tmp := file + ".tmp"
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", tmp, pkg)
	build.Dir = repo
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	var out bytes.Buffer
	build.Stdout, build.Stderr = &out, &out
	if err := build.Run(); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("building the WebAssembly wallet (GOOS=js GOARCH=wasm go build %s): %w\n%s", pkg, err, out.Bytes())
	}
	// The stamp is removed before the module is replaced and written after:
	// a crash in between leaves no stamp, and the next `up` builds again.
	if err := os.Remove(stamp); err != nil && !errors.Is(err, os.ErrNotExist) {
		os.Remove(tmp)
		return res, err
	}
	if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return res, err
	}
	if err := os.WriteFile(stamp, []byte(key+"\n"), 0o644); err != nil {
		return res, err
	}
	st, err := os.Stat(file)
	if err != nil {
		return res, err
	}
	res.Size, res.Elapsed = st.Size(), time.Since(start)
	return res, nil
}

// walletWasmSourceKey is the hex SHA-256 of everything the module is built
// from; `go list` names the files (for GOOS=js GOARCH=wasm, so build tags
// count).
func walletWasmSourceKey(ctx context.Context, repo, pkg string) (string, error) {
	run := func(env []string, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return out, nil
	}
	version, err := run(nil, "env", "GOVERSION")
	if err != nil {
		return "", err
	}
	// One line per package of the main module: its directory, then its
	// files (Go, embedded, other sources a build reads), tab-separated.
	const format = `{{if .Module}}{{if .Module.Main}}{{.Dir}}{{range .GoFiles}}	{{.}}{{end}}{{range .EmbedFiles}}	{{.}}{{end}}{{range .CFiles}}	{{.}}{{end}}{{range .SFiles}}	{{.}}{{end}}
{{end}}{{end}}`
	list, err := run([]string{"GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0"}, "list", "-deps", "-f", format, pkg)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "tierchain/wallet-wasm/v1\x00%s\x00GOOS=js GOARCH=wasm -trimpath -ldflags=-s -w\x00", bytes.TrimSpace(version))
	hashFile := func(name, path string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00", name)
		n, err := io.Copy(h, f)
		fmt.Fprintf(h, "\x00%d\x00", n)
		return err
	}
	for _, name := range []string{"go.mod", "go.sum"} {
		if err := hashFile(name, filepath.Join(repo, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	packages := 0
	for _, line := range strings.Split(string(list), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) < 2 {
			continue
		}
		rel, err := filepath.Rel(repo, fields[0])
		if err != nil {
			return "", err
		}
		packages++
		for _, f := range fields[1:] {
			if err := hashFile(filepath.ToSlash(filepath.Join(rel, f)), filepath.Join(fields[0], f)); err != nil {
				return "", err
			}
		}
	}
	if packages == 0 {
		return "", fmt.Errorf("go list found no package of the module in %s", pkg)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
