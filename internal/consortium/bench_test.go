//go:build consortium

package consortium

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/demo"
)

// benchOps is how many operations each side of the comparison commits.
func benchOps(t *testing.T) int {
	n := 40
	if v := os.Getenv("TIERCHAIN_CONSORTIUM_OPS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 10000 {
			t.Fatalf("TIERCHAIN_CONSORTIUM_OPS=%q: a whole number from 1 to 10000", v)
		}
	}
	return n
}

// TestConsortiumBenchmark (make bench-consortium) compares, on the compose
// consortium and in one run, the confidential split (REST, at the
// operator's gateway: a hosted supplier splits 1.00 off its token, the
// gateway builds the proofs, three organisations' chaincode servers verify
// them) with the plaintext transfer (baseline:Transfer submitted by Core's
// User1 through Core's peer), one client each, one after the other. For
// each it reports committed operations per second, latency, and the CPU
// each organisation's host (its containers' cgroups) spent per committed
// operation, so the host that carries the work shows.
func TestConsortiumBenchmark(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	n := benchOps(t)
	c := start(t, ctx)
	cfg, err := c.StoryConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Out, cfg.StopBefore, cfg.Maturity = testWriter{t}, "finance", time.Hour
	res, err := demo.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ld := c.NewLedger()
	defer ld.Close()
	if err := ld.Mint(ctx, "Core", "bench-src", uint64(n)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitHeights(ctx, 0, time.Minute); err != nil {
		t.Fatal(err)
	}

	type side struct {
		name string
		op   func(i int) error
	}
	tier1 := &demo.Client{Base: c.GatewayURL("Operator"), Token: res.SupplierTokens[0]}
	held := res.Held[0]
	sides := []side{
		{"plaintext transfer", func(i int) error {
			return ld.Transfer(ctx, "Core", "bench-src", fmt.Sprintf("bench-dst-%d", i), 1)
		}},
		{"confidential split (REST)", func(i int) error {
			var out struct {
				Tokens []demo.Token `json:"tokens"`
			}
			if err := tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+held.ID+"/split", map[string]any{
				"outputs": []map[string]string{{"to": res.Suppliers[1], "amount": "1.00"}}}, &out); err != nil {
				return err
			}
			if len(out.Tokens) != 2 {
				return fmt.Errorf("split gave %d tokens, want 2", len(out.Tokens))
			}
			held = out.Tokens[1] // the change, split next
			return nil
		}},
	}
	var rows []string
	for _, s := range sides {
		before, err := c.CPU(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lat := make([]time.Duration, 0, n)
		began := time.Now()
		for i := 0; i < n; i++ {
			t0 := time.Now()
			if err := s.op(i); err != nil {
				t.Fatalf("%s %d: %v", s.name, i, err)
			}
			lat = append(lat, time.Since(t0))
		}
		wall := time.Since(began)
		after, err := c.CPU(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		var per []string
		var total time.Duration
		for _, o := range c.Layout.Orgs {
			d := (after[o.Name] - before[o.Name]) / time.Duration(n)
			total += d
			per = append(per, fmt.Sprintf("%.1f", ms(d)))
		}
		rows = append(rows, fmt.Sprintf("| %s | %d | %.1f | %.0f ms | %.0f ms | %s | %.1f |",
			s.name, n, float64(n)/wall.Seconds(), ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), strings.Join(per, " | "), ms(total)))
	}
	var hdr []string
	for _, o := range c.Layout.Orgs {
		hdr = append(hdr, o.Name)
	}
	fmt.Printf("| operation (1 client) | committed | ops/s | p50 | p99 | CPU ms per op: %s | all hosts |\n", strings.Join(hdr, " | "))
	fmt.Printf("|%s\n", strings.Repeat(" --- |", 6+len(hdr)))
	for _, r := range rows {
		fmt.Println(r)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
