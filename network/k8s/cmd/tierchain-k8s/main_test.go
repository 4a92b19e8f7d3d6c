package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/network/k8s"
)

// TestOverlaysCommand: `overlays -root DIR` writes the committed overlays.
func TestOverlaysCommand(t *testing.T) {
	root := t.TempDir()
	var out bytes.Buffer
	if err := run([]string{"overlays", "-root", root}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, o := range k8s.Layout().Orgs {
		for _, f := range []string{"kustomization.yaml", "peer.yaml", "gateway.yaml"} {
			got, err := os.ReadFile(filepath.Join(root, k8s.OverlayDir(o), f))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("..", "..", k8s.OverlayDir(o), f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from the committed one", k8s.OverlayDir(o), f)
			}
		}
	}
}

// TestUsage: missing flags, an unknown organisation or command are errors.
func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
		is   error
	}{
		{nil, "usage", nil},
		{[]string{"deploy"}, "unknown command", nil},
		{[]string{"secrets", "-org", "BankB"}, "-dir and -org are required", nil},
		{[]string{"secrets", "-dir", t.TempDir(), "-org", "BankZ"}, "BankZ", k8s.ErrNoOrg},
		{[]string{"prepare"}, "-dir is required", nil},
	} {
		var out bytes.Buffer
		err := run(c.args, &out, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("run(%q) = %v, want an error with %q", c.args, err, c.want)
		}
	}
}
