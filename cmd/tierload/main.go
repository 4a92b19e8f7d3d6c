// Command tierload drives a real TierChain network with concurrent clients
// for a bounded time or count (loopback only) and reports throughput,
// p50/p95/p99 latency and errors by kind, with a live progress line and an
// optional PNG chart.
//
//	tierload [-dir .tierchain/network | -start] [-workloads baseline-mint,query]
//	         [-clients 8,32,96] [-duration 10s] [-count 0] [-org Core] [-png load.png]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/loadgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tierload:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", ".tierchain/network", "data directory of a network started by 'tierchain up'")
	start := flag.Bool("start", false, "start a private network on free loopback ports for this run")
	workloads := flag.String("workloads", "baseline-mint,baseline-transfer,query", "comma-separated: "+strings.Join(workloadNames(), ", "))
	clients := flag.String("clients", "8,32", "comma-separated client counts; each workload runs once per count")
	duration := flag.Duration("duration", 10*time.Second, "time bound of each run")
	count := flag.Int64("count", 0, "request bound of each run (0: time only)")
	org := flag.String("org", "Core", "organisation whose gateway the clients use")
	pngPath := flag.String("png", "", "write a throughput/latency chart to this PNG file")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var n *fabnet.Network
	var err error
	if *start {
		fmt.Fprintln(os.Stderr, "starting a private network…")
		if n, err = fabnettest.StartNetwork(ctx, 1); err != nil {
			return err
		}
		defer func() { n.Stop(); os.RemoveAll(n.Dir) }()
	} else if n, err = fabnet.Open(*dir); err != nil {
		return fmt.Errorf("%w (or pass -start)", err)
	}
	conn, err := n.Connect(*org, "User1")
	if err != nil {
		return err
	}
	defer conn.Close()

	var counts []int
	for _, s := range strings.Split(*clients, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || c <= 0 {
			return fmt.Errorf("bad client count %q", s)
		}
		counts = append(counts, c)
	}
	var results []loadgen.Result
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	for _, name := range strings.Split(*workloads, ",") {
		w, ok := workloadByName[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("unknown workload %q (have %s)", name, strings.Join(workloadNames(), ", "))
		}
		for _, c := range counts {
			op, err := w.prepare(ctx, conn, c, runID)
			if err != nil {
				return fmt.Errorf("%s: prepare: %w", name, err)
			}
			r, err := loadgen.Run(ctx, loadgen.Config{Name: w.name, Clients: c, Duration: *duration, Count: *count,
				Classify: classify, Progress: os.Stderr}, op)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
	}
	fmt.Println()
	for _, r := range results {
		fmt.Println(r)
		for kind, k := range r.Errors {
			fmt.Printf("    %-20s %d\n", kind, k)
		}
	}
	if *pngPath != "" {
		f, err := os.Create(*pngPath)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := loadgen.WriteChart(f, "TierChain load: "+*workloads, results); err != nil {
			return err
		}
		fmt.Println("chart:", *pngPath)
	}
	return nil
}

// classify names the kind of a fabric-gateway error.
func classify(err error) string {
	var endorse *client.EndorseError
	var submit *client.SubmitError
	var commitStatus *client.CommitStatusError
	var commit *client.CommitError
	switch {
	case errors.As(err, &commit):
		return "not-committed:" + commit.Code.String()
	case errors.As(err, &commitStatus):
		return "commit-status"
	case errors.As(err, &submit):
		return "submit"
	case errors.As(err, &endorse):
		if status.Code(endorse) == codes.DeadlineExceeded {
			return "endorse-timeout"
		}
		return "endorse"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "other"
}
