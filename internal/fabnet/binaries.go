package fabnet

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
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
//
// Several test binaries may start networks at once on a fresh machine: one
// file lock next to the cache makes them wait for a single build, and the
// binaries are built into a temporary directory and renamed into place, so
// an interrupted build never leaves a truncated binary that looks cached.
func EnsureBinaries(ctx context.Context, repoRoot string, w io.Writer) (string, error) {
	dir, err := BinDir()
	if err != nil {
		return "", err
	}
	if binariesPresent(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, ".build.lock"), func() {
		fmt.Fprintf(w, "waiting for another process building the Fabric binaries into %s…\n", dir)
	})
	if err != nil {
		return "", err
	}
	defer unlock()
	if binariesPresent(dir) { // built while we waited
		return dir, nil
	}
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(w, "building Fabric %s binaries (%s) into %s: first time only: 1.5 to 3 minutes on two idle cores, longer on a busy machine…\n",
		FabricVersion, strings.Join(fabricCommands, ", "), dir)
	start := time.Now()
	args := []string{"build", "-trimpath", "-o", tmp + string(os.PathSeparator)}
	for _, c := range fabricCommands {
		args = append(args, "github.com/hyperledger/fabric/cmd/"+c)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = filepath.Join(repoRoot, "network", "tools")
	cmd.Env = cleanEnv(nil)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build Fabric binaries: %w\n%s", err, out)
	}
	for _, c := range fabricCommands {
		if err := os.Rename(filepath.Join(tmp, c), filepath.Join(dir, c)); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(w, "Fabric binaries built in %s\n", time.Since(start).Round(time.Second))
	return dir, nil
}

func binariesPresent(dir string) bool {
	for _, c := range fabricCommands {
		if st, err := os.Stat(filepath.Join(dir, c)); err != nil || st.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
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
