package fabnet

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the processes TestStopDirWaitsForTheGroup
// stops, chosen by this variable (init runs before TestMain starts a
// network).
const helperEnv = "TIERCHAIN_FABNET_STOP_HELPER"

// readyEnv names the directory where each helper process writes a file
// once its signal handling is in place: a SIGTERM that came before that
// would end a "stubborn" helper at once and make the test meaningless.
const readyEnv = "TIERCHAIN_FABNET_STOP_READY"

func init() {
	ready := func() {
		name := filepath.Join(os.Getenv(readyEnv), strconv.Itoa(os.Getpid()))
		if err := os.WriteFile(name, nil, 0o600); err != nil {
			os.Exit(3)
		}
	}
	switch os.Getenv(helperEnv) {
	case "leader":
		// A node that starts a helper in its process group (as a peer starts
		// a chaincode builder) and exits at once on SIGTERM.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), helperEnv+"=stubborn")
		if err := child.Start(); err != nil {
			os.Exit(2)
		}
		ready()
		<-sig
		os.Exit(0)
	case "stubborn":
		// A process that shrugs off SIGTERM: only SIGKILL ends it.
		signal.Ignore(syscall.SIGTERM)
		ready()
		time.Sleep(time.Hour)
		os.Exit(0)
	}
}

// startHelper starts the test binary as a helper process recorded in a
// data directory's state, as `tierchain up` records its nodes, and waits
// until its process group has want members, each with its signal handling
// in place.
func startHelper(t *testing.T, dir, role string, want int) *proc {
	t.Helper()
	readyDir := t.TempDir()
	p, err := startProc(role, os.Args[0], nil, []string{helperEnv + "=" + role, readyEnv + "=" + readyDir},
		filepath.Join(dir, "logs"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-p.PID, syscall.SIGKILL) })
	readyCount := func() int {
		es, _ := os.ReadDir(readyDir)
		return len(es)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(groupMembers(p.PID)) < want || readyCount() < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d process(es) in its group, %d ready, want %d", role, len(groupMembers(p.PID)), readyCount(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p
}

// TestStopDirWaitsForTheGroup: StopDir (tierchain down) returns only once
// every process of every stopped group has exited, the leader's children
// included, using SIGKILL after the grace period on those that ignore
// SIGTERM; and it does so within a bound.
func TestStopDirWaitsForTheGroup(t *testing.T) {
	dir := t.TempDir()
	leader := startHelper(t, dir, "leader", 2)
	stubborn := startHelper(t, dir, "stubborn", 1)
	p := paths{root: dir}
	if err := writeState(p.State(), savedState{Base: 1, Orderers: 1, Procs: []*proc{leader, stubborn}}); err != nil {
		t.Fatal(err)
	}
	const grace = 300 * time.Millisecond
	start := time.Now()
	stopped, err := stopDir(dir, false, grace)
	took := time.Since(start)
	if err != nil || stopped != 2 {
		t.Fatalf("stopDir: stopped %d, %v", stopped, err)
	}
	for _, pr := range []*proc{leader, stubborn} {
		if m := groupMembers(pr.PID); len(m) != 0 {
			t.Errorf("stopDir returned while %s's group still runs %v", pr.Name, m)
		}
	}
	if took < grace {
		t.Errorf("stopDir took %s: it cannot have waited out the grace period (%s) before SIGKILL", took, grace)
	}
	if took > 2*grace+killWait {
		t.Errorf("stopDir took %s, more than its bound", took)
	}
	if _, err := os.Stat(p.State()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state kept after every process stopped: %v", err)
	}
}

// TestStopDirLeavesOtherProcesses: a recorded PID that now runs another
// binary is not signalled.
func TestStopDirLeavesOtherProcesses(t *testing.T) {
	dir := t.TempDir()
	other := startHelper(t, dir, "stubborn", 1)
	other.Bin = "/usr/bin/not-the-recorded-binary"
	if err := writeState(paths{root: dir}.State(), savedState{Base: 1, Orderers: 1, Procs: []*proc{other}}); err != nil {
		t.Fatal(err)
	}
	if stopped, err := stopDir(dir, false, 100*time.Millisecond); err != nil || stopped != 0 {
		t.Fatalf("stopDir: stopped %d, %v", stopped, err)
	}
	if len(groupMembers(other.PID)) == 0 {
		t.Fatal("a process recorded under another binary was stopped")
	}
}
