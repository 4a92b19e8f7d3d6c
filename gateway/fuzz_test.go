package gateway

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzRequestIDHeader: whatever a client sends, an accepted ID is short,
// printable ASCII from the safe alphabet, and what the server echoes is
// either the client's ID or a generated one.
func FuzzRequestIDHeader(f *testing.F) {
	for _, s := range []string{"", "abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "a\nb", "-x", "ü", "a b", "x:y.z_1", string(make([]byte, 200))} {
		f.Add(s)
	}
	ts := newTestServer(f, nil, Config{}, Deps{})
	f.Fuzz(func(t *testing.T, id string) {
		ok := ValidRequestID(id)
		if ok {
			if len(id) == 0 || len(id) > 128 {
				t.Fatalf("accepted length %d", len(id))
			}
			for i := 0; i < len(id); i++ {
				c := id[i]
				safe := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || (i > 0 && (c == '.' || c == '_' || c == ':' || c == '-'))
				if !safe {
					t.Fatalf("accepted %q with byte %q", id, c)
				}
			}
		}
		hr := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		hr.Header[http.CanonicalHeaderKey(HeaderRequestID)] = []string{id}
		rec := httptest.NewRecorder()
		ts.Handler().ServeHTTP(rec, hr)
		got := rec.Header().Get(HeaderRequestID)
		if ok && got != id || !ok && (got == id || !ValidRequestID(got)) {
			t.Fatalf("sent %q (valid %v), echoed %q", id, ok, got)
		}
	})
}
