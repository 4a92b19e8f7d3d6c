package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
)

func runUp(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	fs.SetOutput(w)
	dir := fs.String("dir", defaultDir(), "data directory")
	base := fs.Int("base", fabnet.DefaultBase, "first port; the network uses base … base+200")
	orderers := fs.Int("orderers", 1, "Raft orderers: 1 or 3")
	batch := fs.Duration("batch-timeout", 150*time.Millisecond, "orderer batch timeout (set when the network is created)")
	fresh := fs.Bool("fresh", false, "discard a stopped network kept in --dir and create a new one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		return fmt.Errorf("run tierchain from a TierChain checkout: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	fmt.Fprintf(w, "starting TierChain network in %s\n", *dir)
	n, err := fabnet.Start(ctx, fabnet.Options{Dir: *dir, RepoRoot: repo, Base: *base, Orderers: *orderers, BatchTimeout: *batch, Fresh: *fresh, Out: w})
	switch {
	case errors.Is(err, fabnet.ErrAlreadyRunning):
		return fmt.Errorf("%w: 'tierchain status' shows it, 'tierchain down' stops it", err)
	case errors.Is(err, fabnet.ErrOtherLayout):
		return fmt.Errorf("%w\n'tierchain up --fresh' (or 'tierchain down --purge' first) replaces it with a new network", err)
	case errors.Is(err, fabnet.ErrPortsInUse):
		return fmt.Errorf("%w\nanother network runs there ('tierchain status --dir …' of its directory shows it), or pick other ports with --base", err)
	}
	if err != nil {
		return err
	}
	// The nodes keep the port range reserved; this process lets go of it.
	n.Detach()
	fmt.Fprintf(w, "up in %s\n\n", time.Since(start).Round(time.Millisecond))
	printLayout(w, n.Layout, n.Dir)
	fmt.Fprintln(w, "\nstop with: tierchain down   (keeps the ledgers for the next 'up'; --purge removes them)")
	return nil
}

func printLayout(w io.Writer, l fabnet.Layout, dir string) {
	fmt.Fprintf(w, "channel %q, chaincode %q\n", fabnet.ChannelName, fabnet.ChaincodeName)
	for _, o := range l.Orderers {
		fmt.Fprintf(w, "  %-22s %s (admin %d, operations %d)\n", o.Name, l.Address(o.Ports.Listen), o.Ports.Admin, o.Ports.Operations)
	}
	for _, o := range l.Orgs {
		role := string(o.Role)
		if !o.Endorser {
			role += ", read-only"
		}
		fmt.Fprintf(w, "  %-22s %s (%s, %s; operations %d)\n", "peer0."+o.Name, l.Address(o.Peer.Listen), o.MSPID, role, o.Peer.Operations)
	}
	fmt.Fprintf(w, "  %-22s %s (chaincode as a service, mutual TLS)\n", "chaincode server", l.Address(l.ChaincodePort))
	fmt.Fprintf(w, "logs: %s/logs   crypto: %s/crypto\n", dir, dir)
}
