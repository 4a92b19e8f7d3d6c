// Package workloads is what cmd/tierload runs: the named workloads (the
// plaintext baseline, the confidential requests of the chain driver, the
// REST driver's split), run client-major over a network with each
// network process's CPU time per operation, the client-side proving mode,
// and the report (text, JSON, PNG chart).
package workloads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tierchain/tierchain/bench/load"
	"github.com/tierchain/tierchain/bench/load/chart"
	"github.com/tierchain/tierchain/bench/load/rest"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

// Report says where the results go besides standard output: a JSON file
// and a PNG chart with a title (each only when its path is set).
type Report struct {
	JSON, PNG, Title string
}

// Options configure Run.
type Options struct {
	Net       *fabnet.Network
	Org       string   // organisation whose gateway the clients use
	Workloads []string // names (Names)
	Clients   []int    // each workload runs once per count
	Duration  time.Duration
	Count     int64 // request bound of each run (0: time only)
	Pool      int   // requests pre-built for each run of a confidential workload
	// Ledger: before the workloads run, grow the supplier's holdings to
	// each count in turn (the workloads then run at each size).
	Ledger []int
	// ProfileDir receives this process's profiles of each run ("": none).
	ProfileDir string
	// ChaincodeProfileDir is where the chaincode servers write their CPU
	// profiles (CHAINCODE_CPU_PROFILE; "": they do not): each run's are cut
	// out and named <workload>-<clients>.<server>.cpu.pprof.
	ChaincodeProfileDir string
	// PeerProfileDir receives each peer's CPU profile of each run, fetched
	// from its profiling listener (a network started with
	// fabnet.Options.PeerProfile) over the run's time bound:
	// <workload>-<clients>.peer-<org>.cpu.pprof ("": none).
	PeerProfileDir string
	Report         Report
}

// Run runs every workload at every client count on the network, client-
// major (every workload at one count back to back, so the baseline and
// the confidential runs see the same machine), and reports the results
// and each network process's CPU time per successful operation.
func Run(ctx context.Context, opts Options) error {
	conn, err := opts.Net.Connect(opts.Org, "User1")
	if err != nil {
		return err
	}
	defer conn.Close()
	e := &env{net: opts.Net, conn: conn, org: opts.Org, runID: strconv.FormatInt(time.Now().UnixNano(), 36), pool: opts.Pool}
	defer e.Close()

	var names []string
	for _, name := range opts.Workloads {
		name = strings.TrimSpace(name)
		if _, ok := workloadByName[name]; !ok {
			return fmt.Errorf("unknown workload %q (have %s)", name, strings.Join(Names(), ", "))
		}
		names = append(names, name)
	}
	steps := []int{0}
	if len(opts.Ledger) > 0 {
		steps = opts.Ledger
	}
	var results []load.Result
	var cpuLines []string
	meter := load.NewCPUMeter(opts.Net.Dir)
	ccProf := load.NewChaincodeProfiles(opts.Net.Dir, opts.ChaincodeProfileDir)
	peerProf, err := peerProfiles(opts)
	if err != nil {
		return err
	}
	for _, size := range steps {
		suffix := ""
		if size > 0 {
			if err := growLedger(ctx, e, size); err != nil {
				return err
			}
			suffix = "@" + strconv.Itoa(size)
		}
		for _, c := range opts.Clients {
			for _, name := range names {
				w := workloadByName[name]
				op, err := w.prepare(ctx, e, c)
				if err != nil {
					return fmt.Errorf("%s: prepare: %w", name, err)
				}
				prof, err := load.StartProfile(opts.ProfileDir, fmt.Sprintf("%s%s-%d", w.name, suffix, c))
				if err != nil {
					return err
				}
				if err := ccProf.Begin(); err != nil {
					return err
				}
				if err := peerProf.Begin(ctx, opts.Duration); err != nil {
					return err
				}
				meter.Begin()
				r, err := load.Run(ctx, load.Config{Name: w.name + suffix, Clients: c, Duration: opts.Duration, Count: opts.Count,
					Classify: Classify, Progress: os.Stderr}, op)
				if perr := prof.Stop(); perr != nil && err == nil {
					err = perr
				}
				if files, perr := ccProf.End(fmt.Sprintf("%s%s-%d", w.name, suffix, c)); perr != nil && err == nil {
					err = perr
				} else if len(files) > 0 {
					fmt.Fprintln(os.Stderr, "chaincode CPU profiles:", strings.Join(files, " "))
				}
				if files, perr := peerProf.End(fmt.Sprintf("%s%s-%d", w.name, suffix, c)); perr != nil && err == nil {
					err = perr
				} else if len(files) > 0 {
					fmt.Fprintln(os.Stderr, "peer CPU profiles:", strings.Join(files, " "))
				}
				if e.afterRun != nil {
					e.afterRun()
					e.afterRun = nil
				}
				if err != nil {
					return err
				}
				fmt.Fprintln(os.Stderr, r)
				cpu, detail := meter.End(r.OK)
				fmt.Fprintf(os.Stderr, "%s, tierload %.1f ms\n", cpu, load.PerOp(r.CPU, r.OK))
				cpuLines = append(cpuLines, fmt.Sprintf("%s clients=%d:%s, tierload %.1f ms\n      by process: %s",
					r.Name, r.Clients, strings.TrimPrefix(cpu, "    network CPU per op:"), load.PerOp(r.CPU, r.OK), detail))
				results = append(results, r)
			}
		}
	}
	fmt.Println("\nCPU time per successful operation, by process (ms; /proc, this run):")
	for _, l := range cpuLines {
		fmt.Println("  " + l)
	}
	return opts.Report.write(results)
}

// peerProfiles are the profiles of the peers of opts.Net for
// opts.PeerProfileDir: every peer's, so the network must have been started
// with its profiling listeners on.
func peerProfiles(opts Options) (*load.PeerProfiles, error) {
	if opts.PeerProfileDir == "" {
		return nil, nil
	}
	addrs := map[string]string{}
	for _, o := range opts.Net.Layout.Orgs {
		a, ok := opts.Net.PeerProfileAddress(o.Name)
		if !ok {
			return nil, fmt.Errorf("peer profiles: %s's peer has no profiling listener (start the network with fabnet.Options.PeerProfile)", o.Name)
		}
		addrs[o.Name] = a
	}
	return load.NewPeerProfiles(opts.PeerProfileDir, addrs)
}

// Redraw reports the results that earlier runs wrote as JSON (Report.JSON),
// file after file: the text report again and, with Report.PNG, the chart.
func Redraw(paths []string, rep Report) error {
	var all []load.Result
	for _, p := range paths {
		b, err := os.ReadFile(strings.TrimSpace(p))
		if err != nil {
			return err
		}
		var rs []load.Result
		if err := json.Unmarshal(b, &rs); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		all = append(all, rs...)
	}
	rep.JSON = ""
	return rep.write(all)
}

// write prints every result with its errors by kind, writes them as JSON
// and draws the chart (each when its path is set).
func (rep Report) write(results []load.Result) error {
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
	if rep.JSON != "" {
		b, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(rep.JSON, b, 0o644); err != nil {
			return err
		}
	}
	if rep.PNG == "" {
		return nil
	}
	f, err := os.Create(rep.PNG)
	if err != nil {
		return err
	}
	if err := chart.Write(f, rep.Title, results); err != nil {
		f.Close()
		return err
	}
	fmt.Println("chart:", rep.PNG)
	return f.Close()
}

// Classify names the kind of a request's error for the report: the REST
// driver's problem types, fabric-gateway's and our Fabric client's typed
// errors, timeouts.
func Classify(err error) string {
	var notCommitted *fabricclient.NotCommittedError
	var chaincode *fabricclient.ChaincodeError
	var problem *demo.Problem
	switch {
	case errors.As(err, &problem):
		return rest.Classify(err)
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
