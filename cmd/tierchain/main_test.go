package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// TestUpStatusPingDown drives the CLI as a person would: up from nothing,
// status, a refused second up, ping, down keeping the data, status, up
// again on the kept ledgers, down --purge.
func TestUpStatusPingDown(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "network")
	run := func(cmd func(io.Writer, []string) error, args ...string) (string, error) {
		var out bytes.Buffer
		err := cmd(&out, append(args, "--dir", dir))
		t.Logf("%s\n%s", strings.Join(args, " "), out.String())
		return out.String(), err
	}
	must := func(want string, cmd func(io.Writer, []string) error, args ...string) {
		t.Helper()
		out, err := run(cmd, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if !strings.Contains(out, want) {
			t.Fatalf("%v: output lacks %q", args, want)
		}
	}
	t.Cleanup(func() { run(runDown, "--purge") })

	var base string
	for try := 0; ; try++ {
		b, err := fabnettest.FreeRestartBase(1)
		if err != nil {
			t.Fatal(err)
		}
		base = strconv.Itoa(b)
		out, err := run(runUp, "--base", base, "--gateway=false")
		if errors.Is(err, fabnet.ErrPortsInUse) && try < 5 {
			continue // another test binary took the range first
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"up in", "peer0.Regulator", "read-only", "chaincode server"} {
			if !strings.Contains(out, want) {
				t.Fatalf("up: output lacks %q", want)
			}
		}
		break
	}
	// Three orderers (a new network's default), and a peer and a chaincode
	// server per organisation.
	l := fabnet.NewLayout(fabnet.DefaultBase, 3)
	nodes := len(l.Orderers) + 2*len(l.Orgs)
	must(fmt.Sprintf("all %d processes running", nodes), runStatus)
	if _, err := run(runUp, "--base", base, "--gateway=false"); !errors.Is(err, fabnet.ErrAlreadyRunning) {
		t.Fatalf("second up: %v, want ErrAlreadyRunning", err)
	}
	must("committed", runPing)
	must(fmt.Sprintf("stopped %d process(es)", nodes), runDown)
	must("a stopped network is kept", runStatus)
	must("restarting the network", runUp, "--base", base, "--gateway=false")
	must("committed", runPing, "--org", "BankB")
	must("removed", runDown, "--purge")
	must("no network", runStatus)
}
