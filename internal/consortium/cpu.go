package consortium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNoCgroup reports a container whose CPU account is not found.
var ErrNoCgroup = errors.New("consortium: no cgroup CPU account for the container")

// cgroupRoot is where the host mounts the cgroup hierarchy.
var cgroupRoot = "/sys/fs/cgroup"

// containerCPU returns the CPU time a container has used so far, from its
// cgroup: cgroup v2 cpu.stat usage_usec (systemd or cgroupfs driver), or
// cgroup v1 cpuacct.usage.
func containerCPU(id string) (time.Duration, error) {
	for _, dir := range []string{
		filepath.Join(cgroupRoot, "system.slice", "docker-"+id+".scope"),
		filepath.Join(cgroupRoot, "docker", id),
	} {
		b, err := os.ReadFile(filepath.Join(dir, "cpu.stat"))
		if err != nil {
			continue
		}
		return parseCPUStat(string(b))
	}
	for _, f := range []string{
		filepath.Join(cgroupRoot, "cpuacct", "docker", id, "cpuacct.usage"),
		filepath.Join(cgroupRoot, "cpu,cpuacct", "docker", id, "cpuacct.usage"),
	} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		ns, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 63)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", f, err)
		}
		return time.Duration(ns), nil
	}
	return 0, fmt.Errorf("%w %s under %s", ErrNoCgroup, id, cgroupRoot)
}

// parseCPUStat reads usage_usec from a cgroup v2 cpu.stat.
func parseCPUStat(s string) (time.Duration, error) {
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, " ")
		if ok && k == "usage_usec" {
			us, err := strconv.ParseUint(strings.TrimSpace(v), 10, 63)
			if err != nil || us > uint64(1<<63-1)/1000 {
				return 0, fmt.Errorf("cpu.stat usage_usec %q", v)
			}
			return time.Duration(us) * time.Microsecond, nil
		}
	}
	return 0, errors.New("cpu.stat without usage_usec")
}

// CPU returns the CPU time each organisation's containers (its host) have
// used so far.
func (c *Consortium) CPU(ctx context.Context) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, o := range c.Layout.Orgs {
		for _, s := range c.Services(o.Name) {
			id, err := c.container(ctx, s)
			if err != nil {
				return nil, err
			}
			full, err := run(ctx, nil, "docker", "inspect", "-f", "{{.Id}}", id)
			if err != nil {
				return nil, err
			}
			d, err := containerCPU(strings.TrimSpace(string(full)))
			if err != nil {
				return nil, err
			}
			out[o.Name] += d
		}
	}
	return out, nil
}
