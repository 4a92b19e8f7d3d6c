package consortium

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ErrDocker reports a docker or docker-compose command that failed.
var ErrDocker = errors.New("consortium: docker")

// cmdTimeout bounds every docker and docker-compose call.
const cmdTimeout = 3 * time.Minute

// composeCommand is the Compose CLI: docker-compose (v1, Debian's) if
// installed, else the docker compose plugin.
func composeCommand() []string {
	if _, err := exec.LookPath("docker-compose"); err == nil {
		return []string{"docker-compose"}
	}
	return []string{"docker", "compose"}
}

// run runs a command with a bounded time and returns its standard output;
// a failure carries its standard error.
func run(ctx context.Context, env []string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%w: %s: %v\n%s%s", ErrDocker, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// compose runs a Compose command on the consortium's project: the
// founders' docker-compose.yml and the override file of every admitted
// organisation (OverrideFile).
func (c *Consortium) compose(ctx context.Context, args ...string) ([]byte, error) {
	full := append(composeCommand(), "-p", c.Project, "-f", c.ComposeFile)
	overrides, err := filepath.Glob(filepath.Join(c.Dir, overridePattern))
	if err != nil {
		return nil, err
	}
	for _, f := range overrides {
		full = append(full, "-f", f)
	}
	env := []string{"TIERCHAIN_COMPOSE_DIR=" + c.Dir, "TIERCHAIN_COMPOSE_NETWORK=" + c.Network, "TIERCHAIN_COMPOSE_PUBLISH=" + c.Publish}
	return run(ctx, env, append(full, args...)...)
}

// container returns the ID of a service's container.
func (c *Consortium) container(ctx context.Context, service string) (string, error) {
	out, err := c.compose(ctx, "ps", "-q", service)
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(out))
	if id == "" || strings.ContainsAny(id, " \n") {
		return "", fmt.Errorf("%w: no single container for service %s (%q)", ErrDocker, service, id)
	}
	return id, nil
}

// exec runs a command inside a service's container with extra environment.
func (c *Consortium) exec(ctx context.Context, service string, env []string, args ...string) ([]byte, error) {
	id, err := c.container(ctx, service)
	if err != nil {
		return nil, err
	}
	full := []string{"docker", "exec"}
	for _, kv := range env {
		full = append(full, "-e", kv)
	}
	full = append(append(full, id), args...)
	return run(ctx, nil, full...)
}

// containerIP is a service's address on the consortium's network (it may
// change when the container restarts).
func (c *Consortium) containerIP(ctx context.Context, service string) (string, error) {
	id, err := c.container(ctx, service)
	if err != nil {
		return "", err
	}
	out, err := run(ctx, nil, "docker", "inspect", "-f", `{{(index .NetworkSettings.Networks "`+c.Network+`").IPAddress}}`, id)
	if err != nil {
		return "", err
	}
	ip := strings.TrimSpace(string(out))
	if ip == "" || ip == "<no value>" {
		return "", fmt.Errorf("%w: %s has no address on network %s", ErrDocker, service, c.Network)
	}
	return ip, nil
}
