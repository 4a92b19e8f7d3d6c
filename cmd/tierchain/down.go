package main

import (
	"fmt"
	"io"

	"github.com/tierchain/tierchain/internal/fabnet"
)

func runDown(w io.Writer, args []string) error {
	fs, dir := commandFlags("down", w, "data directory")
	purge := fs.Bool("purge", false, "also remove the network's data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The gateways first (they use the peers), then the nodes; each step
	// returns once what it stopped has exited.
	gws, err := stopGateways(*dir)
	if err != nil {
		return err
	}
	stopped, err := fabnet.StopDir(*dir, *purge)
	stopped += gws
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "stopped %d process(es)", stopped)
	if *purge {
		fmt.Fprintf(w, ", removed %s", *dir)
	}
	fmt.Fprintln(w)
	return nil
}

func runStatus(w io.Writer, args []string) error {
	fs, dir := commandFlags("status", w, "data directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := fabnet.Status(*dir)
	if err != nil {
		return err
	}
	if st.Stopped {
		fmt.Fprintf(w, "a stopped network is kept in %s: 'tierchain up' restarts it on its ledgers, 'tierchain down --purge' removes it\n", *dir)
		return nil
	}
	if len(st.Procs) == 0 {
		fmt.Fprintf(w, "no network in %s (start one with: tierchain up)\n", *dir)
		return nil
	}
	running := 0
	for _, p := range st.Procs {
		state := "stopped"
		if p.Running {
			state = "running"
			running++
		}
		fmt.Fprintf(w, "  %-18s pid %-8d %s  (log %s)\n", p.Name, p.PID, state, p.Log)
	}
	switch {
	case running == len(st.Procs):
		fmt.Fprintf(w, "all %d processes running\n\n", running)
		printLayout(w, st.Layout, *dir)
	case running == 0:
		fmt.Fprintln(w, "nothing is running (crashed?): 'tierchain up' restarts it on its ledgers; 'tierchain down --purge' discards it")
	default:
		fmt.Fprintf(w, "%d of %d running: a process died; see its log, then 'tierchain down' and 'tierchain up' restart the network on its ledgers\n", running, len(st.Procs))
	}
	printGatewayStatus(w, *dir, st.Layout)
	return nil
}

// printGatewayStatus lists each organisation's gateway that up started.
func printGatewayStatus(w io.Writer, dir string, l fabnet.Layout) {
	first := true
	for _, g := range gateways(dir, l) {
		pid, bin, ok := readPID(g.pidFile())
		if !ok {
			continue
		}
		if first {
			fmt.Fprintln(w, "\ngateways (one per organisation):")
			first = false
		}
		state := "stopped (crashed?): 'tierchain up' starts it again"
		if fabnet.ProcessAlive(pid, bin) {
			state = "running at " + g.URL()
		}
		fmt.Fprintf(w, "  %-18s pid %-8d %s  (log %s, tokens %s)\n", g.Org, pid, state, g.logFile(), g.tokensFile())
	}
}
