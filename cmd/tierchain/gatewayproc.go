package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// Each organisation's gateway runs as `tierchain serve --org-config
// DIR/orgs/<Org>/gateway/org.json --addr <its address>` in the background,
// with its state beside its description: gateway.pid (PID and binary, for
// `down`), gateway.log, its database, master key and tokens.json.

// gateway is one organisation's gateway as `up` runs it.
type gateway struct {
	Org  string
	Dir  string // DIR/orgs/<Org>/gateway
	Addr string // where it listens and is reached
	// Wallet is the self-custody page's WebAssembly wallet the gateway
	// serves (the operator's, once `up` has built it); empty: none.
	Wallet string
}

func (g gateway) pidFile() string    { return filepath.Join(g.Dir, "gateway.pid") }
func (g gateway) logFile() string    { return filepath.Join(g.Dir, "gateway.log") }
func (g gateway) tokensFile() string { return filepath.Join(g.Dir, "tokens.json") }
func (g gateway) URL() string        { return "http://" + g.Addr }

// Label names the gateway in the demo's output, e.g. "BankB gateway 127.0.0.4:8083".
func (g gateway) Label() string { return g.Org + " gateway " + g.Addr }

// gateways lists the organisations' gateways of the network in dir, in the
// layout's order (the operator's first).
func gateways(dir string, l fabnet.Layout) []gateway {
	var gs []gateway
	for _, o := range l.Orgs {
		g := gateway{Org: o.Name, Dir: filepath.Dir(fabnet.OrgConfigFile(dir, o.Name)), Addr: l.GatewayAddress(o)}
		if o.Role == fabnet.RoleOperator {
			if st, err := os.Stat(walletWasmFile(dir)); err == nil && st.Mode().IsRegular() {
				g.Wallet = walletWasmFile(dir)
			}
		}
		gs = append(gs, g)
	}
	return gs
}

// gatewayReadyTimeout bounds how long `up` waits for a gateway's /readyz
// (the members' gateways wait until the operator's has registered their
// enterprises on the ledger).
const gatewayReadyTimeout = 3 * time.Minute

// startGateways starts every organisation's gateway that is not running,
// all at once (the members' wait for the operator's to register their
// cards), and waits until each answers /readyz.
func startGateways(ctx context.Context, dir string, l fabnet.Layout) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	gs := gateways(dir, l)
	exited := make([]chan error, len(gs))
	for i, g := range gs {
		if pid, bin, ok := readPID(g.pidFile()); ok && fabnet.ProcessAlive(pid, bin) {
			continue // already running
		}
		if exited[i], err = startGateway(exe, dir, g); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(gatewayReadyTimeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for i, g := range gs {
		for {
			resp, err := client.Get(g.URL() + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the %s is not ready after %s; see %s", g.Label(), gatewayReadyTimeout, g.logFile())
			}
			select {
			case err := <-exited[i]: // nil channel for one already running: never ready
				return fmt.Errorf("the %s exited (%v); see %s", g.Label(), err, g.logFile())
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// startGateway starts one organisation's gateway detached and records it;
// the channel reports its exit.
func startGateway(exe, dir string, g gateway) (chan error, error) {
	if err := os.MkdirAll(g.Dir, 0o700); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(g.logFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args := []string{"serve", "--org-config", fabnet.OrgConfigFile(dir, g.Org), "--addr", g.Addr}
	if g.Wallet != "" {
		args = append(args, "--wallet-wasm", g.Wallet)
	}
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(g.pidFile(), fmt.Appendf(nil, "%d %s\n", cmd.Process.Pid, exe), 0o600); err != nil {
		cmd.Process.Kill()
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return exited, nil
}

// readPID reads a recorded process: "PID BINARY".
func readPID(path string) (int, string, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, "", false
	}
	pidStr, bin, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	pid, err := strconv.Atoi(pidStr)
	return pid, bin, ok && err == nil
}

// gatewayPIDFiles lists the pid files of the gateways recorded in dir: one
// per organisation, and the single gateway of networks made before there
// was one per organisation (DIR/gateway/gateway.pid).
func gatewayPIDFiles(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "orgs", "*", "gateway", "gateway.pid"))
	if _, err := os.Stat(filepath.Join(dir, "gateway", "gateway.pid")); err == nil {
		files = append(files, filepath.Join(dir, "gateway", "gateway.pid"))
	}
	return files
}

// gatewayStopGrace is how long a gateway has to finish its requests.
const gatewayStopGrace = 25 * time.Second

// stopGateways stops every recorded gateway, all at once, and returns once
// each has exited, with how many were running.
func stopGateways(dir string) (int, error) {
	files := gatewayPIDFiles(dir)
	type result struct {
		ran bool
		err error
	}
	done := make(chan result, len(files))
	for _, f := range files {
		go func() {
			pid, bin, ok := readPID(f)
			if !ok || !fabnet.ProcessAlive(pid, bin) {
				os.Remove(f)
				done <- result{}
				return
			}
			if err := fabnet.StopProcess(pid, bin, gatewayStopGrace); err != nil {
				done <- result{true, fmt.Errorf("gateway %s: %w", f, err)}
				return
			}
			os.Remove(f)
			done <- result{ran: true}
		}()
	}
	stopped := 0
	var errs []error
	for range files {
		r := <-done
		if r.ran {
			stopped++
		}
		errs = append(errs, r.err)
	}
	return stopped, errors.Join(errs...)
}
