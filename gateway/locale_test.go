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

// TestProblemTitleInChinese: the renderer writes the problem's title in
// the caller's language; the code stays the same.
func TestProblemTitleInChinese(t *testing.T) {
	ts := newTestServer(t, nil, Config{}, Deps{})
	for accept, title := range map[string]string{"zh-CN,zh;q=0.9": "未登录或令牌无效", "": "Unauthorized", "en-US": "Unauthorized"} {
		rec := ts.do(t, req{method: "GET", path: "/v1/me", token: "no-such-token", header: map[string]string{"Accept-Language": accept}})
		var p struct{ Title, Code string }
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if rec.Code != 401 || p.Title != title || p.Code != "UNAUTHENTICATED" || !strings.Contains(rec.Header().Get("Vary"), "Accept-Language") {
			t.Errorf("Accept-Language %q: %d %+v %v, want the title %q", accept, rec.Code, p, rec.Header(), title)
		}
	}
}
