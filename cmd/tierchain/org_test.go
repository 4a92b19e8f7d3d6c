package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// TestOrgAddBankCFinances admits BankC to a platform `tierchain up`
// started, with the built binary: the across-hosts commands (propose,
// sign, show, submit) refuse a minority; an admission stopped after the
// config update, and one killed after its join, resume when the same
// command runs again; BankC's gateway comes
// up once the operator's gateway has registered its card; a supplier
// requests financing at BankC and BankC approves it; its keys stay in its
// own folder; down stops its processes too, and up starts them again.
func TestOrgAddBankCFinances(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the whole platform")
	}
	tmp, run := tierchainBinary(t)
	dir := filepath.Join(tmp, "network")
	t.Cleanup(func() { run("down", "--dir", dir, "--purge") })
	base, _ := upOnFreeRange(t, run, dir, "--demo=false")

	// Across hosts, with files: BankC's keys and definition, an update
	// proposed by the Operator, signed by Core's admin and BankA's client:
	// one signature counts, submit refuses it, and the orderer too when
	// forced.
	if out, err := run("org", "add", "--dir", dir, "--stop-after", "keys"); err != nil || !strings.Contains(out, "stopped after") {
		t.Fatalf("org add --stop-after keys: %v", err)
	}
	update := filepath.Join(tmp, "add-bankc.pb")
	def := filepath.Join(dir, "public", "BankC", "definition.json")
	if _, err := run("org", "propose", "add", "--dir", dir, "--as", "Operator", "--definition", def, "-o", update); err != nil {
		t.Fatalf("org propose: %v", err)
	}
	if _, err := run("org", "sign", "--dir", dir, "--as", "Core", update); err != nil {
		t.Fatalf("org sign: %v", err)
	}
	if _, err := run("org", "sign", "--dir", dir, "--as", "BankA", "--user", "User1", update); err != nil {
		t.Fatalf("org sign by a client: %v", err)
	}
	if out, err := run("org", "show", "--dir", dir, "--as", "BankB", update); err != nil ||
		!strings.Contains(out, "add Application/BankCMSP") || !strings.Contains(out, "signature of BankAMSP: does not count: not an admin") ||
		!strings.Contains(out, "1 of 5 application organisations signed, 3 needed") {
		t.Errorf("org show: %v", err)
	}
	if out, err := run("org", "submit", "--dir", dir, "--as", "Operator", update); err == nil || !strings.Contains(out, "not enough admin signatures") {
		t.Errorf("org submit with one admin signature: %v", err)
	}
	if out, err := run("org", "submit", "--dir", dir, "--as", "Operator", "--force", update); err == nil || !strings.Contains(out, "refused") {
		t.Errorf("org submit --force with one admin signature: %v", err)
	}
	if out, err := run("org", "add", "--dir", dir, "--stop-after", "config"); err != nil || !strings.Contains(out, "stopped after") {
		t.Fatalf("org add --stop-after config: %v", err)
	}
	// A crash: the next run is killed (SIGKILL) once its join is done,
	// in the middle of the chaincode step; the same command then finishes.
	crash := exec.Command(filepath.Join(tmp, "tierchain"), "org", "add", "--dir", dir)
	crash.Dir = "../.."
	if err := crash.Start(); err != nil {
		t.Fatal(err)
	}
	admission := filepath.Join(dir, "orgs", "BankC", "admission.json")
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(admission); strings.Contains(string(b), `"join"`) {
			break
		}
		if time.Now().After(deadline) {
			crash.Process.Kill()
			crash.Wait()
			t.Fatal("the admission did not reach its join")
		}
	}
	crash.Process.Kill()
	crash.Wait()
	out, err := run("org", "add", "--dir", dir)
	if err != nil {
		t.Fatalf("org add after a crash: %v", err)
	}
	for _, want := range []string{"config     done before", "join       done before", "BankC is a member", "BankC's gateway is up"} {
		if !strings.Contains(out, want) {
			t.Errorf("org add: output lacks %q", want)
		}
	}
	st, err := fabnet.Status(dir)
	if err != nil {
		t.Fatal(err)
	}
	l := st.Layout
	if _, ok := l.Org("BankC"); !ok || len(l.Orgs) != 6 {
		t.Fatalf("the network lists %d organisations after the admission", len(l.Orgs))
	}
	fabnettest.KeysStayHome(t, dir, l)
	if out, _ := run("status", "--dir", dir); strings.Count(out, "running at http://") != len(l.Orgs) {
		t.Errorf("status does not show %d gateways running", len(l.Orgs))
	}

	// The story up to the financing, then tier 3 finances at BankC.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	gws, tokens, err := demoGateways(dir, l)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tokens["bankC"]; !ok {
		t.Fatalf("no token of bankC among %v", keys(tokens))
	}
	res, err := demo.Run(ctx, demo.Config{Gateways: gws, Tokens: tokens, Maturity: 10 * time.Minute, StopBefore: "finance"})
	if err != nil {
		t.Fatal(err)
	}
	tier3 := &demo.Client{Base: gws["operator"].Base, Token: res.SupplierTokens[2]} // suppliers live at the operator's
	bankC := &demo.Client{Base: gws["bankC"].Base, Token: tokens["bankC"]}
	tok := res.Held[2]
	if err := tier3.Do(ctx, http.MethodPost, "/v1/tokens/"+tok.ID+"/financing", map[string]string{"bank": "bankC"}, nil); err != nil {
		t.Fatalf("tier 3 requests financing at BankC: %v", err)
	}
	var seen *demo.Token
	for deadline := time.Now().Add(90 * time.Second); seen == nil && time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		var inbox struct{ Items []demo.Token }
		if err := bankC.Do(ctx, http.MethodGet, "/v1/financing-requests", nil, &inbox); err != nil {
			t.Fatal(err)
		}
		for i := range inbox.Items {
			if inbox.Items[i].ID == tok.ID {
				seen = &inbox.Items[i]
			}
		}
	}
	if seen == nil || seen.Amount == nil || seen.Amount.Minor != tok.Amount.Minor {
		t.Fatalf("BankC's inbox shows %+v, want %s for %v", seen, tok.ID, tok.Amount)
	}
	agreement := sha256.Sum256([]byte("financing agreement " + tok.ID))
	var financed demo.Token
	if err := bankC.Do(ctx, http.MethodPost, "/v1/tokens/"+tok.ID+"/financing/approve", map[string]string{
		"disbursementRef": "VB-" + tok.ID[:8], "agreementHash": hex.EncodeToString(agreement[:])}, &financed); err != nil {
		t.Fatalf("BankC approves: %v", err)
	}
	if financed.Holder != "bankC" {
		t.Errorf("after BankC's approval the token is held by %q (%s)", financed.Holder, financed.Status)
	}

	// An orderer, a peer and a chaincode server per organisation, a gateway per organisation.
	procs := fmt.Sprintf("stopped %d process(es)", len(l.Orderers)+3*len(l.Orgs))
	if out, err := run("down", "--dir", dir); err != nil || !strings.Contains(out, procs) {
		t.Errorf("down: %v, want %q", err, procs)
	}
	// A restart on the ledgers brings the member back: its nodes and its gateway.
	if _, err := run("up", "--dir", dir, "--base", strconv.Itoa(base), "--demo=false"); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if out, _ := run("status", "--dir", dir); strings.Count(out, "running at http://") != len(l.Orgs) || !strings.Contains(out, "BankC") {
		t.Errorf("after the restart, status does not show %d gateways running", len(l.Orgs))
	}
	if out, err := run("down", "--dir", dir); err != nil || !strings.Contains(out, procs) {
		t.Errorf("down after the restart: %v, want %q", err, procs)
	}
}
