package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
)

func runUp(w io.Writer, args []string) error {
	fs, dir := commandFlags("up", w, "data directory")
	base := fs.Int("base", fabnet.DefaultBase, "first port; the network uses base … base+204, the gateways base+1030 … base+1034 (8080 … 8084)")
	orderers := fs.Int("orderers", 0, "Raft orderers, 1 or 3 (default: 3 for a new network, run by Operator, Core and BankA; an existing network keeps its number)")
	batch := fs.Duration("batch-timeout", 150*time.Millisecond, "orderer batch timeout (set when the network is created)")
	fresh := fs.Bool("fresh", false, "discard a stopped network kept in --dir and create a new one")
	withGateway := fs.Bool("gateway", true, "also start each organisation's REST gateway ('tierchain serve') in the background")
	withDemo := fs.Bool("demo", true, "play the demo story once on a new ledger (needs --gateway)")
	demoMaturity := fs.Duration("demo-maturity", 20*time.Second, "the demo receivable's time to maturity")
	withWallet := fs.Bool("wallet-wasm", true, "build the self-custody page's WebAssembly wallet (once per source, kept in DIR/wallet) for the operator's gateway to serve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		return fmt.Errorf("run tierchain from a TierChain checkout: %w", err)
	}
	if *orderers == 0 {
		if st, err := fabnet.Status(*dir); *fresh || (err == nil && len(st.Layout.Orderers) == 0) {
			*orderers = 3 // a new network: losing one organisation's host keeps the channel ordering
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	// The wallet module builds while the network starts (a cached one is
	// only hashed); the gateways wait for it.
	wallet := make(chan walletWasmResult, 1)
	if *withGateway && *withWallet {
		go func() {
			b, err := ensureWalletWasm(ctx, repo, walletWasmPackage, walletWasmFile(*dir))
			wallet <- walletWasmResult{b, err}
		}()
	} else {
		close(wallet)
	}
	fmt.Fprintf(w, "starting TierChain network in %s\n", *dir)
	n, err := fabnet.Start(ctx, fabnet.Options{Dir: *dir, RepoRoot: repo, Base: *base, Orderers: *orderers, BatchTimeout: *batch, Fresh: *fresh, Out: w})
	switch {
	case errors.Is(err, fabnet.ErrAlreadyRunning):
		// The network runs: start the gateways that do not (one crashed).
		if *withGateway {
			if err := reportWalletWasm(w, <-wallet); err != nil {
				return err
			}
			if started, gerr := restartGateways(ctx, w, *dir); gerr != nil || started {
				return gerr
			}
		}
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
		gs := gateways(n.Dir, n.Layout)
		if err := fabnet.AddressesFree(gatewayAddrs(gs)); err != nil && !gatewaysRunning(gs) {
			return fmt.Errorf("%w\nanother program listens where a gateway would; pick other ports with --base", err)
		}
		// Each gateway runs from its organisation's description alone, as a
		// deployment's gateway does (written again: a network kept from an
		// earlier version may lack them).
		if _, err := n.WriteOrgConfigs(); err != nil {
			return err
		}
		if err := reportWalletWasm(w, <-wallet); err != nil {
			return err
		}
		if err := startGateways(ctx, n.Dir, n.Layout); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%d REST gateways, one per organisation, each with its own keys and database (ready in %s):\n", len(gs), time.Since(t).Round(time.Millisecond))
		printGateways(w, gateways(n.Dir, n.Layout))
		if *withDemo {
			fmt.Fprintln(w)
			if err := playDemo(ctx, w, n.Dir, n.Layout, *demoMaturity, true); err != nil {
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

// printGateways lists each organisation's gateway: its URL, its tokens and its log.
func printGateways(w io.Writer, gs []gateway) {
	for _, g := range gs {
		fmt.Fprintf(w, "  %-10s %-24s tokens %s\n  %-10s %-24s log    %s\n", g.Org, g.URL(), g.tokensFile(), "", "", g.logFile())
		if g.Wallet != "" {
			fmt.Fprintf(w, "  %-10s %-24s self-custody page %s/console/custody.html\n", "", "", g.URL())
		}
	}
}

type walletWasmResult struct {
	walletWasmBuild
	err error
}

// reportWalletWasm says what became of the wallet module; a module that
// does not compile stops `up`, a machine without Go only loses the page.
func reportWalletWasm(w io.Writer, r walletWasmResult) error {
	switch {
	case r.File == "" && r.err == nil: // not asked for
		return nil
	case errors.Is(r.err, errNoGoToolchain):
		fmt.Fprintf(w, "%v: the self-custody page will not load its wallet\n", r.err)
		return nil
	case r.err != nil:
		return fmt.Errorf("%w\n'tierchain up --wallet-wasm=false' starts without the self-custody page's wallet", r.err)
	case r.Cached:
		fmt.Fprintf(w, "self-custody wallet module %s (%.1f MB) unchanged since its build (checked in %s)\n", r.File, float64(r.Size)/1e6, r.Elapsed.Round(time.Millisecond))
	default:
		fmt.Fprintf(w, "self-custody wallet module built in %s: %s (%.1f MB)\n", r.Elapsed.Round(time.Millisecond), r.File, float64(r.Size)/1e6)
	}
	return nil
}

// restartGateways starts the gateways of the running network in dir that
// are recorded but not running; it reports whether it started any.
func restartGateways(ctx context.Context, w io.Writer, dir string) (bool, error) {
	n, err := fabnet.Open(dir)
	if err != nil {
		return false, nil
	}
	var down []string
	for _, g := range gateways(n.Dir, n.Layout) {
		if pid, bin, ok := readPID(g.pidFile()); ok && !fabnet.ProcessAlive(pid, bin) {
			down = append(down, g.Org)
		}
	}
	if len(down) == 0 {
		return false, nil
	}
	fmt.Fprintf(w, "the network runs; starting the gateways of %v again\n", down)
	if err := startGateways(ctx, n.Dir, n.Layout); err != nil {
		return true, err
	}
	printGateways(w, gateways(n.Dir, n.Layout))
	return true, nil
}

func gatewayAddrs(gs []gateway) []string {
	var as []string
	for _, g := range gs {
		as = append(as, g.Addr)
	}
	return as
}

// gatewaysRunning reports whether any of the gateways is recorded running
// (then up leaves it and starts the others).
func gatewaysRunning(gs []gateway) bool {
	for _, g := range gs {
		if pid, bin, ok := readPID(g.pidFile()); ok && fabnet.ProcessAlive(pid, bin) {
			return true
		}
	}
	return false
}
