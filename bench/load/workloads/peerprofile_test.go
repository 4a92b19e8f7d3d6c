package workloads

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// A run with PeerProfileDir on a network whose peers listen for profiles
// (TestMain turns them on) writes each peer's CPU profile of the run, and
// the profile is one pprof reads.
func TestRunProfilesThePeers(t *testing.T) {
	n := fabnettest.Network()
	dir := t.TempDir()
	opts := Options{Net: n, Org: "Core", Workloads: []string{"baseline-mint"}, Clients: []int{2},
		Duration: 2 * time.Second, Pool: 4, PeerProfileDir: dir}
	start := time.Now()
	if err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	t.Logf("run and profiles in %s", time.Since(start).Round(time.Millisecond))
	for _, o := range n.Layout.Orgs {
		file := filepath.Join(dir, "baseline-mint-2.peer-"+strings.ToLower(o.Name)+".cpu.pprof")
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		z, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if body, err := io.ReadAll(z); err != nil || len(body) == 0 {
			t.Fatalf("%s: %d bytes (%v)", file, len(body), err)
		}
		// go test puts its own go first in PATH.
		out, err := exec.Command("go", "tool", "pprof", "-raw", file).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("PeriodType: cpu nanoseconds")) {
			t.Fatalf("go tool pprof %s: %v\n%s", file, err, out)
		}
	}
}
