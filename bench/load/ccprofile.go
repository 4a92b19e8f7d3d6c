package load

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// ChaincodeProfiles cuts the chaincode servers' CPU profiles around each
// run. The servers write them when started with CHAINCODE_CPU_PROFILE=dir
// (chaincode/cmd/tierchaincc: segment n of process pid is
// tierchaincc-<pid>-<n>.cpu.pprof, SIGUSR1 closes it and opens n+1).
// Begin closes the segment that covered everything since the last run (the
// preparation); End closes the run's own and names it after the run and
// the server's organisation: <name>.<process>.cpu.pprof.
type ChaincodeProfiles struct {
	dir   string
	procs map[string]int // process name → PID
	sent  map[int]int    // PID → SIGUSR1s sent
}

// NewChaincodeProfiles returns the profiles of the chaincode servers of the
// network in netDir that write into dir ("" or no such network: nil, which
// does nothing).
func NewChaincodeProfiles(netDir, dir string) *ChaincodeProfiles {
	if dir == "" {
		return nil
	}
	procs, err := netProcs(netDir)
	if err != nil {
		return nil
	}
	p := &ChaincodeProfiles{dir: dir, procs: map[string]int{}, sent: map[int]int{}}
	for name, pid := range procs {
		if strings.HasPrefix(name, "chaincode") {
			p.procs[name] = pid
		}
	}
	return p
}

// Begin starts a run's segment in every server.
func (p *ChaincodeProfiles) Begin() error {
	if p == nil {
		return nil
	}
	_, err := p.cut()
	return err
}

// End closes the run's segment in every server and names it after the run;
// it returns the files written.
func (p *ChaincodeProfiles) End(name string) ([]string, error) {
	if p == nil {
		return nil, nil
	}
	closed, err := p.cut()
	if err != nil {
		return nil, err
	}
	var out []string
	for proc, file := range closed {
		to := filepath.Join(p.dir, fmt.Sprintf("%s.%s.cpu.pprof", name, proc))
		if err := os.Rename(file, to); err != nil {
			return out, err
		}
		out = append(out, to)
	}
	sort.Strings(out)
	return out, nil
}

// cut sends every server SIGUSR1 and waits until each has written the
// segment it closed; it returns those files by process name.
func (p *ChaincodeProfiles) cut() (map[string]string, error) {
	closed := map[string]string{}
	for name, pid := range p.procs {
		if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
			return nil, fmt.Errorf("profile %s: %w", name, err)
		}
		closed[name] = filepath.Join(p.dir, fmt.Sprintf("tierchaincc-%d-%d.cpu.pprof", pid, p.sent[pid]))
		p.sent[pid]++
	}
	deadline := time.Now().Add(10 * time.Second)
	for name, file := range closed {
		for {
			if _, err := os.Stat(file); err == nil {
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("profile %s: %s not written (was the server started with CHAINCODE_CPU_PROFILE=%s?)", name, file, p.dir)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return closed, nil
}
