package load

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on
// Linux).
const clockTick = 10 * time.Millisecond

// netProcs names the network's processes by PID, from the state file
// fabnet writes in its data directory.
func netProcs(dir string) (map[string]int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return nil, err
	}
	var s struct {
		Procs []struct {
			Name string `json:"name"`
			PID  int    `json:"pid"`
		} `json:"procs"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, p := range s.Procs {
		out[p.Name] = p.PID
	}
	return out, nil
}

// procCPU reads a process's CPU time (user + system) from /proc.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU returns utime + stime of a /proc/<pid>/stat line. The
// command (field 2) may hold spaces and parentheses, so fields are counted
// from its closing parenthesis.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("proc stat: no command field")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("proc stat: %d fields", len(f)+2)
	}
	var ticks int64
	for _, s := range f[11:13] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc stat: %w", err)
		}
		ticks += v
	}
	return time.Duration(ticks) * clockTick, nil
}

// CPUMeter measures the CPU time each network process spends during a run.
type CPUMeter struct {
	procs map[string]int
	start map[string]time.Duration
}

// NewCPUMeter meters the processes of the network whose data directory is
// dir; it returns nil (a meter that measures nothing) when dir names no
// running network's processes.
func NewCPUMeter(dir string) *CPUMeter {
	procs, err := netProcs(dir)
	if err != nil {
		return nil
	}
	return &CPUMeter{procs: procs}
}

// Begin records every process's CPU time at the start of a run.
func (m *CPUMeter) Begin() {
	if m == nil {
		return
	}
	m.start = map[string]time.Duration{}
	for name, pid := range m.procs {
		if d, err := procCPU(pid); err == nil {
			m.start[name] = d
		}
	}
}

// End returns a line with each process group's CPU time per successful
// operation: peers (and the regulator's alone), orderer, chaincode
// server, and the total; and a line with every process on its own.
func (m *CPUMeter) End(ops int64) (summary, detail string) {
	if m == nil || ops == 0 {
		return "", ""
	}
	groups := map[string]time.Duration{}
	each := map[string]time.Duration{}
	var total time.Duration
	for name, pid := range m.procs {
		d, err := procCPU(pid)
		s, ok := m.start[name]
		if err != nil || !ok {
			continue
		}
		g := name
		switch {
		case strings.HasPrefix(name, "peer"):
			g = "peers"
		case strings.HasPrefix(name, "orderer"):
			g = "orderer"
		}
		groups[g] += d - s
		each[name] = d - s
		total += d - s
		if name == "peer0-regulator" {
			// It endorses nothing: its CPU is what validating and
			// committing a block costs one peer.
			groups["(of which regulator peer, commit only)"] += d - s
		}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "    network CPU per op: total %.1f ms", PerOp(total, ops))
	for _, g := range names {
		fmt.Fprintf(&b, ", %s %.1f", g, PerOp(groups[g], ops))
	}
	procs := make([]string, 0, len(each))
	for p := range each {
		procs = append(procs, p)
	}
	sort.Strings(procs)
	var d strings.Builder
	for i, p := range procs {
		if i > 0 {
			d.WriteString(", ")
		}
		fmt.Fprintf(&d, "%s %.1f", p, PerOp(each[p], ops))
	}
	return b.String(), d.String()
}
