package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// TestWalletWasmCache: `up` builds the wallet module once per source. A
// second run with the same source keeps the file; a change to a file the
// module is built from builds it again; a change elsewhere does not; a
// module that does not compile is an error and leaves the last good one.
func TestWalletWasmCache(t *testing.T) {
	repo := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/w\n\ngo 1.22\n")
	write("lib/lib.go", "package lib\n\nconst Greeting = \"one\"\n")
	write("lib/other_linux.go", "package lib\n\nconst NotInWasm = 1\n")
	write("cmd/w/main.go", "package main\n\nimport \"example.com/w/lib\"\n\nfunc main() { println(lib.Greeting) }\n")
	write("README.md", "a file no package reads\n")
	file := filepath.Join(t.TempDir(), "wallet", "wallet.wasm")
	ensure := func() walletWasmBuild {
		t.Helper()
		b, err := ensureWalletWasm(t.Context(), repo, "./cmd/w", file)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := ensure()
	if first.Cached || first.Size == 0 {
		t.Fatalf("first build: %+v", first)
	}
	module, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(module), "\x00asm") {
		t.Fatalf("not a WebAssembly module (%v)", err)
	}
	if b := ensure(); !b.Cached {
		t.Fatal("the same source was built again")
	}
	write("README.md", "edited\n")
	write("lib/other_linux.go", "package lib\n\nconst NotInWasm = 2\n") // not in a js/wasm build
	if b := ensure(); !b.Cached {
		t.Fatal("a file the module is not built from caused a rebuild")
	}
	write("lib/lib.go", "package lib\n\nconst Greeting = \"two\"\n")
	if b := ensure(); b.Cached {
		t.Fatal("a changed dependency of the module was not rebuilt")
	}
	rebuilt, _ := os.ReadFile(file)
	if string(rebuilt) == string(module) {
		t.Fatal("the rebuilt module is the old one")
	}
	write("lib/lib.go", "package lib\n\nconst Greeting = \n")
	if _, err := ensureWalletWasm(t.Context(), repo, "./cmd/w", file); err == nil {
		t.Fatal("a module that does not compile was accepted")
	}
	if kept, _ := os.ReadFile(file); string(kept) != string(rebuilt) {
		t.Fatal("a failed build replaced the module")
	}
	if _, err := os.Stat(file + ".tmp"); !os.IsNotExist(err) {
		t.Fatalf("a failed build left its temporary file (%v)", err)
	}
}

// TestGatewaysServeWallet: once the module is in the network's folder, the
// operator's gateway (and only it) is started with --wallet-wasm.
func TestGatewaysServeWallet(t *testing.T) {
	dir := t.TempDir()
	l := fabnet.NewLayout(fabnet.DefaultBase, 1)
	for _, g := range gateways(dir, l) {
		if g.Wallet != "" {
			t.Fatalf("%s serves a module that was never built", g.Org)
		}
	}
	if err := os.MkdirAll(filepath.Dir(walletWasmFile(dir)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(walletWasmFile(dir), []byte("\x00asm"), 0o644); err != nil {
		t.Fatal(err)
	}
	serving := 0
	for _, g := range gateways(dir, l) {
		if g.Wallet != "" {
			serving++
			if g.Org != "Operator" || g.Wallet != walletWasmFile(dir) {
				t.Fatalf("%s serves %q", g.Org, g.Wallet)
			}
		}
	}
	if serving != 1 {
		t.Fatalf("%d gateways serve the wallet, want the operator's", serving)
	}
}

// TestWalletWasmStaysSlim: the browser's module leaves out what made it
// 5.8 MB gzipped (docs/BENCHMARKS.md): gRPC and fabric-protos-go (the
// relay decodes with protowire), the protobuf runtime, and net/http (the
// relay uses fetch there).
func TestWalletWasmStaysSlim(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "../tierwallet-wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/tierchain/tierchain/internal/relay") {
		t.Fatalf("the module no longer has the relay client: %d packages listed", len(deps))
	}
	for _, d := range deps {
		for _, banned := range []string{"google.golang.org/grpc", "github.com/hyperledger/fabric-protos-go", "google.golang.org/protobuf/proto", "google.golang.org/protobuf/reflect", "net/http"} {
			if d == banned || strings.HasPrefix(d, banned+"/") {
				t.Errorf("the WebAssembly wallet imports %s", d)
			}
		}
	}
}
