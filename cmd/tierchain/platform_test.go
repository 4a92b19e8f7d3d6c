package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

// TestUpWholePlatform runs the built binary as README's first command
// does: up brings the network, the gateway in the background and the demo
// data; the gateway answers with the founders' tokens; status shows it;
// a second demo plays the story again with new suppliers; down stops every
// process, the gateway included.
func TestUpWholePlatform(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the whole platform")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "tierchain")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "network")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		t.Logf("tierchain %s\n%s", strings.Join(args, " "), out)
		return string(out), err
	}
	t.Cleanup(func() { run("down", "--dir", dir, "--purge") })
	var out string
	for try := 0; ; try++ {
		base, err := fabnettest.FreeRestartBase(1)
		if err != nil {
			t.Fatal(err)
		}
		out, err = run("up", "--dir", dir, "--base", strconv.Itoa(base), "--addr", addr, "--demo-maturity", "8s")
		if err != nil && strings.Contains(out, "in use") && try < 5 {
			continue
		}
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		break
	}
	for _, want := range []string{"REST gateway at http://" + addr, "issue 1,000,000.00 to tier 1", "regulator reconciles every amount", "the same invoice again is refused", "story done"} {
		if !strings.Contains(out, want) {
			t.Errorf("up: output lacks %q", want)
		}
	}
	// The gateway runs from the description up wrote, not from the network.
	desc, err := orgconfig.Load(fabnet.OrgConfigFile(dir, "BankB"))
	if err != nil || desc.Org.Name != "BankB" {
		t.Errorf("the description of BankB: %+v, %v", desc.Org, err)
	}
	if log, _ := os.ReadFile(filepath.Join(dir, "gateway", "gateway.log")); !strings.Contains(string(log), "org.json") {
		t.Errorf("the gateway's log does not name its description:\n%s", log)
	}
	var tokens map[string]string
	b, err := os.ReadFile(filepath.Join(dir, "gateway", "tokens.json"))
	if err != nil || json.Unmarshal(b, &tokens) != nil {
		t.Fatalf("tokens: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/audit/reconciliation", nil)
	req.Header.Set("Authorization", "Bearer "+tokens["regulator"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("regulator's reconciliation: %s", resp.Status)
	}
	if out, _ := run("status", "--dir", dir); !strings.Contains(out, "gateway") || !strings.Contains(out, "running") {
		t.Errorf("status does not show the gateway running")
	}
	if out, err := run("demo", "--dir", dir, "--addr", addr, "--maturity", "6s"); err != nil || !strings.Contains(out, "story done") {
		t.Errorf("second demo: %v", err)
	}
	// An orderer, a peer and a chaincode server per organisation, the gateway.
	l := fabnet.NewLayout(fabnet.DefaultBase, 1)
	procs := fmt.Sprintf("stopped %d process(es)", len(l.Orderers)+2*len(l.Orgs)+1)
	if out, err := run("down", "--dir", dir); err != nil || !strings.Contains(out, procs) {
		t.Errorf("down: %v, want %q", err, procs)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the gateway still answers after down")
	}
}
