package consortium

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseCPUStat(t *testing.T) {
	d, err := parseCPUStat("usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n")
	if err != nil || d != 1234567*time.Microsecond {
		t.Fatalf("parseCPUStat = %v, %v", d, err)
	}
	for _, bad := range []string{"", "user_usec 5\n", "usage_usec x\n", "usage_usec 99999999999999999999\n"} {
		if _, err := parseCPUStat(bad); err == nil {
			t.Errorf("parseCPUStat(%q) accepted", bad)
		}
	}
}

// Both cgroup layouts are read; a container with neither is an error.
func TestContainerCPU(t *testing.T) {
	old := cgroupRoot
	defer func() { cgroupRoot = old }()
	cgroupRoot = t.TempDir()
	write := func(path, data string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(cgroupRoot, "system.slice", "docker-v2.scope", "cpu.stat"), "usage_usec 2000\n")
	write(filepath.Join(cgroupRoot, "cpuacct", "docker", "v1", "cpuacct.usage"), "3000000\n")
	if d, err := containerCPU("v2"); err != nil || d != 2*time.Millisecond {
		t.Errorf("v2: %v, %v", d, err)
	}
	if d, err := containerCPU("v1"); err != nil || d != 3*time.Millisecond {
		t.Errorf("v1: %v, %v", d, err)
	}
	if _, err := containerCPU("none"); !errors.Is(err, ErrNoCgroup) {
		t.Errorf("missing: %v, want ErrNoCgroup", err)
	}
}

func FuzzParseCPUStat(f *testing.F) {
	f.Add("usage_usec 1\n")
	f.Add("usage_usec 18446744073709551615\n")
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseCPUStat(s); err == nil && d < 0 {
			t.Fatalf("negative CPU time %v from %q", d, s)
		}
	})
}
