package chart

import (
	"bytes"
	"context"
	"image/png"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/bench/load"
)

func TestChart(t *testing.T) {
	r, err := load.Run(context.Background(), load.Config{Name: "chart", Clients: 2, Duration: 60 * time.Millisecond},
		func(context.Context, int, int64) error { time.Sleep(5 * time.Millisecond); return nil })
	if err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	r2 := r
	r2.Name, r2.Clients = "other", 8
	if err := Write(&img, "test", []load.Result{r, r2}); err != nil {
		t.Fatal(err)
	}
	decoded, err := png.Decode(&img)
	if err != nil {
		t.Fatal(err)
	}
	if b := decoded.Bounds(); b.Dx() != 1200 || b.Dy() != 560 {
		t.Fatalf("chart is %v", b)
	}
	if err := Write(&img, "empty", nil); err == nil {
		t.Fatal("charted nothing")
	}
}

func TestChartAxes(t *testing.T) {
	rs := []load.Result{{Name: "baseline", Clients: 8}, {Name: "split", Clients: 8}, {Name: "baseline", Clients: 32}, {Name: "issue", Clients: 32}, {Name: "issue", Clients: 1}}
	names, groups := chartAxes(rs)
	if !slices.Equal(names, []string{"baseline", "split", "issue"}) || !slices.Equal(groups, []int{1, 8, 32}) {
		t.Fatalf("names %v, groups %v", names, groups)
	}
	if _, ok := find(rs, "issue", 8); ok {
		t.Fatal("found a run that did not happen")
	}
	if r, ok := find(rs, "split", 8); !ok || r.Name != "split" {
		t.Fatal("missed a run")
	}
}
