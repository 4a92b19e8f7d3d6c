package idempotency

import (
	"database/sql"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestInFlightWait: the Retry-After of a 409 names when the key can be
// had: a second beside a live run, the rest of RunStaleAfter beside a run
// that stopped beating, the rest of the lock for a claim no heartbeat can
// judge.
func TestInFlightWait(t *testing.T) {
	st := &Store{run: "me"}
	const now = int64(1_000_000_000_000)
	beat := func(ago time.Duration) sql.NullInt64 {
		return sql.NullInt64{Int64: now - ago.Microseconds(), Valid: true}
	}
	run := func(r string) sql.NullString { return sql.NullString{String: r, Valid: true} }
	lock := 90 * time.Second
	for _, tc := range []struct {
		name   string
		run    sql.NullString
		beatAt sql.NullInt64
		lock   time.Duration
		want   time.Duration
	}{
		{"this run", run("me"), beat(0), lock, time.Second},
		{"a live run", run("other"), beat(RunHeartbeat), lock, time.Second},
		{"a silent run", run("other"), beat(10 * time.Second), lock, RunStaleAfter - 10*time.Second + time.Microsecond},
		{"a silent run, lock ending first", run("other"), beat(10 * time.Second), 2 * time.Second, 2 * time.Second},
		{"a run that never beat", run("other"), sql.NullInt64{}, lock, lock},
		{"a claim without a run", sql.NullString{}, sql.NullInt64{}, lock, lock},
	} {
		if got := st.inFlightWait(tc.run, tc.beatAt, now, tc.lock); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRequestHash: a key is bound to method, path, query, content type
// and body: changing any one changes the hash.
func TestRequestHash(t *testing.T) {
	base := func() (string, string, string, string, string) {
		return "POST", "/v1/x", "a=1", "application/json", `{"n":1}`
	}
	hash := func(method, path, query, ct, body string) string {
		r := httptest.NewRequest(method, path+"?"+query, strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		return RequestHash(r, []byte(body))
	}
	m, p, q, ct, b := base()
	want := hash(m, p, q, ct, b)
	if hash(m, p, q, ct, b) != want {
		t.Fatal("not deterministic")
	}
	for name, got := range map[string]string{
		"method":       hash("PUT", p, q, ct, b),
		"path":         hash(m, "/v1/y", q, ct, b),
		"query":        hash(m, p, "a=2", ct, b),
		"content type": hash(m, p, q, "text/plain", b),
		"body":         hash(m, p, q, ct, `{"n":2}`),
		// Lengths prefix each part: moving a byte across a boundary shows.
		"boundary": hash(m, "/v1/x?", "", ct, b),
	} {
		if got == want {
			t.Errorf("%s: same hash", name)
		}
	}
}
