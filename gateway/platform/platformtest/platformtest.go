// Package platformtest serves one TierChain platform per test binary on the
// network internal/fabnet/fabnettest started, for tests that drive the
// gateway over HTTP (its pages included). One per network: the founding
// enterprises' keys are registered on its ledger.
package platformtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

var (
	once sync.Once
	p    *platform.Platform
	base string
	err  error
)

// Start returns the binary's platform, serving on a loopback port until
// the process ends, and its base URL ("http://127.0.0.1:…"). Its data
// lives in a temporary directory; warnings go to stderr.
func Start(t testing.TB) (*platform.Platform, string) {
	t.Helper()
	once.Do(func() { p, base, err = serve() })
	if err != nil {
		t.Fatal(err)
	}
	return p, base
}

// Descriptions describe the binary's network's organisations to a gateway
// the way `tierchain serve` gets them: fabnet writes one description per
// organisation into the network's directory and they are loaded back from
// the files, in the layout's order.
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

func serve() (*platform.Platform, string, error) {
	dir, err := os.MkdirTemp("", "tierchain-platform-")
	if err != nil {
		return nil, "", err
	}
	ds, err := Descriptions()
	if err != nil {
		return nil, "", err
	}
	ctx := context.Background()
	p, err := platform.New(ctx, platform.Config{Orgs: ds, DataDir: dir,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return nil, "", err
	}
	// Serve prepares the database (migrations, seeded tokens) before it
	// accepts: a request sent at once waits on the listener's backlog.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		p.Close()
		return nil, "", err
	}
	go func() {
		if err := p.Serve(ctx, ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "platformtest: serve:", err)
		}
	}()
	return p, "http://" + ln.Addr().String(), nil
}
