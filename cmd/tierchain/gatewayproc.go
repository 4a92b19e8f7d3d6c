package main

import (
	"context"
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

// The gateway `up` starts runs as `tierchain serve` in the background; its
// PID and binary are recorded in DIR/gateway/gateway.pid for `down`.

func pidFile(dir string) string { return filepath.Join(gatewayDir(dir), "gateway.pid") }

// startGateway starts `tierchain serve` detached, logging to
// DIR/gateway/gateway.log, and waits until it answers /readyz.
func startGateway(ctx context.Context, dir, addr string) error {
	if pid, bin, ok := gatewayPID(dir); ok && fabnet.ProcessAlive(pid, bin) {
		return nil // already running
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(gatewayDir(dir), 0o700); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(gatewayDir(dir), "gateway.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	// The gateway runs from the network's description, as a deployment's
	// gateway runs from its own.
	descs, err := describeNetwork(dir)
	if err != nil {
		return err
	}
	// One gateway, the operator's, until up starts one per organisation.
	cmd := exec.Command(exe, "serve", "--org-config", descs["Operator"], "--data", gatewayDir(dir), "--addr", addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	if err := os.WriteFile(pidFile(dir), fmt.Appendf(nil, "%d %s\n", cmd.Process.Pid, exe), 0o600); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("the gateway exited (%v); see %s", err, filepath.Join(gatewayDir(dir), "gateway.log"))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				cmd.Process.Release()
				return nil
			}
		}
	}
	return fmt.Errorf("the gateway is not ready after 2 minutes; see %s", filepath.Join(gatewayDir(dir), "gateway.log"))
}

// gatewayPID reads the recorded gateway process.
func gatewayPID(dir string) (int, string, bool) {
	b, err := os.ReadFile(pidFile(dir))
	if err != nil {
		return 0, "", false
	}
	pidStr, bin, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	pid, err := strconv.Atoi(pidStr)
	return pid, bin, ok && err == nil
}

// stopGateway stops the recorded gateway and waits until it has exited; it
// reports whether one ran.
func stopGateway(dir string) (bool, error) {
	pid, bin, ok := gatewayPID(dir)
	if !ok {
		return false, nil
	}
	if !fabnet.ProcessAlive(pid, bin) {
		os.Remove(pidFile(dir))
		return false, nil
	}
	if err := fabnet.StopProcess(pid, bin, 25*time.Second); err != nil {
		return true, err
	}
	os.Remove(pidFile(dir))
	return true, nil
}
