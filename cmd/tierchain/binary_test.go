package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
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

// upOnFreeRange runs `tierchain up --dir dir --base B args…` on a free port
// range (another test binary may take one at the same moment: then it tries
// another) and returns the range's base and up's output.
func upOnFreeRange(t *testing.T, run func(args ...string) (string, error), dir string, args ...string) (int, string) {
	t.Helper()
	for try := 0; ; try++ {
		base, err := fabnettest.FreeRestartBase(1)
		if err != nil {
			t.Fatal(err)
		}
		out, err := run(append([]string{"up", "--dir", dir, "--base", strconv.Itoa(base)}, args...)...)
		if err != nil && strings.Contains(out, "in use") && try < 5 {
			continue
		}
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		return base, out
	}
}
