package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tierchain/tierchain/internal/orgconfig"
)

// Local runs one gateway per organisation in this process, each with its
// own data directory and its own listener: the consortium's gateways as
// `tierchain up` runs them, for the end-to-end tests and the load tool.
// Nothing is shared between them but the network they reach through their
// own peers.
type Local struct {
	// Gateways are in the order of the descriptions, the operator's
	// first.
	Gateways    []*LocalGateway
	router      *http.Server
	routerLn    net.Listener
	operatorURL string
	cancel      context.CancelFunc
	wg          sync.WaitGroup
}

// LocalGateway is one organisation's gateway of a Local.
type LocalGateway struct {
	*Platform
	URL     string // e.g. "http://127.0.0.1:41234"
	DataDir string
	// Token is its founding enterprise's dev API token.
	Token  string
	served chan error
}

// LocalConfig says which gateways StartLocal runs.
type LocalConfig struct {
	// Descriptions, one per organisation: the operator's and the others.
	Descriptions []orgconfig.Description
	// DataDir holds each gateway's data in DataDir/<Org>.
	DataDir string
	Logger  *slog.Logger
	// OperatorURL is the base URL of an operator's gateway that runs
	// elsewhere (a test that restarts it itself): then Descriptions hold
	// no operator's, and the others' OPRF and the router's default go
	// there.
	OperatorURL string
	// WebhookAllow is each gateway's Config.WebhookAllow.
	WebhookAllow []netip.Prefix
}

// StartLocal starts a gateway for each description (one per
// organisation), each with its data in DataDir/<Org>, on loopback ports:
// the operator's first (it registers the consortium's cards), then the
// others, whose OPRF (for a core's invoice confirmation) is the
// operator's, reached over HTTP with signed requests. It returns once
// every gateway is ready (its enterprise registered) or ctx ends.
func StartLocal(ctx context.Context, cfg LocalConfig) (_ *Local, err error) {
	sctx, cancel := context.WithCancel(context.Background())
	l := &Local{cancel: cancel, operatorURL: cfg.OperatorURL}
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	var ops, others []orgconfig.Description
	for _, d := range cfg.Descriptions {
		if d.Org.Role == orgconfig.RoleOperator {
			ops = append(ops, d)
		} else {
			others = append(others, d)
		}
	}
	if want := 1; cfg.OperatorURL != "" {
		if len(ops) != 0 {
			return nil, errors.New("platform: an operator's description beside OperatorURL")
		}
	} else if len(ops) != want {
		return nil, fmt.Errorf("platform: %d operator descriptions, want 1", len(ops))
	}
	start := func(d orgconfig.Description) error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		pc := Config{Org: d, DataDir: filepath.Join(cfg.DataDir, d.Org.Name), Logger: cfg.Logger, CardsEvery: time.Second, WebhookAllow: cfg.WebhookAllow}
		p, err := New(ctx, pc)
		if err != nil {
			ln.Close()
			return fmt.Errorf("%s: %w", d.Org.Name, err)
		}
		g := &LocalGateway{Platform: p, URL: "http://" + ln.Addr().String(), DataDir: pc.DataDir, Token: p.Tokens[p.Enterprise], served: make(chan error, 1)}
		l.Gateways = append(l.Gateways, g)
		l.wg.Go(func() { g.served <- p.Serve(sctx, ln) })
		return nil
	}
	if len(ops) == 1 {
		if err := start(ops[0]); err != nil {
			return nil, err
		}
		l.operatorURL = l.Gateways[0].URL
	}
	for _, d := range others {
		if d.Operator != nil { // the operator's gateway is the one on its test port
			o := *d.Operator
			o.URL = l.operatorURL
			d.Operator = &o
		}
		if err := start(d); err != nil {
			return nil, err
		}
	}
	for _, g := range l.Gateways {
		for !g.Registered(ctx) {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("platform: %s is not registered: %w", g.Org.Name, ctx.Err())
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return l, nil
}

// Gateway returns the gateway of the organisation with the given name.
func (l *Local) Gateway(org string) *LocalGateway {
	for _, g := range l.Gateways {
		if g.Org.Name == org {
			return g
		}
	}
	return nil
}

// For returns the gateway an enterprise acts through: its organisation's
// for a founding enterprise, the operator's for any other (the suppliers
// it hosts); nil when that is the operator's and it runs elsewhere.
func (l *Local) For(enterpriseID string) *LocalGateway {
	for _, g := range l.Gateways {
		if g.Enterprise == enterpriseID {
			return g
		}
	}
	for _, g := range l.Gateways {
		if g.Org.Role == orgconfig.RoleOperator {
			return g
		}
	}
	return nil
}

// URL is the base URL of the gateway an enterprise acts through (see For).
func (l *Local) URL(enterpriseID string) string {
	if g := l.For(enterpriseID); g != nil {
		return g.URL
	}
	return l.operatorURL
}

// Tokens are the founding enterprises' dev API tokens, by enterprise ID.
func (l *Local) Tokens() map[string]string {
	out := map[string]string{}
	for _, g := range l.Gateways {
		out[g.Enterprise] = g.Token
	}
	return out
}

// Router serves, on a loopback port, a reverse proxy that sends each
// request to the gateway of the enterprise whose API token it carries: a
// founding enterprise's to its organisation's gateway, every other (the
// suppliers') to the operator's. A client written for one base URL (the
// story of internal/demo) thereby talks to each enterprise's own gateway.
// It returns the proxy's base URL.
func (l *Local) Router() (string, error) {
	if l.routerLn != nil {
		return "http://" + l.routerLn.Addr().String(), nil
	}
	byToken := map[string]*url.URL{}
	operator, err := url.Parse(l.operatorURL)
	if err != nil {
		return "", err
	}
	for _, g := range l.Gateways {
		u, err := url.Parse(g.URL)
		if err != nil {
			return "", err
		}
		byToken[g.Token] = u
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			target := operator
			if tok, ok := strings.CutPrefix(r.In.Header.Get("Authorization"), "Bearer "); ok && byToken[tok] != nil {
				target = byToken[tok]
			}
			r.SetURL(target)
		},
		FlushInterval: -1, // server-sent events pass at once
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	l.routerLn = ln
	l.router = &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	l.wg.Go(func() { l.router.Serve(ln) })
	return "http://" + ln.Addr().String(), nil
}

// Close stops every gateway and the router and releases their
// resources; the data directories stay.
func (l *Local) Close() error {
	l.cancel()
	var errs []error
	if l.router != nil {
		errs = append(errs, l.router.Close())
	}
	for _, g := range l.Gateways {
		if err := <-g.served; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, context.Canceled) {
			errs = append(errs, err)
		}
		errs = append(errs, g.Platform.Close())
	}
	l.wg.Wait()
	return errors.Join(errs...)
}
