package platform_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"testing"

	"github.com/tierchain/tierchain/gateway/platform"
	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// described is the test network's description, with fresh maps so that a
// test can edit its copy.
func described(t *testing.T) orgconfig.Consortium {
	t.Helper()
	c, err := platformtest.Consortium()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDescriptionLacksWhatTheGatewayNeeds: a description without a
// founder's organisation or identity, or without the host organisation's
// signing CA, is refused before the gateway touches the ledger.
func TestDescriptionLacksWhatTheGatewayNeeds(t *testing.T) {
	tests := []struct {
		name string
		edit func(*orgconfig.Consortium)
		want error
	}{
		{"operator CA", func(c *orgconfig.Consortium) { c.Orgs[orgIndex(t, c, "Operator")].CA = nil }, platform.ErrNotDescribed},
		{"bank user", func(c *orgconfig.Consortium) { delete(c.Orgs[orgIndex(t, c, "BankB")].Identities, "User1") }, platform.ErrNotDescribed},
		{"operator admin", func(c *orgconfig.Consortium) { delete(c.Orgs[orgIndex(t, c, "Operator")].Identities, "Admin") }, platform.ErrNotDescribed},
		{"regulator", func(c *orgconfig.Consortium) {
			i := orgIndex(t, c, "Regulator")
			c.Orgs = append(c.Orgs[:i], c.Orgs[i+1:]...)
		}, platform.ErrNotDescribed},
		{"invalid", func(c *orgconfig.Consortium) { c.Channel = "" }, orgconfig.ErrMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := described(t)
			tt.edit(&c)
			p, err := platform.New(context.Background(), platform.Config{Consortium: c, DataDir: t.TempDir(), Logger: quiet()})
			if err == nil {
				p.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestGatewayRunsFromTheDescriptionAlone: with the peers' TLS CAs given
// inline (as a deployment without the launcher's folders may give them),
// the gateway builds on the running network from the description alone.
func TestGatewayRunsFromTheDescriptionAlone(t *testing.T) {
	start(t) // the binary's platform registers the founders first
	c := described(t)
	for i := range c.Orgs {
		pem, err := c.Orgs[i].Peer.TLSCACert()
		if err != nil {
			t.Fatal(err)
		}
		c.Orgs[i].Peer.TLSCACertPEM, c.Orgs[i].Peer.TLSCACertPath = string(pem), ""
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := platform.New(ctx, platform.Config{Consortium: c, DataDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, id := range []string{"operator", "carmaker", "bankA", "bankB", "regulator"} {
		m, err := p.Directory.Get(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		o, _ := c.Org(m.Org)
		if m.MSPID != o.MSPID {
			t.Errorf("%s: MSP %s, want %s", id, m.MSPID, o.MSPID)
		}
		// Its own peer answers through the inline TLS CA.
		cl, err := p.Directory.Client(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if _, err := cl.Evaluate(ctx, "tierchain", "Whoami"); err != nil {
			t.Errorf("%s: Whoami: %v", id, err)
		}
	}
}

func orgIndex(t *testing.T, c *orgconfig.Consortium, name string) int {
	t.Helper()
	for i, o := range c.Orgs {
		if o.Name == name {
			return i
		}
	}
	t.Fatalf("no %s in the description", name)
	return -1
}
