package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/tierchain/tierchain/internal/demo"
)

func demoRecord(dir string) string { return filepath.Join(gatewayDir(dir), "demo.json") }

// runDemo plays the story over the REST API of the gateway `up` started.
func runDemo(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(w)
	dir := fs.String("dir", defaultDir(), "the network's data directory")
	addr := fs.String("addr", defaultAddr, "the gateway's address")
	maturity := fs.Duration("maturity", 20*time.Second, "time from issue to maturity (the story waits for it to pay)")
	once := fs.Bool("once", false, "do nothing if the story already ran on this ledger")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return playDemo(ctx, w, *dir, *addr, *maturity, *once)
}

func playDemo(ctx context.Context, w io.Writer, dir, addr string, maturity time.Duration, once bool) error {
	suffix := ""
	if _, err := os.Stat(demoRecord(dir)); err == nil {
		if once {
			fmt.Fprintf(w, "demo data already on the ledger (%s)\n", demoRecord(dir))
			return nil
		}
		suffix = "-" + strconv.FormatInt(time.Now().Unix()%(36*36*36*36), 36) // new suppliers and invoices each run
	}
	b, err := os.ReadFile(filepath.Join(gatewayDir(dir), "tokens.json"))
	if err != nil {
		return fmt.Errorf("no gateway tokens in %s (start the platform with 'tierchain up'): %w", gatewayDir(dir), err)
	}
	tokens := map[string]string{}
	if err := json.Unmarshal(b, &tokens); err != nil {
		return err
	}
	fmt.Fprintf(w, "demo story over REST at http://%s (maturity in %s)\n", addr, maturity)
	start := time.Now()
	res, err := demo.Run(ctx, demo.Config{Base: "http://" + addr, Tokens: tokens, Maturity: maturity, Suffix: suffix, Out: w})
	if err != nil {
		var p *demo.Problem
		if errors.As(err, &p) {
			return fmt.Errorf("demo: %w", err)
		}
		return err
	}
	rec, _ := json.MarshalIndent(map[string]any{"at": time.Now().UTC(), "suppliers": res.Suppliers, "root": res.Root}, "", "  ")
	if err := os.WriteFile(demoRecord(dir), append(rec, '\n'), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(w, "story done in %s: receivable %s, suppliers %v\n", time.Since(start).Round(time.Millisecond), res.Root, res.Suppliers)
	return nil
}
