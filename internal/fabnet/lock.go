package fabnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockFile takes an exclusive advisory lock on path, waiting (and calling
// waiting once) while another process holds it. The lock goes with the
// process, so a crashed holder never leaves it stuck.
func lockFile(ctx context.Context, path string, waiting func()) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !told && waiting != nil {
			waiting()
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// ErrPortsInUse reports a port range that another TierChain network on
// this machine holds, or where something else already listens.
var ErrPortsInUse = errors.New("fabnet: ports in use")

// lockPorts reserves the port range starting at base: a lock file in the
// temporary directory whose descriptor every node of the network inherits,
// so the range stays reserved exactly as long as any node lives, also after
// `tierchain up` has exited. Two networks starting at the same moment
// (parallel test binaries) can then never share a range. A holder is
// waited for up to patience: a network restarting in its own directory,
// whose recorded nodes are all gone, may find the range still held for a
// moment by a process its nodes started (the peers' chaincode builders
// inherit the descriptor too).
func lockPorts(ctx context.Context, base int, patience time.Duration) (*os.File, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("tierchain-ports-%d.lock", base))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(patience)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%w: another TierChain network holds the range from %d", ErrPortsInUse, base)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// portsFree reports the first port of l that something already listens on.
func portsFree(l Layout) error {
	for _, p := range l.AllPorts() {
		ln, err := net.Listen("tcp", l.Address(p))
		if err != nil {
			return fmt.Errorf("%w: port %d (%v); choose another port base", ErrPortsInUse, p, err)
		}
		ln.Close()
	}
	return nil
}
