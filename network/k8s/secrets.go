package k8s

import (
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// Errors of WriteSecrets.
var (
	// ErrMissingFile: a file the overlay's Secrets carry is not in the
	// organisation's folder or the public bundle (not prepared, or
	// prepared with another layout).
	ErrMissingFile = errors.New("k8s: file missing from the prepared folder")
	// ErrUncovered: the gateway's description names a file that no
	// Secret or ConfigMap of the overlay carries, so the gateway would not
	// find it in the cluster.
	ErrUncovered = errors.New("k8s: the gateway's description names a file the overlay does not carry")
)

// SecretsDir is the folder of an overlay the generated Secrets and
// ConfigMaps read their files from (never checked in).
const SecretsDir = "secrets"

// WriteSecrets copies what org's overlay carries into out (the overlay's
// secrets/ folder): from org's own folder (dir/orgs/<Org>/) the keys of
// each of its Secrets and its chaincode.env, and from the public bundle
// (dir/public/) the public ConfigMap's files; nothing of another
// organisation's folder. Files are written 0600 in folders 0700; out is
// replaced. It first checks that every file the gateway's description
// names is carried, so what installs also starts.
func WriteSecrets(dir, org string, l fabnet.Layout, out string) error {
	d, err := data(l, org)
	if err != nil {
		return err
	}
	own := filepath.Join(dir, "orgs", d.Org.Name)
	public := filepath.Join(dir, "public")
	if err := coversDescription(own, public, d); err != nil {
		return err
	}
	// Read everything first: a folder missing a file leaves out alone.
	type file struct {
		to string
		b  []byte
	}
	var fs []file
	read := func(from string, set Set) error {
		for _, f := range set.Files {
			b, err := os.ReadFile(filepath.Join(from, filepath.FromSlash(f.Path)))
			if errors.Is(err, iofs.ErrNotExist) {
				return fmt.Errorf("%w: %s (%s of %s)", ErrMissingFile, f.Path, set.Name, d.Org.Name)
			}
			if err != nil {
				return err
			}
			fs = append(fs, file{filepath.Join(set.Name, f.Key), b})
		}
		return nil
	}
	for _, s := range d.Sets {
		if err := read(own, s); err != nil {
			return err
		}
	}
	if err := read(public, d.Public); err != nil {
		return err
	}
	env, err := os.ReadFile(filepath.Join(own, ChaincodeEnv))
	if errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("%w: %s of %s", ErrMissingFile, ChaincodeEnv, d.Org.Name)
	}
	if err != nil {
		return err
	}
	fs = append(fs, file{ChaincodeEnv, env})

	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for _, f := range fs {
		p := filepath.Join(out, f.to)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// coversDescription checks that every path in org's gateway description
// (dir/orgs/<Org>/gateway/org.json: certificates, keys, TLS CAs, cards) is
// one the gateway's Secret or the public ConfigMap carries.
func coversDescription(own, public string, d overlayData) error {
	desc := filepath.Join(own, filepath.FromSlash(OrgConfig))
	b, err := os.ReadFile(desc)
	if errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("%w: %s of %s", ErrMissingFile, OrgConfig, d.Org.Name)
	}
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("k8s: %s: %w", desc, err)
	}
	carried := map[string]bool{}
	for _, f := range d.Gateway.Keys.Files {
		carried[filepath.Join(own, filepath.FromSlash(f.Path))] = true
	}
	for _, f := range d.Public.Files {
		carried[filepath.Join(public, filepath.FromSlash(f.Path))] = true
	}
	var paths []string
	walkPaths(v, "", &paths)
	slices.Sort(paths)
	for _, p := range paths {
		abs := filepath.Join(filepath.Dir(desc), filepath.FromSlash(p))
		if carried[abs] {
			continue
		}
		// A folder (the operator's cardsDir): every file in it.
		entries, err := os.ReadDir(abs)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrUncovered, p)
		}
		for _, e := range entries {
			if !carried[filepath.Join(abs, e.Name())] {
				return fmt.Errorf("%w: %s", ErrUncovered, filepath.Join(p, e.Name()))
			}
		}
	}
	return nil
}

// walkPaths collects the description's file and folder references: the
// string values of fields named *Path or *Dir.
func walkPaths(v any, key string, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walkPaths(x, k, out)
		}
	case []any:
		for _, x := range v {
			walkPaths(x, key, out)
		}
	case string:
		if strings.HasSuffix(key, "Path") || strings.HasSuffix(key, "Dir") {
			*out = append(*out, v)
		}
	}
}
