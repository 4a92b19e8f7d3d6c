// Package platformtest serves the consortium's gateways, one per
// organisation, per test binary on the network internal/fabnet/fabnettest
// started, for tests that drive the gateways over HTTP (their pages
// included). Each gateway has its own temporary data directory and its own
// loopback listener, and reads the ledger through its own organisation's
// peer; one consortium per network, since the founding enterprises' keys
// are registered on its ledger.
package platformtest

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

var (
	once sync.Once
	c    *Consortium
	err  error
)

// Consortium is the binary's gateways.
type Consortium struct {
	*platform.Local
	// Router is the base URL of a proxy that sends each request to the
	// gateway of the enterprise whose token it carries (suppliers' to the
	// operator's): for clients that take one base URL, like the story of
	// internal/demo.
	Router string
	// DataDir holds each gateway's data directory (DataDir/<Org>).
	DataDir string
}

// Token is a founding enterprise's dev API token (at its own gateway).
func (c *Consortium) Token(enterpriseID string) string { return c.Tokens()[enterpriseID] }

// Start returns the binary's consortium, serving until the process ends.
// Its data lives in a temporary directory; warnings go to stderr.
func Start(t testing.TB) *Consortium {
	t.Helper()
	once.Do(func() { c, err = serve() })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Descriptions describe the binary's network's organisations to their
// gateways the way `tierchain serve` gets them: fabnet writes one
// description per organisation into the network's directory and they are
// loaded back from the files, in the layout's order.
func Descriptions() ([]orgconfig.Description, error) {
	n := fabnettest.Network()
	paths, err := n.WriteOrgConfigs()
	if err != nil {
		return nil, err
	}
	var ds []orgconfig.Description
	for _, o := range n.Layout.Orgs {
		d, err := orgconfig.Load(paths[o.Name])
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	return ds, nil
}

func serve() (*Consortium, error) {
	dir, err := os.MkdirTemp("", "tierchain-platform-")
	if err != nil {
		return nil, err
	}
	ds, err := Descriptions()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l, err := platform.StartLocal(ctx, platform.LocalConfig{Descriptions: ds, DataDir: dir,
		WebhookAllow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, // the tests' receivers
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return nil, err
	}
	router, err := l.Router()
	if err != nil {
		l.Close()
		return nil, err
	}
	return &Consortium{Local: l, Router: router, DataDir: dir}, nil
}
