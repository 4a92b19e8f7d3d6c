package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"
)

// cpuProfiler writes the server's CPU profile in segments when
// CHAINCODE_CPU_PROFILE names a directory: segment n of process pid is
// <dir>/tierchaincc-<pid>-<n>.cpu.pprof. SIGUSR1 closes the open segment
// and starts the next, so a load tool can cut a profile around each run
// (bench/load.ChaincodeProfiles); SIGTERM or SIGINT closes the last one and
// exits. Profiling costs the server a few percent of CPU: it is opt-in.
type cpuProfiler struct {
	dir  string
	pid  int
	n    int
	file *os.File
}

// segmentName is the file segment n of process pid's profile is written to.
func segmentName(pid, n int) string { return fmt.Sprintf("tierchaincc-%d-%d.cpu.pprof", pid, n) }

// startCPUProfile begins segment 0 in dir and handles the signals that
// rotate and end it. An empty dir does nothing.
func startCPUProfile(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("CHAINCODE_CPU_PROFILE: %w", err)
	}
	p := &cpuProfiler{dir: dir, pid: os.Getpid()}
	if err := p.open(); err != nil {
		return err
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		for s := range sigs {
			if err := p.close(); err != nil {
				slog.Error("CPU profile", "err", err)
			}
			if s != syscall.SIGUSR1 {
				os.Exit(0)
			}
			p.n++
			if err := p.open(); err != nil {
				slog.Error("CPU profile", "err", err)
			}
		}
	}()
	return nil
}

func (p *cpuProfiler) open() error {
	f, err := os.Create(filepath.Join(p.dir, segmentName(p.pid, p.n)+".part"))
	if err != nil {
		return fmt.Errorf("CHAINCODE_CPU_PROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("CHAINCODE_CPU_PROFILE: %w", err)
	}
	p.file = f
	return nil
}

// close ends the open segment and gives it its final name, so a reader
// that sees the name sees the whole profile.
func (p *cpuProfiler) close() error {
	if p.file == nil {
		return nil
	}
	pprof.StopCPUProfile()
	f := p.file
	p.file = nil
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(p.dir, segmentName(p.pid, p.n)))
}
