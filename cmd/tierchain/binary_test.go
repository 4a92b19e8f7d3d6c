package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tierchainBinary builds the command into a temporary folder and returns
// that folder and a runner that runs the binary from the checkout (as
// README's commands do), logging each call and its output.
func tierchainBinary(t *testing.T) (tmp string, run func(args ...string) (string, error)) {
	t.Helper()
	tmp = t.TempDir()
	bin := filepath.Join(tmp, "tierchain")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return tmp, func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		t.Logf("tierchain %s\n%s", strings.Join(args, " "), out)
		return string(out), err
	}
}
