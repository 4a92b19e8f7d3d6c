// Package rest is tierload's REST driver: it serves one gateway per
// organisation (gateway/platform) on loopback ports of a network, runs the
// demo story to onboard three suppliers with tokens, fans their tokens out
// so that each client has one, and then measures a split end to end:
// the holder's request over HTTP, the gateway's wallet building the proofs,
// endorsement, ordering and commit, and the answer.
//
// The platform bootstraps the consortium, which a channel allows once: the
// network must be fresh, or bootstrapped by the chain driver
// (bench/load/chain), whose members that sign as the layout's founding
// enterprises are those enterprises, with their organisations' keys.
package rest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/bench/load"
	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

// Gateway is the consortium's gateways serving on loopback for a load
// run; the splits go to the suppliers' gateway, the operator's.
type Gateway struct {
	l      *platform.Local
	base   string // the operator's gateway
	router string // each request to its enterprise's gateway
	dir    string
	http   *http.Client

	suppliers []string // tier 1, 2, 3 of the story
	keys      map[string]string
	mu        sync.Mutex
	held      []holding // tokens not yet handed to a run
	story     int
}

// holding is a token a supplier holds and its value (minor units).
type holding struct {
	supplier string
	token    string
	value    uint64
}

// Start builds one gateway per organisation c describes (their databases
// in a new temporary directory) and serves them on free loopback ports.
func Start(ctx context.Context, c []orgconfig.Description, log *slog.Logger) (*Gateway, error) {
	if gin.Mode() == gin.DebugMode {
		gin.SetMode(gin.ReleaseMode) // no route listing on the load tool's output
	}
	dir, err := os.MkdirTemp("", "tierload-gateway-")
	if err != nil {
		return nil, err
	}
	l, err := platform.StartLocal(ctx, platform.LocalConfig{Descriptions: c, DataDir: dir, Logger: log})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	router, err := l.Router()
	if err != nil {
		l.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	return &Gateway{l: l, base: l.URL(""), router: router, dir: dir,
		http: &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 512}},
		keys: map[string]string{}}, nil
}

// Close stops the gateways and removes their data.
func (g *Gateway) Close() error {
	err := g.l.Close()
	os.RemoveAll(g.dir)
	return err
}

func (g *Gateway) client(supplier string) *demo.Client {
	return &demo.Client{Base: g.base, Token: g.keys[supplier], HTTP: g.http}
}

// next is the supplier a chain of supplier pays.
func (g *Gateway) next(supplier string) string {
	for i, s := range g.suppliers {
		if s == supplier {
			return g.suppliers[(i+1)%len(g.suppliers)]
		}
	}
	return g.suppliers[0]
}

// onboard runs the demo story up to the financing, once: three suppliers,
// each holding an ACTIVE token (600,000.00, 250,000.00, 150,000.00).
func (g *Gateway) onboard(ctx context.Context) error {
	if g.suppliers != nil {
		return nil
	}
	g.story++
	res, err := demo.Run(ctx, demo.Config{Base: g.router, Tokens: g.l.Tokens(), Maturity: time.Hour,
		Suffix: fmt.Sprintf("-load%d", g.story), StopBefore: "finance", HTTP: g.http})
	if err != nil {
		return fmt.Errorf("demo story: %w", err)
	}
	g.suppliers = res.Suppliers[:]
	for i, s := range res.Suppliers {
		g.keys[s] = res.SupplierTokens[i]
		h := holding{supplier: s, token: res.Held[i].ID}
		if a := res.Held[i].Amount; a != nil {
			h.value = a.Minor
		}
		g.held = append(g.held, h)
	}
	return nil
}

// splitResponse is what a REST split answers.
type splitResponse struct {
	TxID   string `json:"txId"`
	Tokens []struct {
		ID     string      `json:"id"`
		Holder string      `json:"holder"`
		Amount *demo.Money `json:"amount"`
	} `json:"tokens"`
}

// split pays amount (minor units) from h's token to the next supplier,
// pieces times, and returns the new holdings: the pieces, then h's change.
func (g *Gateway) split(ctx context.Context, h holding, amount uint64, pieces int) ([]holding, error) {
	to := g.next(h.supplier)
	body := map[string]any{"outputs": repeat(map[string]string{"to": to, "amount": decimal(amount)}, pieces)}
	var out splitResponse
	if err := g.client(h.supplier).Do(ctx, http.MethodPost, "/v1/tokens/"+h.token+"/split", body, &out); err != nil {
		return nil, err
	}
	if len(out.Tokens) != pieces+1 {
		return nil, fmt.Errorf("rest: split answered %d tokens for %d pieces and the change", len(out.Tokens), pieces)
	}
	hs := make([]holding, 0, len(out.Tokens))
	for _, t := range out.Tokens {
		nh := holding{supplier: t.Holder, token: t.ID}
		if t.Amount != nil {
			nh.value = t.Amount.Minor
		}
		hs = append(hs, nh)
	}
	return hs, nil
}

// decimal writes minor units (hundredths) as the API's decimal amount.
func decimal(minor uint64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

// chainStep is what each split of a chain pays: 1.00.
const chainStep = 100

func repeat[T any](v T, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// take returns n holdings for a run, fanning tokens out (seven pieces of
// an eighth of the value to the next supplier a split) until there are
// enough.
func (g *Gateway) take(ctx context.Context, n int) ([]holding, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.onboard(ctx); err != nil {
		return nil, err
	}
	for len(g.held) < n {
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			next []holding
			errs []error
		)
		for _, h := range g.held {
			if h.value/8 < 64*chainStep {
				mu.Lock()
				next = append(next, h) // too small to fan out
				mu.Unlock()
				continue
			}
			wg.Go(func() {
				hs, err := g.split(ctx, h, h.value/8, 7)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					next = append(next, h)
					return
				}
				next = append(next, hs...)
			})
		}
		wg.Wait()
		if len(next) == len(g.held) && len(errs) == 0 {
			return nil, fmt.Errorf("rest: %d tokens, none large enough to fan out to %d", len(next), n)
		}
		g.held = next
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("rest: fanning tokens out: %w", err)
		}
	}
	hs := g.held[:n:n]
	g.held = g.held[n:]
	return hs, nil
}

// give returns holdings (the chains' last tokens) for the next run.
func (g *Gateway) give(hs []holding) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.held = append(g.held, hs...)
}

// SplitOp prepares a run of clients chains: client i holds one token,
// splits 1.00 off it to the next supplier over REST and goes on with its
// change, one split at a time. The returned func hands the chains' tokens
// back for the next run (call it after the run).
func (g *Gateway) SplitOp(ctx context.Context, clients int) (load.Op, func(), error) {
	hs, err := g.take(ctx, clients)
	if err != nil {
		return nil, nil, err
	}
	return func(ctx context.Context, w int, _ int64) error {
			out, err := g.split(ctx, hs[w], chainStep, 1)
			if err != nil {
				return err
			}
			hs[w] = out[len(out)-1] // the change
			return nil
		}, func() {
			g.give(hs)
		}, nil
}

// Classify names a REST error's kind: the problem's status and code, or
// "transport".
func Classify(err error) string {
	var p *demo.Problem
	if errors.As(err, &p) {
		return fmt.Sprintf("http-%d:%s", p.Status, p.Code)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "transport"
}
