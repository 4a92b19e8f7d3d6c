package fabnet

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// FabricVersion is the pinned Fabric module version (network/tools/go.mod).
const FabricVersion = "v1.4.0-rc1.0.20230405174026-695dd57e01c2"

var fabricCommands = []string{"peer", "orderer", "configtxgen", "cryptogen", "osnadmin"}

// BinDir is where the Fabric binaries are cached: $TIERCHAIN_FABRIC_BIN, or
// the user cache directory keyed by the pinned version.
func BinDir() (string, error) {
	if d := os.Getenv("TIERCHAIN_FABRIC_BIN"); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "tierchain", "fabric-"+FabricVersion, "bin"), nil
}

// EnsureBinaries builds the Fabric binaries from the tools module under
// repoRoot/network/tools unless they are already cached, and returns their
// directory. Progress goes to w.
func EnsureBinaries(ctx context.Context, repoRoot string, w io.Writer) (string, error) {
	dir, err := BinDir()
	if err != nil {
		return "", err
	}
	missing := false
	for _, c := range fabricCommands {
		if _, err := os.Stat(filepath.Join(dir, c)); err != nil {
			missing = true
		}
	}
	if !missing {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(w, "building Fabric %s binaries into %s (first time only, about a minute)…\n", FabricVersion, dir)
	args := []string{"build", "-trimpath", "-o", dir + string(os.PathSeparator)}
	for _, c := range fabricCommands {
		args = append(args, "github.com/hyperledger/fabric/cmd/"+c)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = filepath.Join(repoRoot, "network", "tools")
	cmd.Env = cleanEnv(nil)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build Fabric binaries: %w\n%s", err, out)
	}
	return dir, nil
}

// cleanEnv returns the process environment without variables that Fabric
// reads as configuration (CORE_*, ORDERER_*, FABRIC_*, CHAINCODE_*), plus extra.
func cleanEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "CORE_") || strings.HasPrefix(k, "ORDERER_") || strings.HasPrefix(k, "FABRIC_") ||
			strings.HasPrefix(k, "CHAINCODE_") || strings.HasPrefix(k, "OSNADMIN_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// RepoRoot finds the repository root (the directory holding network/tools)
// from dir upwards.
func RepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "network", "tools", "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no TierChain checkout above %s", dir)
		}
	}
}
