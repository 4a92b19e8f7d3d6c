package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// TestUpWholePlatform runs the built binary as README's first command
// does: up brings the network, one gateway per organisation in the
// background (each on its organisation's address, with its own folder,
// tokens and log) and the demo story, each step at the acting
// organisation's gateway; status lists the five; a second demo plays the
// story again; down stops every process and waits for them.
func TestUpWholePlatform(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the whole platform")
	}
	tmp, run := tierchainBinary(t)
	dir := filepath.Join(tmp, "network")
	t.Cleanup(func() { run("down", "--dir", dir, "--purge") })
	base, out := upOnFreeRange(t, run, dir, "--demo-maturity", "8s")
	l := fabnet.NewLayout(base, 3) // a new network's default
	// Keys stay home with five gateways running: no folder of one
	// organisation (its gateway's included) and nothing in the bundle holds
	// another's private key or enterprise key.
	fabnettest.KeysStayHome(t, dir, l)
	gw := map[string]string{} // org → its gateway's address
	for _, o := range l.Orgs {
		gw[o.Name] = l.GatewayAddress(o)
	}
	for _, want := range []string{
		"http://" + gw["Operator"], "http://" + gw["BankB"], "http://" + gw["Regulator"],
		"[Operator gateway " + gw["Operator"] + "] onboard tier1",
		"[Core gateway " + gw["Core"] + "] issue the receivable",
		"[BankB gateway " + gw["BankB"] + "] approve financing",
		"[BankA gateway " + gw["BankA"] + "] bankA quotes: advance ", "[BankB gateway " + gw["BankB"] + "] bankB quotes: advance ",
		"issue CNY 1,000,000.00 to tier 1", "grant carmaker a credit line in USD", "a USD receivable, quotes from both banks",
		"advance USD ",
		"[Regulator gateway " + gw["Regulator"] + "] reconcile every amount",
		"the same invoice again is refused", "story done",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("up: output lacks %q", want)
		}
	}
	tokens := map[string]map[string]string{} // org → its gateway's enterprises' tokens
	for _, o := range l.Orgs {
		gdir := filepath.Dir(fabnet.OrgConfigFile(dir, o.Name))
		if log, _ := os.ReadFile(filepath.Join(gdir, "gateway.log")); !strings.Contains(string(log), "org.json") {
			t.Errorf("%s's gateway log does not name its description:\n%s", o.Name, log)
		}
		var ts map[string]string
		b, err := os.ReadFile(filepath.Join(gdir, "tokens.json"))
		if err != nil || json.Unmarshal(b, &ts) != nil {
			t.Fatalf("%s's tokens: %v", o.Name, err)
		}
		if _, ok := ts[o.Enterprise.ID]; !ok || (o.Role != fabnet.RoleOperator && len(ts) != 1) {
			t.Errorf("%s's gateway has tokens of %v, want its enterprise %s only", o.Name, keys(ts), o.Enterprise.ID)
		}
		tokens[o.Name] = ts
	}
	// Only the regulator's gateway reconciles amounts.
	audit := func(org, enterprise string) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+gw[org]+"/v1/audit/reconciliation", nil)
		req.Header.Set("Authorization", "Bearer "+tokens[org][enterprise])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := audit("Regulator", "regulator"); got != http.StatusOK {
		t.Errorf("the regulator's reconciliation at its gateway: %d", got)
	}
	if got := audit("BankB", "bankB"); got != http.StatusForbidden {
		t.Errorf("a reconciliation at Bank B's gateway: %d, want 403", got)
	}
	if out, _ := run("status", "--dir", dir); strings.Count(out, "running at http://") != len(l.Orgs) {
		t.Errorf("status does not show %d gateways running", len(l.Orgs))
	}
	// A gateway that crashed: status says so, up starts it again.
	bankB := filepath.Join(filepath.Dir(fabnet.OrgConfigFile(dir, "BankB")), "gateway.pid")
	b, err := os.ReadFile(bankB)
	if err != nil {
		t.Fatal(err)
	}
	pid, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if out, err := exec.Command("kill", "-9", pid).CombinedOutput(); err != nil {
		t.Fatalf("kill BankB's gateway: %v %s", err, out)
	}
	waitGone(t, gw["BankB"])
	if out, _ := run("status", "--dir", dir); !strings.Contains(out, "crashed?") {
		t.Error("status does not show BankB's gateway stopped")
	}
	if out, err := run("up", "--dir", dir); err != nil || !strings.Contains(out, "starting the gateways of [BankB] again") {
		t.Errorf("up with BankB's gateway down: %v", err)
	}
	if out, _ := run("status", "--dir", dir); strings.Count(out, "running at http://") != len(l.Orgs) {
		t.Errorf("after up, status does not show %d gateways running", len(l.Orgs))
	}
	if out, err := run("demo", "--dir", dir, "--maturity", "6s"); err != nil || !strings.Contains(out, "story done") {
		t.Errorf("second demo: %v", err)
	}
	// An orderer, a peer and a chaincode server per organisation, a gateway per organisation.
	procs := fmt.Sprintf("stopped %d process(es)", len(l.Orderers)+3*len(l.Orgs))
	if out, err := run("down", "--dir", dir); err != nil || !strings.Contains(out, procs) {
		t.Errorf("down: %v, want %q", err, procs)
	}
	for org, addr := range gw {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s's gateway still listens after down", org)
		}
	}
}

// waitGone waits until nothing listens on addr.
func waitGone(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
	}
	t.Fatalf("%s still listens", addr)
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
