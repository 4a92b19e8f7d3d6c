package rest

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/bench/load"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(fabnettest.Main(m, fabnettest.Options{}))
}

// TestSplitOp: two chains of REST splits, two runs (the second on the
// tokens the first handed back): every split commits.
func TestSplitOp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	c, err := fabnettest.Network().OrgConfigs()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Start(ctx, c, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for run := range 2 {
		op, giveBack, err := g.SplitOp(ctx, 4)
		if err != nil {
			t.Fatal(err)
		}
		r, err := load.Run(ctx, load.Config{Name: "rest-split", Clients: 4, Count: 8, Classify: Classify}, op)
		giveBack()
		if err != nil {
			t.Fatal(err)
		}
		if r.OK != 8 || r.Failed() != 0 {
			t.Fatalf("run %d: %d ok, errors %v", run, r.OK, r.Errors)
		}
	}
}

func TestClassify(t *testing.T) {
	if got := Classify(context.DeadlineExceeded); got != "timeout" {
		t.Errorf("deadline: %s", got)
	}
}

func TestDecimalAndNext(t *testing.T) {
	for minor, want := range map[uint64]string{0: "0.00", 1: "0.01", 100: "1.00", 123456: "1234.56", 7500000: "75000.00"} {
		if got := decimal(minor); got != want {
			t.Errorf("decimal(%d) = %s, want %s", minor, got, want)
		}
	}
	g := &Gateway{suppliers: []string{"a", "b", "c"}}
	for from, to := range map[string]string{"a": "b", "b": "c", "c": "a", "stranger": "a"} {
		if got := g.next(from); got != to {
			t.Errorf("next(%s) = %s, want %s", from, got, to)
		}
	}
}
