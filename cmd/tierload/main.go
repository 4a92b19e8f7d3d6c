// Command tierload drives a real TierChain network with concurrent clients
// for a bounded time or count (loopback only) and reports throughput,
// p50/p95/p99 latency and errors by kind, with a live progress line and an
// optional PNG chart.
//
//	tierload [-dir .tierchain/network | -start] [-workloads baseline-transfer,split,issue,finance]
//	         [-clients 8,32,96] [-duration 10s] [-count 0] [-pool 300] [-ledger 1000,10000]
//	         [-org Core] [-png load.png] [-profile DIR]
//	tierload -prove [-clients 1,2] [-duration 10s]
//
// The confidential workloads (split, split-4, split-8, split-json, issue, finance,
// token-query, holder-query) set up a consortium on the network first,
// which bootstraps the platform: they need a fresh network (-start). Their
// requests are pre-built, proofs and all, before each run. rest-split
// serves the whole REST gateway on the network, which also bootstraps the
// platform: run it on a fresh network of its own, not with those.
//
// -profile DIR writes this process's CPU, block and mutex profiles of each
// run; with -start also each chaincode server's CPU profile of the run and
// each peer's, fetched over the run's -duration from the peer's profiling
// listener, which the private network turns on for it (loopback only):
// DIR/<workload>-<clients>.peer-<org>.cpu.pprof beside
// DIR/<workload>-<clients>.chaincode-<org>.cpu.pprof.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tierchain/tierchain/bench/load/workloads"
	"github.com/tierchain/tierchain/internal/fabnet"
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
	names := flag.String("workloads", "baseline-mint,baseline-transfer,query", "comma-separated: "+strings.Join(workloads.Names(), ", "))
	clients := flag.String("clients", "8,32", "comma-separated client counts; each workload runs once per count, the workloads of one count back to back")
	duration := flag.Duration("duration", 10*time.Second, "time bound of each run")
	count := flag.Int64("count", 0, "request bound of each run (0: time only)")
	pool := flag.Int("pool", 300, "requests pre-built for each run of a confidential workload (the run ends when they do)")
	ledger := flag.String("ledger", "", "comma-separated token counts: before the workloads run, grow the supplier's holdings to each count in turn (and walk TokensByHolder)")
	prove := flag.Bool("prove", false, "no network: build 1-in/2-out split requests on -clients goroutines for -duration and report proofs per second and per CPU-second")
	org := flag.String("org", "Core", "organisation whose gateway the clients use")
	pngPath := flag.String("png", "", "write a throughput/latency chart to this PNG file")
	title := flag.String("title", "", "chart title (default: the workloads)")
	jsonPath := flag.String("json", "", "also write the results to this JSON file")
	memo := flag.String("verify-memo", "", "with -start: the chaincode server's CHAINCODE_VERIFY_MEMO (0: every endorsement verifies in full; default: the server's)")
	slots := flag.String("verify-slots", "", "with -start: the chaincode servers' CHAINCODE_VERIFY_SLOTS (0: each endorsement checks its proofs alone; default: the server's, GOMAXPROCS)")
	profile := flag.String("profile", "", "write this process's CPU, block and mutex profiles of each run into this directory (<workload>-<clients>.cpu.pprof, …; the REST gateways run in this process); with -start, each chaincode server's CPU profile of each run too (<workload>-<clients>.chaincode-<org>.cpu.pprof), and each peer's over the run's -duration, fetched from its loopback profiling listener (<workload>-<clients>.peer-<org>.cpu.pprof)")
	redraw := flag.String("chart", "", "no network: draw -png from comma-separated JSON files of earlier runs (-json), in order")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	counts, err := parseCounts(*clients)
	if err != nil {
		return err
	}
	if *title == "" {
		*title = "TierChain load: " + *names
	}
	rep := workloads.Report{JSON: *jsonPath, PNG: *pngPath, Title: *title}
	if *redraw != "" {
		return workloads.Redraw(strings.Split(*redraw, ","), rep)
	}
	if *prove {
		return workloads.Prove(ctx, counts, *duration, rep)
	}
	opts := workloads.Options{Org: *org, Workloads: strings.Split(*names, ","), Clients: counts,
		Duration: *duration, Count: *count, Pool: *pool, ProfileDir: *profile, Report: rep}
	if *ledger != "" {
		if opts.Ledger, err = parseCounts(*ledger); err != nil {
			return err
		}
	}
	if *start {
		fmt.Fprintln(os.Stderr, "starting a private network…")
		netOpts := fabnet.Options{Orderers: 1}
		if *memo != "" {
			netOpts.ChaincodeEnv = []string{"CHAINCODE_VERIFY_MEMO=" + *memo}
		}
		if *slots != "" {
			netOpts.ChaincodeEnv = append(netOpts.ChaincodeEnv, "CHAINCODE_VERIFY_SLOTS="+*slots)
		}
		if *profile != "" {
			abs, err := filepath.Abs(*profile)
			if err != nil {
				return err
			}
			netOpts.ChaincodeEnv = append(netOpts.ChaincodeEnv, "CHAINCODE_CPU_PROFILE="+abs)
			opts.ChaincodeProfileDir = abs
			netOpts.PeerProfile, opts.PeerProfileDir = true, abs
		}
		t0 := time.Now()
		if opts.Net, err = fabnet.StartOnFreePorts(ctx, netOpts); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "network with 1 orderer up on ports %d… in %s\n", opts.Net.Layout.Orderers[0].Ports.Listen, time.Since(t0).Round(time.Millisecond))
		defer func() { opts.Net.Stop(); os.RemoveAll(opts.Net.Dir) }()
	} else if *memo != "" || *slots != "" {
		return fmt.Errorf("-verify-memo and -verify-slots need -start (they set the chaincode servers the run starts)")
	} else if opts.Net, err = fabnet.Open(*dir); err != nil {
		return fmt.Errorf("%w (or pass -start)", err)
	}
	return workloads.Run(ctx, opts)
}

// parseCounts reads a comma-separated list of positive counts.
func parseCounts(s string) ([]int, error) {
	var counts []int
	for _, f := range strings.Split(s, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || c <= 0 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		counts = append(counts, c)
	}
	return counts, nil
}
