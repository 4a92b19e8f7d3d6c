package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// testHelper reports whether a package is a test helper: the standard
// "testing" package, anything else whose name ends in "test" in this
// module (fabnettest, storetest, platformtest, rulestest, networktest,
// archtest, testenv…), or a package of ours that imports "testing"
// (testrand does).
func testHelper(pkg string, importsTesting bool) bool {
	if pkg == "testing" || strings.HasPrefix(pkg, "testing/") {
		return true
	}
	if !strings.HasPrefix(pkg, module+"/") {
		return false
	}
	for _, elem := range strings.Split(strings.TrimPrefix(pkg, module+"/"), "/") {
		if strings.HasSuffix(elem, "test") || strings.HasPrefix(elem, "test") {
			return true
		}
	}
	return importsTesting
}

// goList runs go list in dir with format and returns its lines.
func goList(t *testing.T, dir string, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v in %s: %v", args, dir, err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// TestBinariesImportNoTestHelper: a product binary (every package main of
// the module, and of the bench/peers module) never links a test harness or
// the testing package, directly or through another package.
func TestBinariesImportNoTestHelper(t *testing.T) {
	for _, dir := range []string{"../..", "../../bench/peers"} {
		// Which of our packages import "testing" (outside their tests).
		importsTesting := map[string]bool{}
		for _, line := range goList(t, dir, "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "all") {
			fields := strings.Fields(line)
			if len(fields) > 0 && slices.Contains(fields[1:], "testing") {
				importsTesting[fields[0]] = true
			}
		}
		binaries := 0
		for _, line := range goList(t, dir, "-deps", "-f", `{{if eq .Name "main"}}{{.ImportPath}}{{range .Deps}} {{.}}{{end}}{{end}}`, "./...") {
			fields := strings.Fields(line)
			if len(fields) == 0 || !strings.HasPrefix(fields[0], module) {
				continue
			}
			binaries++
			bin := fields[0]
			var found []string
			for _, d := range fields[1:] {
				if testHelper(d, importsTesting[d]) {
					found = append(found, d)
				}
			}
			for _, d := range found {
				t.Errorf("binary %s imports the test helper %s", bin, d)
			}
		}
		if binaries == 0 {
			t.Fatalf("no binary found in %s: the module layout changed, update the test", dir)
		}
	}
}

func TestTestHelperNames(t *testing.T) {
	for pkg, want := range map[string]bool{
		"testing":                              true,
		"testing/synctest":                     true,
		module + "/internal/fabnet/fabnettest": true,
		module + "/services/store/storetest":   true,
		module + "/zk/internal/testrand":       true,
		module + "/internal/testenv":           true,
		module + "/internal/fabnet":            false,
		module + "/services/store":             false,
		"net/http/httptest":                    false, // a server in a test, but also product code's tool
		"github.com/stretchr/testify":          false,
	} {
		if got := testHelper(pkg, false); got != want {
			t.Errorf("testHelper(%s) = %v, want %v", pkg, got, want)
		}
	}
	if !testHelper(module+"/bench/load", true) {
		t.Error("a package of ours importing testing is a test helper")
	}
}
