package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/internal/fabnet"
)

// defaultAddr is where the gateway listens.
const defaultAddr = "127.0.0.1:8080"

// gatewayDir keeps the gateway's database, master key and dev tokens next
// to the network's data, so that `down --purge` removes both together (the
// gateway's keys are registered on that ledger).
func gatewayDir(networkDir string) string { return filepath.Join(networkDir, "gateway") }

// runServe runs the REST gateway in the foreground on a network that
// `tierchain up` started.
func runServe(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(w)
	dir := fs.String("dir", defaultDir(), "the network's data directory")
	addr := fs.String("addr", defaultAddr, "listen address")
	dsn := fs.String("db", "", "database: sqlite:PATH or postgres://… (default: SQLite in DIR/gateway)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	n, err := fabnet.Open(*dir)
	if err != nil {
		return fmt.Errorf("%w (start the network with 'tierchain up')", err)
	}
	p, err := platform.New(ctx, platform.Config{Network: n, DataDir: gatewayDir(*dir), DSN: *dsn, Logger: log})
	if err != nil {
		return err
	}
	defer p.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log.Info("gateway serving", "addr", ln.Addr().String(), "tokens", filepath.Join(gatewayDir(*dir), "tokens.json"))
	err = p.Serve(ctx, ln)
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
