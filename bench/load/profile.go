package load

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// Profile records this process's profiles over one measured run: CPU,
// and the blocking and mutex contention of its goroutines. Only the REST
// workload runs anything of the platform in this process (the gateways and
// their wallets), so its profiles show where a REST split's time goes.
type Profile struct {
	dir, name string
	cpu       *os.File
	block     *pprof.Profile
	mutex     *pprof.Profile
}

// StartProfile begins the profiles of the run named name in dir ("" does
// nothing). The block and mutex profiles are cumulative since the process
// started: each run's files hold its delta against the start (written as a
// base file beside them for pprof -diff_base).
func StartProfile(dir, name string) (*Profile, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	runtime.SetBlockProfileRate(100 * 1000) // one event per 100 µs blocked
	runtime.SetMutexProfileFraction(10)
	p := &Profile{dir: dir, name: name, block: pprof.Lookup("block"), mutex: pprof.Lookup("mutex")}
	for _, kind := range []string{"block", "mutex"} {
		if err := p.write(kind, kind+".base"); err != nil {
			return nil, err
		}
	}
	f, err := os.Create(filepath.Join(dir, name+".cpu.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	p.cpu = f
	return p, nil
}

func (p *Profile) write(kind, suffix string) error {
	f, err := os.Create(filepath.Join(p.dir, fmt.Sprintf("%s.%s.pprof", p.name, suffix)))
	if err != nil {
		return err
	}
	if err := pprof.Lookup(kind).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Stop ends the CPU profile and writes the block and mutex profiles.
func (p *Profile) Stop() error {
	if p == nil {
		return nil
	}
	pprof.StopCPUProfile()
	if err := p.cpu.Close(); err != nil {
		return err
	}
	for _, kind := range []string{"block", "mutex"} {
		if err := p.write(kind, kind); err != nil {
			return err
		}
	}
	return nil
}
