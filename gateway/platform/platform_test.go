package platform_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
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

// start runs a platform on the test network and returns its base URL.
func start(t *testing.T) (*platform.Platform, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p, err := platform.New(ctx, platform.Config{Network: fabnettest.Network(), DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		p.Close()
	})
	return p, "http://" + ln.Addr().String()
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
