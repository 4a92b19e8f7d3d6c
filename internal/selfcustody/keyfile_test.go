package selfcustody

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/keyseal"
)

// fastKDF keeps the tests quick; the format records its parameters.
var fastKDF = keyseal.KDF{Time: 1, Memory: 8 << 10, Threads: 1}

func saved(t *testing.T) (string, Keys) {
	t.Helper()
	k, err := NewKeys("supplier1", "http://127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	k.APIToken = "token-secret"
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := saveWith(path, "a good passphrase", k, true, fastKDF); err != nil {
		t.Fatal(err)
	}
	return path, k
}

func TestKeyFileRoundTrip(t *testing.T) {
	path, k := saved(t)
	got, err := Load(path, "a good passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Signing.Equal(k.Signing) || !bytes.Equal(got.Encryption.Bytes(), k.Encryption.Bytes()) || got.APIToken != k.APIToken || got.EnterpriseID != "supplier1" {
		t.Fatal("keys differ after a round trip")
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %s, want 0600", st.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("token-secret")) || bytes.Contains(raw, k.Encryption.Bytes()) {
		t.Error("the key file holds a secret in clear")
	}
	if err := saveWith(path, "a good passphrase", k, true, fastKDF); !errors.Is(err, ErrExists) {
		t.Errorf("create over an existing file: %v", err)
	}
	if s := k.String(); strings.Contains(s, "token") {
		t.Errorf("String = %q", s)
	}
}

func TestKeyFileRefused(t *testing.T) {
	path, _ := saved(t)
	if _, err := Load(path, "a wrong passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	raw, _ := os.ReadFile(path)
	write := func(b []byte) string {
		p := filepath.Join(t.TempDir(), "keys.json")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var f map[string]any
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	edited := func(field string, v any) []byte {
		g := map[string]any{}
		for k, x := range f {
			g[k] = x
		}
		g[field] = v
		b, _ := json.Marshal(g)
		return b
	}
	sealed := []byte(f["sealed"].(string))
	flipped := bytes.Clone(sealed)
	flipped[5] ^= 'A' ^ 'B'
	if flipped[5] == sealed[5] {
		flipped[5] = 'C'
	}
	for name, c := range map[string]struct {
		b    []byte
		want error
	}{
		"truncated":           {raw[:len(raw)/2], ErrCorruptKeyFile},
		"not JSON":            {[]byte("not a key file"), ErrCorruptKeyFile},
		"empty":               {nil, ErrCorruptKeyFile},
		"another version":     {edited("version", 2), ErrCorruptKeyFile},
		"short salt":          {edited("salt", "AAAA"), ErrCorruptKeyFile},
		"absurd KDF":          {edited("kdf", map[string]any{"time": 1, "memoryKiB": 1 << 30, "threads": 1}), ErrCorruptKeyFile},
		"gateway edited":      {edited("gateway", "http://evil.example"), ErrWrongPassphrase},
		"enterprise edited":   {edited("enterprise", "supplier2"), ErrWrongPassphrase},
		"ciphertext flipped":  {edited("sealed", string(flipped)), nil},
		"certificate grafted": {edited("certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), ErrWrongPassphrase},
	} {
		_, err := Load(write(c.b), "a good passphrase")
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) ||
			(c.want == nil && !errors.Is(err, ErrWrongPassphrase) && !errors.Is(err, ErrCorruptKeyFile)) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

func TestKeyFilePermissions(t *testing.T) {
	path, _ := saved(t)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(path, "a good passphrase"); !errors.Is(err, ErrPermissions) {
			t.Errorf("mode %s: %v", mode, err)
		}
	}
	os.Chmod(path, 0o600)
	if err := os.Chmod(filepath.Dir(path), 0o777); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Dir(path), 0o700)
	if _, err := Load(path, "a good passphrase"); !errors.Is(err, ErrPermissions) {
		t.Errorf("world-writable folder: %v", err)
	}
}

func FuzzKeyFileDecode(f *testing.F) {
	k, _ := NewKeys("s1", "http://x")
	p := filepath.Join(f.TempDir(), "k.json")
	if err := saveWith(p, "passphrase", k, true, fastKDF); err != nil {
		f.Fatal(err)
	}
	raw, _ := os.ReadFile(p)
	f.Add(raw)
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var kf struct {
			KDF keyseal.KDF `json:"kdf"`
		}
		// Bound the work: a fuzzed KDF could ask for a gigabyte.
		if json.Unmarshal(b, &kf) == nil && kf.KDF.Memory > 64<<10 {
			return
		}
		_, _ = keyseal.Open(b, "passphrase")
	})
}
