// Command tierload drives a real TierChain network with concurrent clients
// for a bounded time or count (loopback only) and reports throughput,
// p50/p95/p99 latency and errors by kind, with a live progress line and an
// optional PNG chart.
//
//	tierload [-dir .tierchain/network | -start] [-workloads baseline-transfer,split,issue,finance]
//	         [-clients 8,32,96] [-duration 10s] [-count 0] [-pool 300] [-ledger 1000,10000]
//	         [-org Core] [-png load.png]
//	tierload -prove [-clients 1,2] [-duration 10s]
//
// The confidential workloads (split, split-4, split-8, split-json, issue, finance,
// token-query, holder-query) set up a consortium on the network first,
// which bootstraps the platform: they need a fresh network (-start). Their
// requests are pre-built, proofs and all, before each run. rest-split
// serves the whole REST gateway on the network, which also bootstraps the
// platform: run it on a fresh network of its own, not with those.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tierchain/tierchain/gateway/loadrest"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/fabricclient"
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
	profile := flag.String("profile", "", "write this process's CPU, block and mutex profiles of each run into this directory (<workload>-<clients>.cpu.pprof, …; the REST gateways run in this process)")
	redraw := flag.String("chart", "", "no network: draw -png from comma-separated JSON files of earlier runs (-json), in order")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	counts, err := parseCounts(*clients)
	if err != nil {
		return err
	}
	if *title == "" {
		*title = "TierChain load: " + *workloads
	}
	if *redraw != "" {
		results, err := readResults(strings.Split(*redraw, ","))
		if err != nil {
			return err
		}
		return report(results, *pngPath, "", *title)
	}
	if *prove {
		results, err := proveSplits(ctx, counts, *duration)
		if err != nil {
			return err
		}
		return report(results, *pngPath, *jsonPath, "TierChain client side: 1-in/2-out split requests built")
	}
	var n *fabnet.Network
	if *start {
		fmt.Fprintln(os.Stderr, "starting a private network…")
		opts := fabnet.Options{Orderers: 1}
		if *memo != "" {
			opts.ChaincodeEnv = []string{"CHAINCODE_VERIFY_MEMO=" + *memo}
		}
		if n, err = fabnettest.StartNetworkWith(ctx, opts); err != nil {
			return err
		}
		defer func() { n.Stop(); os.RemoveAll(n.Dir) }()
	} else if *memo != "" {
		return fmt.Errorf("-verify-memo needs -start (it sets the chaincode server the run starts)")
	} else if n, err = fabnet.Open(*dir); err != nil {
		return fmt.Errorf("%w (or pass -start)", err)
	}
	conn, err := n.Connect(*org, "User1")
	if err != nil {
		return err
	}
	defer conn.Close()
	e := &env{net: n, conn: conn, org: *org, runID: strconv.FormatInt(time.Now().UnixNano(), 36), pool: *pool}
	defer e.Close()

	var names []string
	for _, name := range strings.Split(*workloads, ",") {
		name = strings.TrimSpace(name)
		if _, ok := workloadByName[name]; !ok {
			return fmt.Errorf("unknown workload %q (have %s)", name, strings.Join(workloadNames(), ", "))
		}
		names = append(names, name)
	}
	steps := []int{0}
	if *ledger != "" {
		if steps, err = parseCounts(*ledger); err != nil {
			return err
		}
	}
	var results []loadgen.Result
	var cpuLines []string
	meter := newCPUMeter(n.Dir)
	for _, size := range steps {
		suffix := ""
		if size > 0 {
			if err := growLedger(ctx, e, size); err != nil {
				return err
			}
			suffix = "@" + strconv.Itoa(size)
		}
		// Client-major: every workload at one client count back to back,
		// so the baseline and the confidential runs see the same machine.
		for _, c := range counts {
			for _, name := range names {
				w := workloadByName[name]
				op, err := w.prepare(ctx, e, c)
				if err != nil {
					return fmt.Errorf("%s: prepare: %w", name, err)
				}
				prof, err := startProfile(*profile, fmt.Sprintf("%s%s-%d", w.name, suffix, c))
				if err != nil {
					return err
				}
				meter.begin()
				r, err := loadgen.Run(ctx, loadgen.Config{Name: w.name + suffix, Clients: c, Duration: *duration, Count: *count,
					Classify: classify, Progress: os.Stderr}, op)
				if perr := prof.stop(); perr != nil && err == nil {
					err = perr
				}
				if e.afterRun != nil {
					e.afterRun()
					e.afterRun = nil
				}
				if err != nil {
					return err
				}
				fmt.Fprintln(os.Stderr, r)
				cpu, detail := meter.end(r.OK)
				fmt.Fprintf(os.Stderr, "%s, tierload %.1f ms\n", cpu, perOp(r.CPU, r.OK))
				cpuLines = append(cpuLines, fmt.Sprintf("%s clients=%d:%s, tierload %.1f ms\n      by process: %s",
					r.Name, r.Clients, strings.TrimPrefix(cpu, "    network CPU per op:"), perOp(r.CPU, r.OK), detail))
				results = append(results, r)
			}
		}
	}
	fmt.Println("\nCPU time per successful operation, by process (ms; /proc, this run):")
	for _, l := range cpuLines {
		fmt.Println("  " + l)
	}
	return report(results, *pngPath, *jsonPath, *title)
}

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

// readResults reads the results that -json wrote, file after file.
func readResults(paths []string) ([]loadgen.Result, error) {
	var all []loadgen.Result
	for _, p := range paths {
		b, err := os.ReadFile(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		var rs []loadgen.Result
		if err := json.Unmarshal(b, &rs); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		all = append(all, rs...)
	}
	return all, nil
}

// report prints every result with its errors by kind, writes them as JSON
// and draws the chart (each when its path is set).
func report(results []loadgen.Result, pngPath, jsonPath, title string) error {
	fmt.Println()
	for _, r := range results {
		fmt.Println(r)
		kinds := make([]string, 0, len(r.Errors))
		for kind := range r.Errors {
			kinds = append(kinds, kind)
		}
		sort.Strings(kinds)
		for _, kind := range kinds {
			fmt.Printf("    %-20s %d\n", kind, r.Errors[kind])
		}
	}
	if jsonPath != "" {
		b, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonPath, b, 0o644); err != nil {
			return err
		}
	}
	if pngPath == "" {
		return nil
	}
	f, err := os.Create(pngPath)
	if err != nil {
		return err
	}
	if err := loadgen.WriteChart(f, title, results); err != nil {
		f.Close()
		return err
	}
	fmt.Println("chart:", pngPath)
	return f.Close()
}

// classify names the kind of a fabric-gateway error.
func classify(err error) string {
	var notCommitted *fabricclient.NotCommittedError
	var chaincode *fabricclient.ChaincodeError
	var problem *demo.Problem
	switch {
	case errors.As(err, &problem):
		return loadrest.Classify(err)
	case errors.As(err, &notCommitted):
		return "not-committed:" + notCommitted.Code.String()
	case errors.As(err, &chaincode):
		return "chaincode:" + chaincode.Code
	case errors.Is(err, fabricclient.ErrTimeout):
		return "timeout"
	case errors.Is(err, fabricclient.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, fabricclient.ErrRejected):
		return "rejected"
	}
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
