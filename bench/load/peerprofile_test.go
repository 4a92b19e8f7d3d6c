package load

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePeer serves /debug/pprof/profile as a peer's listener does: a
// gzipped body after the seconds asked (here at once, recording them).
func fakePeer(t *testing.T, body []byte, status int, asked *seconds) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/debug/pprof/profile" {
			http.NotFound(w, r)
			return
		}
		asked.mu.Lock()
		asked.s = append(asked.s, r.URL.Query().Get("seconds"))
		asked.mu.Unlock()
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// seconds records what the fake peers were asked.
type seconds struct {
	mu sync.Mutex
	s  []string
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.Bytes()
}

// Begin asks each peer for the run's window, rounded up to a second and
// bounded; End writes each answer as <name>.peer-<org>.cpu.pprof.
func TestPeerProfilesFetched(t *testing.T) {
	if p, err := NewPeerProfiles("", map[string]string{"Core": "127.0.0.1:1"}); p != nil || err != nil {
		t.Fatalf("no directory: %v %v", p, err)
	}
	var asked seconds
	core, bank := gzipped(t, "core"), gzipped(t, "bank")
	dir := filepath.Join(t.TempDir(), "profiles")
	p, err := NewPeerProfiles(dir, map[string]string{"Core": fakePeer(t, core, 200, &asked), "BankA": fakePeer(t, bank, 200, &asked)})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Begin(t.Context(), 1500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	files, err := p.End("split-64")
	want := []string{filepath.Join(dir, "split-64.peer-banka.cpu.pprof"), filepath.Join(dir, "split-64.peer-core.cpu.pprof")}
	if err != nil || !slices.Equal(files, want) {
		t.Fatalf("End: %v %v, want %v", files, err, want)
	}
	for i, b := range [][]byte{bank, core} {
		if got, err := os.ReadFile(want[i]); err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: %q %v", want[i], got, err)
		}
	}
	if !slices.Equal(asked.s, []string{"2", "2"}) {
		t.Errorf("seconds asked %v, want 2 each", asked.s)
	}
	asked.s = nil
	if err := p.Begin(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := p.End("long"); err != nil || !slices.Equal(asked.s, []string{"600", "600"}) {
		t.Errorf("an hour's run: seconds asked %v (%v), want the bound", asked.s, err)
	}
}

// A listener off loopback is refused; a peer that answers with no profile
// is ErrPeerProfile, and the others' profiles are still written.
func TestPeerProfilesRefused(t *testing.T) {
	for _, a := range []string{"10.0.0.1:6060", "example.com:6060", "6060", "[::ffff:8.8.8.8]:1"} {
		if _, err := NewPeerProfiles(t.TempDir(), map[string]string{"Core": a}); !errors.Is(err, ErrPeerProfile) {
			t.Errorf("%s: %v, want ErrPeerProfile", a, err)
		}
	}
	var asked seconds
	dir := t.TempDir()
	for name, peer := range map[string]string{
		"error page": fakePeer(t, []byte("profile: cpu profiling already in use"), 500, &asked),
		"not gzip":   fakePeer(t, []byte("hello"), 200, &asked),
	} {
		p, err := NewPeerProfiles(dir, map[string]string{"Core": peer, "BankA": fakePeer(t, gzipped(t, "ok"), 200, &asked)})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Begin(t.Context(), 0); !errors.Is(err, ErrPeerProfile) {
			t.Errorf("%s: a run without a time bound: %v", name, err)
		}
		if err := p.Begin(t.Context(), time.Second); err != nil {
			t.Fatal(err)
		}
		files, err := p.End(strings.ReplaceAll(name, " ", "-"))
		if !errors.Is(err, ErrPeerProfile) || len(files) != 1 || !strings.HasSuffix(files[0], ".peer-banka.cpu.pprof") {
			t.Errorf("%s: %v %v", name, files, err)
		}
	}
}
