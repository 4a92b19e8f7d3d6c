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
func described(t *testing.T) []orgconfig.Description {
	t.Helper()
	c, err := platformtest.Descriptions()
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
		edit func([]orgconfig.Description) []orgconfig.Description
		want error
	}{
		{"bank user", func(c []orgconfig.Description) []orgconfig.Description {
			delete(c[orgIndex(t, c, "BankB")].Org.Identities, "User1")
			return c
		}, orgconfig.ErrInvalid}, // the enterprise's identity
		{"operator admin", func(c []orgconfig.Description) []orgconfig.Description {
			delete(c[orgIndex(t, c, "Operator")].Org.Identities, "Admin")
			return c
		}, platform.ErrNotDescribed},
		{"regulator", func(c []orgconfig.Description) []orgconfig.Description {
			i := orgIndex(t, c, "Regulator")
			return append(c[:i], c[i+1:]...)
		}, platform.ErrNotDescribed},
		{"invalid", func(c []orgconfig.Description) []orgconfig.Description { c[0].Channel = ""; return c }, orgconfig.ErrMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.edit(described(t))
			p, err := platform.New(context.Background(), platform.Config{Orgs: c, DataDir: t.TempDir(), Logger: quiet()})
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
	for i := range c {
		pem, err := c[i].Org.Peer.TLSCACert()
		if err != nil {
			t.Fatal(err)
		}
		c[i].Org.Peer.TLSCACertPEM, c[i].Org.Peer.TLSCACertPath = string(pem), ""
		if err := c[i].Validate(); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	p, err := platform.New(ctx, platform.Config{Orgs: c, DataDir: t.TempDir(), Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, id := range []string{"operator", "carmaker", "bankA", "bankB", "regulator"} {
		m, err := p.Directory.Get(ctx, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		o := c[orgIndex(t, c, m.Org)].Org
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

func orgIndex(t *testing.T, c []orgconfig.Description, name string) int {
	t.Helper()
	for i, d := range c {
		if d.Org.Name == name {
			return i
		}
	}
	t.Fatalf("no %s in the description", name)
	return -1
}
