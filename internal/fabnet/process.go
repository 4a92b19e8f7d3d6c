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
	"strconv"
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

// stop sends SIGTERM to the process group, then SIGKILL after grace, and
// returns once every process of the group has exited.
func (p *proc) stop(grace time.Duration) error {
	if p.cmd == nil {
		_, err := stopGroup(p.PID, p.Bin, grace)
		return err
	}
	syscall.Kill(-p.PID, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-p.PID, syscall.SIGKILL)
		<-p.done
	}
	// The leader is gone; what it started in its group (a chaincode
	// builder) may not be.
	return waitGroup(p.PID, p.Name, grace)
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

// killWait bounds the wait for a process group after SIGKILL: the kernel
// needs only to tear the processes down, so a group still there after it
// is stuck in the kernel (uninterruptible I/O), not slow.
const killWait = 10 * time.Second

// ErrStillRunning reports a process group that survived SIGTERM, grace and
// SIGKILL followed by killWait.
var ErrStillRunning = errors.New("fabnet: process still running after SIGKILL")

// stopGroup stops a process started by another invocation (tierchain down):
// SIGTERM to its process group, SIGKILL after grace, and a bounded wait
// until every member of the group has exited, so that a following start
// finds the ports and the port range's lock free. It acts only while the
// leader pid still runs bin, or, once the leader is gone altogether, on the
// members its group has left (Linux reuses no pid while a process group
// still bears it). It reports whether it signalled anything.
func stopGroup(pid int, bin string, grace time.Duration) (bool, error) {
	if pid <= 0 || !(alive(pid, bin) || (!pidExists(pid) && len(groupMembers(pid)) > 0)) {
		return false, nil
	}
	return true, terminateGroup(pid, filepath.Base(bin), grace)
}

// waitGroup waits, bounded, for the members a dead leader's group left
// behind: SIGKILL after grace.
func waitGroup(pgid int, name string, grace time.Duration) error {
	if groupExited(pgid, 0) {
		return nil
	}
	return terminateGroup(pgid, name, grace)
}

// terminateGroup sends SIGTERM to process group pgid, SIGKILL after grace,
// and waits (killWait at most) until every member has exited.
func terminateGroup(pgid int, name string, grace time.Duration) error {
	syscall.Kill(-pgid, syscall.SIGTERM)
	if groupExited(pgid, grace) {
		return nil
	}
	syscall.Kill(-pgid, syscall.SIGKILL)
	if groupExited(pgid, killWait) {
		return nil
	}
	return fmt.Errorf("%w: process group %d (%s), members %v", ErrStillRunning, pgid, name, groupMembers(pgid))
}

// groupExited waits up to d for every member of process group pgid to
// have exited, and reports whether they did.
func groupExited(pgid int, d time.Duration) bool {
	for deadline := time.Now().Add(d); ; time.Sleep(50 * time.Millisecond) {
		if len(groupMembers(pgid)) == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// groupMembers lists the processes of group pgid that have not exited
// (zombies have: the kernel closed their descriptors, the port range's
// lock among them).
func groupMembers(pgid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		state, pg, ok := procStat(pid)
		if ok && pg == pgid && state != 'Z' && state != 'X' {
			pids = append(pids, pid)
		}
	}
	return pids
}

// procStat reads a process's state and process group from /proc/pid/stat.
func procStat(pid int) (state byte, pgid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// The fields after the ") " that ends the command name: state, ppid, pgrp.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+2:]))
	if len(f) < 3 {
		return 0, 0, false
	}
	pgid, err = strconv.Atoi(f[2])
	return f[0][0], pgid, err == nil
}

// pidExists reports whether any process (a zombie included) has pid.
func pidExists(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
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
	Base     int `json:"base"`
	Orderers int `json:"orderers"`
	// Hosts: each organisation's address (none recorded: all 127.0.0.1).
	Hosts   map[string]string `json:"hosts,omitempty"`
	Procs   []*proc           `json:"procs"`
	Started string            `json:"started"`
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
	Base               int `json:"base"`
	Orderers           int `json:"orderers"`
	BatchTimeoutMillis int `json:"batchTimeoutMillis"`
	// Hosts: each organisation's address, as its certificates name it (none
	// recorded: a network made when every node listened on 127.0.0.1).
	Hosts map[string]string `json:"hosts,omitempty"`
	// PackageIDs: each organisation's chaincode package ID.
	PackageIDs map[string]string `json:"packageIDs"`
	Created    string            `json:"created"`
}

func writeRecord(path string, r record) error { return writeJSON(path, r) }

func readRecord(path string) (record, error) { return readJSON[record](path) }

// ProcessAlive reports whether pid runs the binary bin (by base name), so
// that a recorded PID reused by another program is never signalled.
func ProcessAlive(pid int, bin string) bool { return alive(pid, bin) }

// StopProcess sends SIGTERM to pid's process group, and SIGKILL after
// grace, if pid still runs bin, and returns once every process of the group
// has exited (ErrStillRunning if one survives SIGKILL).
func StopProcess(pid int, bin string, grace time.Duration) error {
	_, err := stopGroup(pid, bin, grace)
	return err
}
