package fabnet

import (
	"errors"
	"os"
	"path/filepath"
	"time"
)

// ProcStatus is one process of a network found on disk.
type ProcStatus struct {
	Name    string
	PID     int
	Log     string
	Running bool
}

// DirStatus describes the network recorded in a data directory.
type DirStatus struct {
	Layout Layout
	Procs  []ProcStatus
	// Stopped reports a complete network with no processes recorded
	// (after tierchain down): tierchain up restarts it on its ledgers.
	Stopped bool
}

// Status reads the network recorded in dir (by an earlier Start, possibly
// in another process). A directory without a network gives no processes.
func Status(dir string) (DirStatus, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return DirStatus{}, err
	}
	p := paths{root: abs}
	st, err := readState(p.State())
	if errors.Is(err, os.ErrNotExist) {
		rec, err := readRecord(p.Record())
		if err != nil {
			return DirStatus{}, nil
		}
		l, err := withMembers(newLayout(rec.Base, rec.Orderers, rec.Hosts), p)
		return DirStatus{Layout: l, Stopped: true}, err
	}
	if err != nil {
		return DirStatus{}, err
	}
	l, err := withMembers(newLayout(st.Base, st.Orderers, st.Hosts), p)
	if err != nil {
		return DirStatus{}, err
	}
	ds := DirStatus{Layout: l}
	for _, p := range st.Procs {
		ds.Procs = append(ds.Procs, ProcStatus{Name: p.Name, PID: p.PID, Log: p.Log, Running: alive(p.PID, p.Bin)})
	}
	return ds, nil
}

// stopGrace is how long a node has, after SIGTERM, before SIGKILL.
const stopGrace = 5 * time.Second

// StopDir stops every process recorded in dir, by PID (checking each still
// runs the binary it started), and with purge removes the directory. It
// returns how many processes it stopped, once every one of them (and all
// that each started in its process group) has exited: a start right after
// it finds the ports and the port range free. A process that survives
// SIGTERM, grace and SIGKILL gives ErrStillRunning, and the state is kept.
func StopDir(dir string, purge bool) (int, error) { return stopDir(dir, purge, stopGrace) }

func stopDir(dir string, purge bool, grace time.Duration) (int, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0, err
	}
	p := paths{root: abs}
	st, err := readState(p.State())
	stopped := 0
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return 0, err
	default:
		var errs []error
		for i := len(st.Procs) - 1; i >= 0; i-- {
			pr := st.Procs[i]
			signalled, err := stopGroup(pr.PID, pr.Bin, grace)
			if signalled {
				stopped++
			}
			errs = append(errs, err)
		}
		if err := errors.Join(errs...); err != nil {
			return stopped, err
		}
		os.Remove(p.State())
	}
	if purge {
		return stopped, os.RemoveAll(abs)
	}
	return stopped, nil
}

// Open attaches to the running network recorded in dir (started by
// `tierchain up` in another process), for clients: Connect and IdentityFor
// work; process control (Kill, Start…) does not.
func Open(dir string) (*Network, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	p := paths{root: abs}
	st, err := readState(p.State())
	if err != nil {
		return nil, errors.Join(errors.New("fabnet: no network recorded there (start one with: tierchain up)"), err)
	}
	running := false
	for _, pr := range st.Procs {
		running = running || alive(pr.PID, pr.Bin)
	}
	if !running {
		return nil, errors.New("fabnet: the network recorded there is not running")
	}
	l, err := withMembers(newLayout(st.Base, st.Orderers, st.Hosts), p)
	if err != nil {
		return nil, err
	}
	return &Network{Layout: l, Dir: abs, p: p, procs: map[string]*proc{}}, nil
}
