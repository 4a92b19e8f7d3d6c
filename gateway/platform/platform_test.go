package platform_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	os.Exit(fabnettest.Main(m, fabnettest.Options{}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Log(string(b)); return len(b), nil }

// start returns the binary's gateways, one per organisation, serving on
// the test network.
func start(t *testing.T) *platformtest.Consortium { return platformtest.Start(t) }

// storyUntilPay plays the demo story over REST with new suppliers (named
// with suffix) up to, not including, payment at maturity: the tokens are
// split and one is financed. Every request goes to the acting enterprise's
// own gateway (through the consortium's router).
func storyUntilPay(t *testing.T, ctx context.Context, c *platformtest.Consortium, suffix string) *demo.Result {
	t.Helper()
	res, err := demo.Run(ctx, demo.Config{Base: c.Router, Tokens: c.Tokens(), Maturity: time.Hour, Suffix: suffix,
		StopBefore: "pay", Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// subscribe streams the event types of GET /v1/events for a token.
func subscribe(t *testing.T, ctx context.Context, base, token string) <-chan string {
	t.Helper()
	events := subscribeData(t, ctx, base, token)
	out := make(chan string, 1024)
	go func() {
		for ev := range events {
			select {
			case out <- ev.typ:
			default:
			}
		}
	}()
	return out
}

// TestStoryOverREST runs the demo story against the real network: issue,
// three tiers, financing, payment at maturity, the regulator's
// reconciliation, and the reused invoice refused.
func TestStoryOverREST(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Bank B follows its server-sent events, on its own gateway, through
	// the whole story.
	events := subscribe(t, ctx, c.URL("bankB"), c.Token("bankB"))
	res, err := demo.Run(ctx, demo.Config{Base: c.Router, Tokens: c.Tokens(), Maturity: 15 * time.Second, Suffix: "-s", Out: testWriter{t}})
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
	// Bank B was told of the financing request addressed to it.
	want := "ledger.financing.request"
	deadline := time.After(10 * time.Second)
	for seen := false; !seen; {
		select {
		case typ := <-events:
			seen = typ == want
		case <-deadline:
			t.Fatalf("Bank B got no %s event", want)
		}
	}
	// 2 invoices + root + 2×2 split outputs + the spent tokens are all opened.
	if res.Report.Problems != 0 || res.Report.Summary.Reconciled < 7 {
		t.Errorf("reconciliation: %+v", res.Report.Summary)
	}
}
