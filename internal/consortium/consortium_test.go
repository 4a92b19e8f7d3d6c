//go:build consortium

package consortium

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// start prepares and brings up a consortium in a fresh folder, fails the
// test if Docker is not usable, and removes everything at the end.
func start(t *testing.T, ctx context.Context) *Consortium {
	t.Helper()
	if _, err := run(ctx, nil, "docker", "info"); err != nil {
		t.Fatalf("no Docker engine (make test-consortium installs and starts one: scripts/docker.sh): %v", err)
	}
	repo, err := fabnet.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("TIERCHAIN_COMPOSE_DIR")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "compose")
	}
	c, err := Prepare(ctx, Options{Dir: dir, Repo: repo, Out: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	// A project left by an interrupted run goes first.
	if err := c.Down(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			c.dumpLogs(context.Background(), t)
		}
		if err := c.Down(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if err := c.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Deploy(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) { w.t.Logf("%s", b); return len(b), nil }

func TestConsortium(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	c := start(t, ctx)
	hs, err := c.Heights(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("heights %v", hs)
}
