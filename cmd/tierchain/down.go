package main

import (
	"flag"
	"fmt"

	"github.com/tierchain/tierchain/internal/fabnet"
)

func runDown(args []string) error {
	fs := flag.NewFlagSet("down", flag.ContinueOnError)
	dir := fs.String("dir", defaultDir(), "data directory")
	purge := fs.Bool("purge", false, "also remove the network's data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stopped, err := fabnet.StopDir(*dir, *purge)
	if err != nil {
		return err
	}
	fmt.Printf("stopped %d process(es)", stopped)
	if *purge {
		fmt.Printf(", removed %s", *dir)
	}
	fmt.Println()
	return nil
}

func runStatus(args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	dir := fs.String("dir", defaultDir(), "data directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := fabnet.Status(*dir)
	if err != nil {
		return err
	}
	if st.Stopped {
		fmt.Printf("a stopped network is kept in %s: 'tierchain up' restarts it on its ledgers, 'tierchain down --purge' removes it\n", *dir)
		return nil
	}
	if len(st.Procs) == 0 {
		fmt.Printf("no network in %s (start one with: tierchain up)\n", *dir)
		return nil
	}
	running := 0
	for _, p := range st.Procs {
		state := "stopped"
		if p.Running {
			state = "running"
			running++
		}
		fmt.Printf("  %-18s pid %-8d %s  (log %s)\n", p.Name, p.PID, state, p.Log)
	}
	switch {
	case running == len(st.Procs):
		fmt.Printf("all %d processes running\n\n", running)
		printLayout(st.Layout, *dir)
	case running == 0:
		fmt.Println("nothing is running (crashed?): 'tierchain up' restarts it on its ledgers; 'tierchain down --purge' discards it")
	default:
		fmt.Printf("%d of %d running: a process died; see its log, then 'tierchain down' and 'tierchain up' restart the network on its ledgers\n", running, len(st.Procs))
	}
	return nil
}
