package fabnettest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// KeysStayHome checks the data directory of a network (a running one,
// after `tierchain up` too, gateways included): every private key on disk
// (PEM files, chaincode packages down to their connection.json, JSON
// values, PEM inside any other file) lies in the folder of the
// organisation whose CA certified its public key, none lies outside every
// organisation's folder, and each organisation's enterprise keys
// (orgs/<Org>/enterprise/*.key: HPKE, the regulator's audit key) appear, as
// hex or raw, in no file outside its own folder. It returns the keys found.
func KeysStayHome(t testing.TB, dir string, l fabnet.Layout) []Key {
	t.Helper()
	owners := map[string]string{} // CA domain -> organisation
	for _, o := range l.Orgs {
		owners[o.Domain] = o.Name
	}
	keys, certs := keyMaterial(t, dir, owners)
	if len(keys) == 0 {
		t.Fatal("no private key found under", dir)
	}
	for _, k := range keys {
		owner := ""
		for _, c := range certs {
			if !k.matches(c.cert) {
				continue
			}
			if c.org != k.FolderOrg {
				t.Errorf("%s (in %s's folder) is the key of %s's certificate %s (%s)", k.Path, orgOrNone(k.FolderOrg), c.org, c.path, c.cert.Subject)
			}
			owner = c.org
		}
		if owner == "" {
			t.Errorf("%s matches no certificate of the network", k.Path)
		}
	}
	enterpriseKeysStayHome(t, dir, l)
	return keys
}

// maxScan bounds the files enterpriseKeysStayHome reads.
const maxScan = 256 << 20

// enterpriseKeysStayHome checks that no file outside an organisation's
// folder holds one of its enterprise keys.
func enterpriseKeysStayHome(t testing.TB, dir string, l fabnet.Layout) {
	t.Helper()
	type secret struct {
		org, file string
		hex, raw  []byte
	}
	var secrets []secret
	for _, o := range l.Orgs {
		files, _ := filepath.Glob(filepath.Join(dir, "orgs", o.Name, "enterprise", "*.key"))
		if len(files) == 0 {
			t.Errorf("%s has no enterprise key in its folder", o.Name)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h := bytes.TrimSpace(b)
			raw, err := hex.DecodeString(string(h))
			if err != nil || len(raw) < 16 {
				t.Errorf("%s: not a hex key", f)
				continue
			}
			secrets = append(secrets, secret{o.Name, f, h, raw})
		}
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		if info, err := d.Info(); err != nil || info.Size() > maxScan {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if strings.HasPrefix(path, filepath.Join(dir, "orgs", s.org)+string(filepath.Separator)) {
				continue
			}
			if bytes.Contains(b, s.hex) || bytes.Contains(b, s.raw) {
				t.Errorf("%s holds %s's enterprise key %s", path, s.org, filepath.Base(s.file))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Key is a private key found on disk.
type Key struct {
	Path      string // its file (path!entry!… inside an archive, #field in JSON)
	FolderOrg string // the organisation whose folder holds it; "" outside every one
	Public    crypto.PublicKey
}

func (k Key) matches(c *x509.Certificate) bool {
	pub, ok := k.Public.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(c.PublicKey)
}

type cert struct {
	path string
	org  string // the organisation whose CA issued it
	cert *x509.Certificate
}

func orgOrNone(org string) string {
	if org == "" {
		return "no organisation"
	}
	return org
}

// keyMaterial parses every PEM file under dir: private keys (with the
// organisation folder they lie in) and certificates (with the organisation
// whose CA issued them, by the issuer's organisation, the CA's domain).
// It opens gzipped tars (chaincode packages, and the code.tar.gz in them)
// and reads PEM from the string values of the JSON files there
// (connection.json); a key found there is named path!entry!…
func keyMaterial(t testing.TB, dir string, owners map[string]string) ([]Key, []cert) {
	t.Helper()
	orgs := filepath.Join(dir, "orgs") + string(filepath.Separator)
	var keys []Key
	var certs []cert
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		srcs, err := pemSources(path, b)
		if err != nil {
			t.Errorf("%s: %v", path, err)
		}
		for _, src := range srcs {
			parsePEM(t, src.name, src.data, orgs, &keys, &certs, owners)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys, certs
}

type pemSource struct {
	name string
	data []byte
}

// pemSources returns where PEM may lie in a file: the file itself, or, in
// a gzipped tar, each entry (recursively), and in a JSON object each string
// value.
func pemSources(name string, b []byte) ([]pemSource, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		tr := tar.NewReader(gz)
		var out []pemSource
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return out, nil
			}
			if err != nil {
				return out, err
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return out, err
			}
			inner, err := pemSources(name+"!"+h.Name, data)
			if err != nil {
				return out, err
			}
			out = append(out, inner...)
		}
	case strings.HasSuffix(name, ".json"):
		var obj map[string]any
		if json.Unmarshal(b, &obj) != nil {
			return []pemSource{{name, b}}, nil
		}
		var out []pemSource
		for k, v := range obj {
			if s, ok := v.(string); ok {
				out = append(out, pemSource{name + "#" + k, []byte(s)})
			}
		}
		return out, nil
	}
	return []pemSource{{name, b}}, nil
}

// parsePEM collects the private keys and certificates in one PEM source.
func parsePEM(t testing.TB, path string, b []byte, orgs string, keys *[]Key, certs *[]cert, owners map[string]string) {
	t.Helper()
	for rest := b; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		switch {
		case strings.HasSuffix(blk.Type, "PRIVATE KEY"):
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			folder := ""
			if rel, ok := strings.CutPrefix(path, orgs); ok {
				folder, _, _ = strings.Cut(rel, string(filepath.Separator))
			}
			*keys = append(*keys, Key{Path: path, FolderOrg: folder, Public: k.(crypto.Signer).Public()})
		case blk.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			if len(c.Issuer.Organization) != 1 || owners[c.Issuer.Organization[0]] == "" {
				t.Errorf("%s: certificate issued by %s, no organisation of the network", path, c.Issuer)
				continue
			}
			*certs = append(*certs, cert{path: path, org: owners[c.Issuer.Organization[0]], cert: c})
		}
	}
}
