package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet"
)

// demoRecord marks a ledger the story has run on (in the operator's
// gateway folder: its suppliers live there).
func demoRecord(dir string, l fabnet.Layout) string {
	return filepath.Join(gateways(dir, l)[0].Dir, "demo.json")
}

// runDemo plays the story over REST, each step at the acting
// organisation's gateway.
func runDemo(w io.Writer, args []string) error {
	fs, dir := commandFlags("demo", w, "the network's data directory")
	maturity := fs.Duration("maturity", 20*time.Second, "time from issue to maturity (the story waits for it to pay)")
	once := fs.Bool("once", false, "do nothing if the story already ran on this ledger")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := fabnet.Status(*dir)
	if err != nil {
		return err
	}
	if len(st.Procs) == 0 {
		return fmt.Errorf("no network running in %s (start the platform with 'tierchain up')", *dir)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return playDemo(ctx, w, *dir, st.Layout, *maturity, *once)
}

// demoGateways reads each organisation's gateway's tokens: which
// enterprises it hosts, and their dev tokens.
func demoGateways(dir string, l fabnet.Layout) (map[string]demo.Gateway, map[string]string, error) {
	gws, tokens := map[string]demo.Gateway{}, map[string]string{}
	for _, g := range gateways(dir, l) {
		b, err := os.ReadFile(g.tokensFile())
		if err != nil {
			return nil, nil, fmt.Errorf("no tokens of the %s (start the platform with 'tierchain up'): %w", g.Label(), err)
		}
		ts := map[string]string{}
		if err := json.Unmarshal(b, &ts); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", g.tokensFile(), err)
		}
		for id, tok := range ts {
			gws[id] = demo.Gateway{Base: g.URL(), Label: g.Label()}
			tokens[id] = tok
		}
	}
	return gws, tokens, nil
}

func playDemo(ctx context.Context, w io.Writer, dir string, l fabnet.Layout, maturity time.Duration, once bool) error {
	suffix := ""
	record := demoRecord(dir, l)
	if _, err := os.Stat(record); err == nil {
		if once {
			fmt.Fprintf(w, "demo data already on the ledger (%s)\n", record)
			return nil
		}
		suffix = "-" + strconv.FormatInt(time.Now().Unix()%(36*36*36*36), 36) // new suppliers and invoices each run
	}
	gws, tokens, err := demoGateways(dir, l)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "demo story, each step at the acting organisation's gateway (suppliers at the operator's; maturity in %s)\n", maturity)
	start := time.Now()
	res, err := demo.Run(ctx, demo.Config{Gateways: gws, Tokens: tokens, Maturity: maturity, Suffix: suffix, Out: w})
	if err != nil {
		var p *demo.Problem
		if errors.As(err, &p) {
			return fmt.Errorf("demo: %w", err)
		}
		return err
	}
	rec, _ := json.MarshalIndent(map[string]any{"at": time.Now().UTC(), "suppliers": res.Suppliers, "root": res.Root}, "", "  ")
	if err := os.WriteFile(record, append(rec, '\n'), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(w, "story done in %s: receivable %s, suppliers %v\n", time.Since(start).Round(time.Millisecond), res.Root, res.Suppliers)
	return nil
}
