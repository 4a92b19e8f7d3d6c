package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// MaxPeerProfileWindow bounds the CPU profile asked of a peer for one run.
const MaxPeerProfileWindow = 10 * time.Minute

// maxPeerProfileBytes bounds a peer's answer (a gzipped profile of a few
// hundred KB).
const maxPeerProfileBytes = 64 << 20

// ErrPeerProfile reports a peer profile that could not be had: a
// listener not on loopback, a peer that did not answer with a profile.
var ErrPeerProfile = errors.New("load: peer profile")

// PeerProfiles fetch each peer's CPU profile over a run from its profiling
// listener (fabnet.Options.PeerProfile: net/http/pprof on loopback). Begin
// asks every peer for /debug/pprof/profile?seconds=N, N the run's time
// bound rounded up to a second; the peers answer when N seconds have
// passed, and End waits for that and writes <name>.peer-<org>.cpu.pprof. A
// run that ends before its time bound leaves idle time in them.
type PeerProfiles struct {
	dir    string
	addrs  map[string]string // organisation → host:port
	client *http.Client
	wg     sync.WaitGroup
	mu     sync.Mutex
	got    map[string][]byte
	err    error
}

// NewPeerProfiles returns the profiles of the peers listening at addrs
// (organisation → host:port, loopback only) that write into dir (""
// or no peer: nil, which does nothing).
func NewPeerProfiles(dir string, addrs map[string]string) (*PeerProfiles, error) {
	if dir == "" || len(addrs) == 0 {
		return nil, nil
	}
	for org, a := range addrs {
		host, _, err := net.SplitHostPort(a)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("%w: peer %s listens at %q, not a loopback address", ErrPeerProfile, org, a)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// No proxy: the listeners are on this machine.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	return &PeerProfiles{dir: dir, addrs: addrs, client: client}, nil
}

// Begin asks every peer for its CPU profile over the next window (at most
// MaxPeerProfileWindow), in the background.
func (p *PeerProfiles) Begin(ctx context.Context, window time.Duration) error {
	if p == nil {
		return nil
	}
	if window <= 0 {
		return fmt.Errorf("%w: a run without a time bound has no window to profile", ErrPeerProfile)
	}
	seconds := int((min(window, MaxPeerProfileWindow) + time.Second - 1) / time.Second)
	p.got, p.err = map[string][]byte{}, nil
	for org, addr := range p.addrs {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			b, err := p.fetch(ctx, addr, seconds)
			p.mu.Lock()
			defer p.mu.Unlock()
			if err != nil {
				if p.err == nil {
					p.err = fmt.Errorf("%w: peer %s: %v", ErrPeerProfile, org, err)
				}
				return
			}
			p.got[org] = b
		}()
	}
	return nil
}

// fetch asks the listener at addr for a CPU profile of seconds; the answer
// must be one (gzip, as runtime/pprof writes it).
func (p *PeerProfiles) fetch(ctx context.Context, addr string, seconds int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(seconds)*time.Second+30*time.Second)
	defer cancel()
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxPeerProfileBytes+1))
	switch {
	case err != nil:
		return nil, err
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s: %s: %s", url, resp.Status, bytes.TrimSpace(b[:min(len(b), 200)]))
	case len(b) > maxPeerProfileBytes:
		return nil, fmt.Errorf("%s: more than %d bytes", url, maxPeerProfileBytes)
	case !bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return nil, fmt.Errorf("%s: not a gzipped profile", url)
	}
	return b, nil
}

// End waits for the peers' profiles of the run and writes them as
// <name>.peer-<org>.cpu.pprof; it returns the files written.
func (p *PeerProfiles) End(name string) ([]string, error) {
	if p == nil {
		return nil, nil
	}
	p.wg.Wait()
	var out []string
	for org, b := range p.got {
		to := filepath.Join(p.dir, fmt.Sprintf("%s.peer-%s.cpu.pprof", name, strings.ToLower(org)))
		if err := os.WriteFile(to, b, 0o644); err != nil {
			return out, err
		}
		out = append(out, to)
	}
	sort.Strings(out)
	return out, p.err
}
