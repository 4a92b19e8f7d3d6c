package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

// defaultAddr is where the gateway listens.
const defaultAddr = "127.0.0.1:8080"

// runServe runs the REST gateway in the foreground: on the consortium a
// description file names (--org-config), or on the network `tierchain up`
// started in --dir, whose description fabnet writes there first.
func runServe(w io.Writer, args []string) error {
	fs, dir := commandFlags("serve", w, "the network's data directory (without --org-config)")
	orgConfig := fs.String("org-config", "", "the description of the organisation this gateway runs for (internal/orgconfig JSON; default: the one fabnet writes in DIR/orgs/ORG/gateway)")
	org := fs.String("org", "Operator", "without --org-config: the organisation of the network in DIR to run the gateway of")
	data := fs.String("data", "", "the gateway's state: database, master key, dev tokens (default: the description's folder)")
	addr := fs.String("addr", defaultAddr, "listen address")
	dsn := fs.String("db", "", "database: sqlite:PATH or postgres://… (default: SQLite in the state folder)")
	walletWasm := fs.String("wallet-wasm", "", "the self-custody page's WebAssembly wallet (GOOS=js GOARCH=wasm go build ./cmd/tierwallet-wasm), served at /console/wallet.wasm")
	webhookAllow := fs.String("webhook-allow", os.Getenv("TIERCHAIN_WEBHOOK_ALLOW"), "comma-separated networks (CIDR) besides public addresses that webhooks may reach, e.g. 10.20.0.0/16 for the banks' systems (default $TIERCHAIN_WEBHOOK_ALLOW; loopback and private addresses are refused otherwise)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	allow, err := parseNetworks(*webhookAllow)
	if err != nil {
		return fmt.Errorf("serve: --webhook-allow: %w", err)
	}
	gin.SetMode(gin.ReleaseMode)
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	path := *orgConfig
	if path == "" {
		paths, err := describeNetwork(*dir)
		if err != nil {
			return err
		}
		if path = paths[*org]; path == "" {
			return fmt.Errorf("serve: no organisation %q in %s", *org, *dir)
		}
	}
	d, err := orgconfig.Load(path)
	if err != nil {
		return err
	}
	if *data == "" {
		*data = filepath.Dir(path)
	}
	p, err := platform.New(ctx, platform.Config{Org: d, DataDir: *data, DSN: *dsn, Logger: log, WalletWasm: *walletWasm, WebhookAllow: allow})
	if err != nil {
		return err
	}
	defer p.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log.Info("gateway serving", "addr", ln.Addr().String(), "orgConfig", path, "tokens", filepath.Join(*data, "tokens.json"))
	err = p.Serve(ctx, ln)
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// describeNetwork writes the descriptions of the organisations of the
// network running in dir (fabnet.OrgConfigFile) and returns their paths
// by organisation.
func describeNetwork(dir string) (map[string]string, error) {
	n, err := fabnet.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("%w (start the network with 'tierchain up', or give --org-config)", err)
	}
	return n.WriteOrgConfigs()
}

// parseNetworks reads a comma-separated list of CIDR prefixes.
func parseNetworks(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for f := range strings.SplitSeq(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
