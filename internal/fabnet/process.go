package fabnet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// proc is one process the network started.
type proc struct {
	Name string `json:"name"`
	PID  int    `json:"pid"`
	Bin  string `json:"bin"`
	Log  string `json:"log"`

	cmd  *exec.Cmd
	done chan struct{}
}

// startProc starts bin in its own process group with output to logDir/name.log.
// inherit (may be nil) is passed to the child as an extra descriptor: the
// network's port-range lock.
func startProc(name, bin string, args, env []string, logDir string, inherit *os.File) (*proc, error) {
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	logPath := filepath.Join(logDir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv(env)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if inherit != nil {
		cmd.ExtraFiles = []*os.File{inherit}
	}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{Name: name, PID: cmd.Process.Pid, Bin: bin, Log: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// stop sends SIGTERM to the process group, then SIGKILL after grace.
func (p *proc) stop(grace time.Duration) {
	if p.cmd == nil {
		killPID(p.PID, p.Bin, grace)
		return
	}
	syscall.Kill(-p.PID, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-p.PID, syscall.SIGKILL)
		<-p.done
	}
}

// kill stops the process at once (SIGKILL), as a crash would.
func (p *proc) kill() {
	syscall.Kill(-p.PID, syscall.SIGKILL)
	if p.done != nil {
		<-p.done
	}
}

// alive reports whether a process with this PID runs the expected binary.
func alive(pid int, bin string) bool {
	if pid <= 0 {
		return false
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return false
	}
	return filepath.Base(strings.TrimSuffix(exe, " (deleted)")) == filepath.Base(bin)
}

// killPID stops a process started by another invocation (tierchain down).
func killPID(pid int, bin string, grace time.Duration) {
	if !alive(pid, bin) {
		return
	}
	syscall.Kill(-pid, syscall.SIGTERM)
	if waitExited(pid, grace) {
		return
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	waitExited(pid, grace)
}

// waitExited waits up to d for pid to have exited, and reports whether it
// did.
func waitExited(pid int, d time.Duration) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if exited(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// exited reports whether pid is gone or a zombie: past the point where the
// kernel closes its descriptors, the port range's lock among them. (Its
// /proc exe link, which alive reads, goes earlier, with its memory, while
// the descriptors may still be open: a restart right after `down` then
// found the range still locked.)
func exited(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the ") " that ends the command name.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return true
	}
	return b[i+2] == 'Z' || b[i+2] == 'X'
}

// peakRSSKiB reads the process's peak resident set size (VmHWM).
func peakRSSKiB(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int
			_, err := fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d kB", &kb)
			return kb, err
		}
	}
	return 0, errors.New("no VmHWM")
}

// waitPort waits until addr accepts TCP connections.
func waitPort(addr string, timeout time.Duration, p *proc) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if p != nil && p.done != nil {
			select {
			case <-p.done:
				return fmt.Errorf("%s exited; see %s", p.Name, p.Log)
			default:
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not listening after %s", addr, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// savedState is what `tierchain down` and `status` read.
type savedState struct {
	Base     int     `json:"base"`
	Orderers int     `json:"orderers"`
	Procs    []*proc `json:"procs"`
	Started  string  `json:"started"`
}

func writeState(path string, s savedState) error { return writeJSON(path, s) }

// writeJSON writes v to path atomically (a crash never leaves half a file).
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readState(path string) (savedState, error) { return readJSON[savedState](path) }

func readJSON[T any](path string) (T, error) {
	var v T
	b, err := os.ReadFile(path)
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(b, &v)
}

// record describes the network a data directory holds, written once it is
// fully created; a directory without one holds no usable network.
type record struct {
	Base               int    `json:"base"`
	Orderers           int    `json:"orderers"`
	BatchTimeoutMillis int    `json:"batchTimeoutMillis"`
	PackageID          string `json:"packageID"`
	Created            string `json:"created"`
}

func writeRecord(path string, r record) error { return writeJSON(path, r) }

func readRecord(path string) (record, error) { return readJSON[record](path) }

// ProcessAlive reports whether pid runs the binary bin (by base name), so
// that a recorded PID reused by another program is never signalled.
func ProcessAlive(pid int, bin string) bool { return alive(pid, bin) }

// StopProcess sends SIGTERM to pid's process group, and SIGKILL after
// grace, if pid still runs bin.
func StopProcess(pid int, bin string, grace time.Duration) { killPID(pid, bin, grace) }
