// Command consortium runs docker-compose.yml's consortium by hand: the
// steps internal/consortium performs for make test-consortium, without
// the faults.
//
//	go run ./internal/consortium/cmd/consortium up   [-dir D]  # prepare, up, admin steps, gateways
//	go run ./internal/consortium/cmd/consortium down [-dir D]  # containers, network, volumes removed
//
// up replaces the prepared folder D (default .tierchain/compose, the
// compose file's default TIERCHAIN_COMPOSE_DIR) and any running project;
// it needs a Docker engine and the images (scripts/docker.sh,
// network/docker/build.sh). TIERCHAIN_COMPOSE_PROJECT and
// TIERCHAIN_COMPOSE_PUBLISH choose another project and publish address
// (both commands must see the same).
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

	"github.com/tierchain/tierchain/internal/consortium"
	"github.com/tierchain/tierchain/internal/fabnet"
)

func main() {
	if err := run(os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "consortium:", err)
		os.Exit(1)
	}
}

// errUsage reports a command line the command does not take.
var errUsage = errors.New("usage: consortium up|down [-dir D]")

func run(w io.Writer, args []string) error {
	if len(args) < 1 || (args[0] != "up" && args[0] != "down") {
		return errUsage
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(w)
	dir := fs.String("dir", filepath.Join(".tierchain", "compose"), "the prepared folder (TIERCHAIN_COMPOSE_DIR)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errUsage
	}
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	if args[0] == "down" {
		c, err := consortium.Attach(abs, repo, "", "", w)
		if err != nil {
			return err
		}
		return c.Down(ctx)
	}
	c, err := consortium.Prepare(ctx, consortium.Options{Dir: abs, Repo: repo, Gateways: true, Out: w})
	if err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{
		c.Down, c.Up, c.Deploy, func(ctx context.Context) error { return c.StartGateways(ctx, 2*time.Minute) },
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	for _, o := range c.Layout.Orgs {
		fmt.Fprintf(w, "%-9s gateway %s (dev tokens: %s)\n", o.Name, c.GatewayURL(o.Name), filepath.Join(c.GatewayDir(o.Name), "tokens.json"))
	}
	return nil
}
