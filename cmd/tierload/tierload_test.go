package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/loadgen"
)

func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{})) }

// TestWorkloadsOnRealNetwork runs every workload briefly against a real
// network (the confidential ones on a consortium set up once, with four
// pre-built requests): each request must succeed (the plaintext transfer
// may lose some to endorsers that lag).
func TestWorkloadsOnRealNetwork(t *testing.T) {
	ctx := context.Background()
	e := &env{net: fabnettest.Network(), conn: fabnettest.Connect(t, "Core", "User1"), org: "Core", runID: "test", pool: 4}
	t.Cleanup(e.Close)
	for _, name := range workloadNames() {
		if strings.HasPrefix(name, "rest-") {
			continue // the gateway bootstraps the platform too: gateway/loadrest tests it on a network of its own
		}
		prepStart := time.Now()
		op, err := workloadByName[name].prepare(ctx, e, 2)
		if err != nil {
			t.Fatalf("%s: prepare: %v", name, err)
		}
		r, err := loadgen.Run(ctx, loadgen.Config{Name: name, Clients: 2, Count: int64(e.pool), Classify: classify}, op)
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
	if got := classify(context.DeadlineExceeded); got != "timeout" {
		t.Errorf("deadline: %s", got)
	}
	if got := classify(os.ErrClosed); got != "other" {
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
