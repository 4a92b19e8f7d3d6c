package ccaas

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The three steps the peer runs, in its order, on a ccaas package: the
// release output holds the connection.json the package carried.
func TestDetectBuildRelease(t *testing.T) {
	d := t.TempDir()
	src, meta, out, rel := filepath.Join(d, "src"), filepath.Join(d, "meta"), filepath.Join(d, "out"), filepath.Join(d, "rel")
	const conn = `{"address":"chaincode.bankb.tierchain.local:7253"}`
	write(t, filepath.Join(src, "connection.json"), conn)
	write(t, filepath.Join(meta, "metadata.json"), `{"type":"ccaas","label":"tierchain_1"}`)
	if err := Run("detect", []string{src, meta}); err != nil {
		t.Fatalf("detect: %v", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Run("build", []string{src, meta, out}); err != nil {
		t.Fatalf("build: %v", err)
	}
	if err := Run("release", []string{out, rel}); err != nil {
		t.Fatalf("release: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(rel, "chaincode", "server", "connection.json"))
	if err != nil || string(got) != conn {
		t.Fatalf("released connection.json = %q, %v; want %q", got, err, conn)
	}
}

func TestDetectDeclines(t *testing.T) {
	for name, meta := range map[string]string{
		"golang":    `{"type":"golang","label":"x"}`,
		"no type":   `{"label":"x"}`,
		"not json":  `type: ccaas`,
		"substring": `{"type":"ccaasX"}`,
	} {
		t.Run(name, func(t *testing.T) {
			d := t.TempDir()
			write(t, filepath.Join(d, "metadata.json"), meta)
			if err := Run("detect", []string{d, d}); !errors.Is(err, ErrNotCCaaS) {
				t.Fatalf("detect(%s) = %v, want ErrNotCCaaS", meta, err)
			}
		})
	}
}

func TestBuildWithoutConnection(t *testing.T) {
	d := t.TempDir()
	if err := Run("build", []string{d, d, filepath.Join(d, "out")}); !errors.Is(err, ErrNoConnection) {
		t.Fatalf("build = %v, want ErrNoConnection", err)
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		step string
		args []string
	}{{"detect", nil}, {"build", []string{"a", "b"}}, {"release", []string{"a"}}, {"ccaasbuilder", []string{"a", "b"}}} {
		if err := Run(c.step, c.args); !errors.Is(err, ErrUsage) {
			t.Errorf("Run(%s, %v) = %v, want ErrUsage", c.step, c.args, err)
		}
	}
}

func TestTooLarge(t *testing.T) {
	d := t.TempDir()
	big := make([]byte, maxFile+1)
	if err := os.WriteFile(filepath.Join(d, "metadata.json"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Run("detect", []string{d, d}); err == nil {
		t.Fatal("detect accepted a metadata.json larger than the bound")
	}
}

// FuzzDetect: any metadata.json is accepted or declined, never a panic, and
// accepted only when its type is exactly "ccaas".
func FuzzDetect(f *testing.F) {
	f.Add([]byte(`{"type":"ccaas"}`))
	f.Add([]byte(`{"type":"golang"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := detectJSON(b); err != nil && !errors.Is(err, ErrNotCCaaS) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
