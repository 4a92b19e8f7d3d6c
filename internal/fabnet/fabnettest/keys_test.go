package fabnettest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// recorder is a testing.TB that records errors instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestEnterpriseKeyOutsideItsFolder: an organisation's enterprise key
// copied into another organisation's folder (or the bundle), as hex or raw,
// is reported; left at home it is not.
func TestEnterpriseKeyOutsideItsFolder(t *testing.T) {
	l := fabnet.NewLayout(fabnet.DefaultBase, 1)
	dir := t.TempDir()
	write := func(rel string, b []byte) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for k, o := range l.Orgs {
		write(filepath.Join("orgs", o.Name, "enterprise", "encryption.key"), fmt.Appendf(nil, "%064x\n", k+1000))
	}
	bankB := fmt.Sprintf("%064x", 1003)
	write("orgs/BankB/gateway/copy", []byte(bankB)) // at home: fine
	r := &recorder{TB: t}
	enterpriseKeysStayHome(r, dir, l)
	if len(r.errs) != 0 {
		t.Fatalf("keys at home reported: %v", r.errs)
	}
	write("orgs/Operator/gateway/gateway.db", []byte("xx"+bankB+"yy"))
	write("public/leak.bin", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0xeb})
	enterpriseKeysStayHome(r, dir, l)
	got := strings.Join(r.errs, "\n")
	if len(r.errs) != 2 || !strings.Contains(got, "Operator/gateway/gateway.db holds BankB's") || !strings.Contains(got, "public/leak.bin holds BankB's") {
		t.Fatalf("reported:\n%s", got)
	}
}
