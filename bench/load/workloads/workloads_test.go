package workloads

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/bench/load"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// The peers listen for profiles (TestRunProfilesThePeers).
func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{PeerProfile: true})) }

// TestWorkloadsOnRealNetwork runs every workload briefly against a real
// network (the confidential ones on a consortium set up once, with four
// pre-built requests): each request must succeed (the plaintext transfer
// may lose some to endorsers that lag). The REST ones run last, on the
// consortium the chain driver set up, as in a tierload run of both kinds
// (which once failed: "NOT_FOUND: enterprise carmaker").
func TestWorkloadsOnRealNetwork(t *testing.T) {
	ctx := context.Background()
	e := &env{net: fabnettest.Network(), conn: fabnettest.Connect(t, "Core", "User1"), org: "Core", runID: "test", pool: 4}
	t.Cleanup(e.Close)
	var names, rest []string
	for _, name := range Names() {
		if strings.HasPrefix(name, "rest-") {
			rest = append(rest, name)
		} else {
			names = append(names, name)
		}
	}
	if len(rest) == 0 {
		t.Fatal("no REST workload")
	}
	for _, name := range append(names, rest...) {
		prepStart := time.Now()
		op, err := workloadByName[name].prepare(ctx, e, 2)
		if err != nil {
			t.Fatalf("%s: prepare: %v", name, err)
		}
		r, err := load.Run(ctx, load.Config{Name: name, Clients: 2, Count: int64(e.pool), Classify: Classify}, op)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: prepared and ran in %s", name, time.Since(prepStart).Round(time.Millisecond))
		if name == "baseline-transfer" && r.OK > 0 && r.Errors["endorse"] == r.Failed() {
			// A client's next transfer may reach an endorser that has not
			// yet committed its previous one (docs/BENCHMARKS.md, Network).
			continue
		}
		if r.OK != int64(e.pool) || r.Failed() != 0 {
			t.Fatalf("%s: %d ok, errors %v", name, r.OK, r.Errors)
		}
	}
	if err := growLedger(ctx, e, 40); err != nil {
		t.Fatal(err)
	}
	held, _, _, err := walkHolder(ctx, e.world)
	if err != nil || held < 40 {
		t.Fatalf("tier1 holds %d tokens after growing to 40 (%v)", held, err)
	}
}

func TestClassify(t *testing.T) {
	if got := Classify(context.DeadlineExceeded); got != "timeout" {
		t.Errorf("deadline: %s", got)
	}
	if got := Classify(os.ErrClosed); got != "other" {
		t.Errorf("other: %s", got)
	}
}

func TestProveMode(t *testing.T) {
	if testing.Short() {
		t.Skip("proves for a second")
	}
	results, err := proveSplits(context.Background(), []int{1}, 300e6)
	if err != nil || len(results) != 1 || results[0].OK == 0 || results[0].CPU <= 0 {
		t.Fatalf("%v %+v", err, results)
	}
}

// TestRedraw: the results a run wrote as JSON draw a chart again (tierload
// -chart), and a file that is not such JSON is refused by name.
func TestRedraw(t *testing.T) {
	dir := t.TempDir()
	results := []load.Result{{Name: "split", Clients: 8, OK: 10, Throughput: 5}, {Name: "issue", Clients: 8, OK: 4, Throughput: 2}}
	rep := Report{JSON: filepath.Join(dir, "run.json"), Title: "test"}
	if err := rep.write(results); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "run.png")
	if err := Redraw([]string{rep.JSON}, Report{PNG: png, JSON: filepath.Join(dir, "unused.json"), Title: "again"}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(png); err != nil || fi.Size() == 0 {
		t.Fatalf("no chart: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "unused.json")); !os.IsNotExist(err) {
		t.Fatal("a redraw wrote JSON")
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Redraw([]string{filepath.Join(dir, "bad.json")}, Report{}); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Fatalf("bad JSON: %v", err)
	}
}
