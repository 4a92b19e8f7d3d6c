package gateway

import (
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/services/store/storetest"
)

// TestMeTimeZone: GET /v1/me names the platform's time zone, Asia/Shanghai
// unless configured; a zone that is not an IANA name stops the gateway.
func TestMeTimeZone(t *testing.T) {
	for _, tc := range []struct{ cfg, want string }{{"", "Asia/Shanghai"}, {"Europe/Oslo", "Europe/Oslo"}} {
		ts := newTestServer(t, nil, Config{TimeZone: tc.cfg}, Deps{})
		rec := ts.do(t, req{method: "GET", path: "/v1/me", token: "tok-core"})
		var me Me
		if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil {
			t.Fatalf("me: %v: %s", err, rec.Body)
		}
		if me.TimeZone != tc.want || me.EnterpriseID == "" {
			t.Errorf("TimeZone %q: me = %+v, want the zone %q", tc.cfg, me, tc.want)
		}
	}
	_, err := New(Config{TimeZone: "Mars/Olympus_Mons"}, Deps{DB: storetest.SQLite(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil || !strings.Contains(err.Error(), "Mars/Olympus_Mons") {
		t.Errorf("an unknown zone: %v", err)
	}
}
