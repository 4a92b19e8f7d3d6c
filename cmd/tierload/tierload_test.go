package main

import (
	"context"
	"os"
	"testing"

	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/loadgen"
)

func TestMain(m *testing.M) { os.Exit(fabnettest.Main(m, fabnettest.Options{})) }

// TestWorkloadsOnRealNetwork runs every workload briefly against a real
// network: each request must succeed.
func TestWorkloadsOnRealNetwork(t *testing.T) {
	ctx := context.Background()
	conn := fabnettest.Connect(t, "Core", "User1")
	for _, name := range workloadNames() {
		op, err := workloadByName[name].prepare(ctx, conn, 2, "test")
		if err != nil {
			t.Fatalf("%s: prepare: %v", name, err)
		}
		r, err := loadgen.Run(ctx, loadgen.Config{Name: name, Clients: 2, Count: 6, Classify: classify}, op)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK != 6 || r.Failed() != 0 {
			t.Fatalf("%s: %d ok, errors %v", name, r.OK, r.Errors)
		}
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
