package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/tierchain/tierchain"

// forbidden lists, for each package prefix, the prefixes it must never import
// (directly or transitively). The gateway is configured with a plain
// description of its organisations (internal/orgconfig), never with the
// launcher's network (internal/fabnet).
var forbidden = map[string][]string{
	module + "/zk":                 {module + "/chaincode", module + "/gateway", module + "/services", module + "/internal", "github.com/hyperledger"},
	module + "/chaincode/model":    {module + "/chaincode/protocol", module + "/chaincode/rules", module + "/chaincode/contract", module + "/gateway", module + "/services", "github.com/hyperledger"},
	module + "/chaincode/protocol": {module + "/chaincode/rules", module + "/chaincode/contract", module + "/gateway", module + "/services", module + "/internal", "github.com/hyperledger"},
	module + "/chaincode/rules":    {module + "/chaincode/contract", module + "/gateway", module + "/services", module + "/internal", "github.com/hyperledger"},
	module + "/chaincode/contract": {module + "/gateway", module + "/services"},
	module + "/gateway":            {module + "/chaincode/contract", module + "/internal/fabnet"},
	module + "/services":           {module + "/chaincode/contract", module + "/gateway"},
	module + "/internal":           {module + "/chaincode/contract", module + "/gateway"},
	module + "/bench":              {module + "/chaincode/contract", module + "/cmd"},
}

// harnesses may cross the bans listed for them: they start networks for
// tests (a product binary never imports a test harness).
var harnesses = map[string][]string{
	module + "/gateway/platform/platformtest": {module + "/internal/fabnet"},
}

func TestImportBoundaries(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], module) {
			continue
		}
		pkg, deps := fields[0], fields[1:]
		for prefix, bans := range forbidden {
			if pkg != prefix && !strings.HasPrefix(pkg, prefix+"/") {
				continue
			}
			checked++
			for _, d := range deps {
				for _, ban := range bans {
					if slices.Contains(harnesses[pkg], ban) {
						continue
					}
					if d == ban || strings.HasPrefix(d, ban+"/") {
						t.Errorf("%s imports %s (forbidden: %s)", pkg, d, ban)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package was checked: the module layout changed, update the boundary table")
	}
}

// loadREST, the load tools' REST driver, serves the whole REST gateway in
// the load generator's process (as cmd/tierchain serve does), so it is the
// one package besides binaries that imports the gateway.
const loadREST = module + "/bench/load/rest"

func TestNothingImportsGateway(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg := fields[0]
		if strings.HasPrefix(pkg, module+"/gateway") || strings.HasPrefix(pkg, module+"/cmd") || pkg == loadREST {
			continue
		}
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, module+"/gateway") {
				t.Errorf("%s imports %s: nothing but binaries and the REST load driver may import the gateway", pkg, imp)
			}
		}
	}
}
