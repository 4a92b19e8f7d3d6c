package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
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
	addr := fs.String("addr", defaultAddr, "the REST gateway's listen address")
	withGateway := fs.Bool("gateway", true, "also start the REST gateway ('tierchain serve') in the background")
	withDemo := fs.Bool("demo", true, "play the demo story once on a new ledger (needs --gateway)")
	demoMaturity := fs.Duration("demo-maturity", 20*time.Second, "the demo receivable's time to maturity")
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
	fmt.Fprintf(w, "network up in %s\n\n", time.Since(start).Round(time.Millisecond))
	printLayout(w, n.Layout, n.Dir)
	if *withGateway {
		t := time.Now()
		if err := startGateway(ctx, n.Dir, *addr); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nREST gateway at http://%s (ready in %s; log %s)\n", *addr, time.Since(t).Round(time.Millisecond),
			filepath.Join(gatewayDir(n.Dir), "gateway.log"))
		fmt.Fprintf(w, "API tokens of the founding enterprises: %s\n", filepath.Join(gatewayDir(n.Dir), "tokens.json"))
		if *withDemo {
			fmt.Fprintln(w)
			if err := playDemo(ctx, w, n.Dir, *addr, *demoMaturity, true); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(w, "\nup in %s\n", time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(w, "stop with: tierchain down   (keeps the ledgers for the next 'up'; --purge removes them)")
	return nil
}

func printLayout(w io.Writer, l fabnet.Layout, dir string) {
	fmt.Fprintf(w, "channel %q, chaincode %q\n", fabnet.ChannelName, fabnet.ChaincodeName)
	for _, o := range l.Orderers {
		fmt.Fprintf(w, "  %-22s %s (run by %s; admin %d, operations %d)\n", o.Name, l.OrdererAddress(o), o.Owner, o.Ports.Admin, o.Ports.Operations)
	}
	for _, o := range l.Orgs {
		role := string(o.Role)
		if !o.Endorser {
			role += ", read-only"
		}
		fmt.Fprintf(w, "  %-22s %s (%s, %s; operations %d)\n", "peer0."+o.Name, l.PeerAddress(o), o.MSPID, role, o.Peer.Operations)
	}
	for _, o := range l.Orgs {
		fmt.Fprintf(w, "  %-22s %s (%s's own chaincode server, as a service, mutual TLS)\n", "chaincode."+o.Name, l.ChaincodeAddress(o), o.Name)
	}
	fmt.Fprintf(w, "logs: %s/logs   each organisation's keys and ledgers: %s/orgs/<Org>   public bundle: %s/public\n", dir, dir, dir)
}
