package platform_test

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
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(fabnettest.Main(m, fabnettest.Options{}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Log(string(b)); return len(b), nil }

var (
	shared     *platform.Platform
	sharedBase string
	sharedErr  error
	sharedOnce sync.Once
)

// start returns the platform of this test binary, serving on the test
// network (one per network: the founders' keys are registered on its
// ledger), and its base URL. It lives until the process ends.
func start(t *testing.T) (*platform.Platform, string) {
	t.Helper()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tierchain-platform-")
		if err != nil {
			sharedErr = err
			return
		}
		ctx := context.Background()
		p, err := platform.New(ctx, platform.Config{Network: fabnettest.Network(), DataDir: dir,
			Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
		if err != nil {
			sharedErr = err
			return
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			sharedErr = err
			return
		}
		go func() {
			if err := p.Serve(ctx, ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintln(os.Stderr, "serve:", err)
			}
		}()
		shared, sharedBase = p, "http://"+ln.Addr().String()
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared, sharedBase
}

// TestStoryOverREST runs the demo story against the real network: issue,
// three tiers, financing, payment at maturity, the regulator's
// reconciliation, and the reused invoice refused.
func TestStoryOverREST(t *testing.T) {
	p, base := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := demo.Run(ctx, demo.Config{Base: base, Tokens: p.Tokens, Maturity: 15 * time.Second, Suffix: "-s", Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Leaves) != 3 {
		t.Fatalf("%d leaves paid, want 3", len(res.Leaves))
	}
	for _, l := range res.Leaves {
		if l.Status != "SETTLED" {
			t.Errorf("leaf %s is %s, want SETTLED", l.ID, l.Status)
		}
	}
	if res.ReuseStatus != http.StatusConflict {
		t.Errorf("reuse: %d", res.ReuseStatus)
	}
	// 2 invoices + root + 2×2 split outputs + the spent tokens are all opened.
	if res.Report.Problems != 0 || res.Report.Summary.Reconciled < 7 {
		t.Errorf("reconciliation: %+v", res.Report.Summary)
	}
}
