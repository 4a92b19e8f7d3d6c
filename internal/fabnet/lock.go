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
	if err := flock(ctx, f, -1, 500*time.Millisecond, waiting); err != nil {
		f.Close()
		if !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("lock %s: %w", path, err)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

// errLockHeld: flock's patience ran out while another process held the lock.
var errLockHeld = errors.New("lock held")

// flock takes an exclusive advisory lock on f, trying again every poll
// while another process holds it (calling waiting, if set, once when it
// first has to wait), until ctx ends or, with patience ≥ 0, patience has
// passed (errLockHeld).
func flock(ctx context.Context, f *os.File, patience, poll time.Duration, waiting func()) error {
	deadline := time.Now().Add(patience)
	for told := false; ; told = true {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil || !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if patience >= 0 && time.Now().After(deadline) {
			return errLockHeld
		}
		if !told && waiting != nil {
			waiting()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
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
	if err := flock(ctx, f, patience, 100*time.Millisecond, nil); err != nil {
		f.Close()
		if errors.Is(err, errLockHeld) {
			return nil, fmt.Errorf("%w: another TierChain network holds the range from %d", ErrPortsInUse, base)
		}
		return nil, err
	}
	return f, nil
}

// portsFree reports the first address of l's nodes (each on its
// organisation's own host) that something already listens on.
func portsFree(l Layout) error { return AddressesFree(l.ListenAddresses()) }

// AddressesFree reports the first host:port of addrs that cannot be bound
// (ErrPortsInUse).
func AddressesFree(addrs []string) error {
	for _, a := range addrs {
		ln, err := net.Listen("tcp", a)
		if err != nil {
			return fmt.Errorf("%w: %s (%v); choose another port base", ErrPortsInUse, a, err)
		}
		ln.Close()
	}
	return nil
}
