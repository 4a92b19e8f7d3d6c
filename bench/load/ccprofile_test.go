package load

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
)

// TestChaincodeProfilesCut: Begin and End signal every chaincode server
// (here this process, standing in for one) and End names the segment the
// run's signal closed after the run and the server.
func TestChaincodeProfilesCut(t *testing.T) {
	if NewChaincodeProfiles(t.TempDir(), "") != nil {
		t.Fatal("no profile directory: want no profiles")
	}
	netDir, dir := t.TempDir(), t.TempDir()
	pid := os.Getpid()
	state := fmt.Sprintf(`{"procs":[{"name":"chaincode-core","pid":%d},{"name":"peer0-core","pid":1}]}`, pid)
	if err := os.WriteFile(filepath.Join(netDir, "state.json"), []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	// The stand-in server: each SIGUSR1 closes segment n.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for n := 0; n < 2; n++ {
			<-sigs
			os.WriteFile(filepath.Join(dir, fmt.Sprintf("tierchaincc-%d-%d.cpu.pprof", pid, n)), []byte(fmt.Sprint("segment ", n)), 0o644)
		}
	}()
	p := NewChaincodeProfiles(netDir, dir)
	if err := p.Begin(); err != nil {
		t.Fatal(err)
	}
	files, err := p.End("split-64")
	if err != nil {
		t.Fatal(err)
	}
	<-done
	want := filepath.Join(dir, "split-64.chaincode-core.cpu.pprof")
	if len(files) != 1 || files[0] != want {
		t.Fatalf("files %v, want [%s]", files, want)
	}
	if b, _ := os.ReadFile(want); string(b) != "segment 1" {
		t.Errorf("the run's profile holds %q, want segment 1", b)
	}
}
