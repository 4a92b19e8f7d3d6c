package bearer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/bearer"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// TestStore: a token is issued once, looked up by its hash, revoked; a
// seed whose token and hash disagree is refused; nothing but the hash is
// stored.
func TestStore(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := gateway.MigrateDB(ctx, db); err != nil {
			t.Fatal(err)
		}
		ts := bearer.NewStore(db, nil)
		p := bearer.Principal{EnterpriseID: "core-1", Role: model.RoleCore, MSPID: "CoreMSP"}
		tok, err := ts.Issue(ctx, p, "ops")
		if err != nil || !strings.HasPrefix(tok, bearer.TokenPrefix) {
			t.Fatalf("issue: %q %v", tok, err)
		}
		if got, err := ts.Lookup(ctx, tok); err != nil || got != p {
			t.Fatalf("lookup: %+v %v", got, err)
		}
		var n int
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM gateway_tokens WHERE token_hash = ?`), tok).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the token itself is stored (%d rows, %v)", n, err)
		}
		if err := ts.Revoke(ctx, bearer.HashToken(tok)); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.Lookup(ctx, tok); !errors.Is(err, bearer.ErrUnknownToken) {
			t.Fatalf("revoked token: %v", err)
		}
		err = ts.Seed(ctx, []bearer.Seed{{Token: "a", SHA256: bearer.HashToken("b"), Principal: p}})
		if !errors.Is(err, bearer.ErrSeed) {
			t.Fatalf("disagreeing seed: %v", err)
		}
		if err := ts.Seed(ctx, []bearer.Seed{{SHA256: bearer.HashToken("dev"), Principal: p}}); err != nil {
			t.Fatal(err)
		}
		if got, err := ts.Lookup(ctx, "dev"); err != nil || got != p {
			t.Fatalf("seeded token: %+v %v", got, err)
		}
		if err := ts.Put(ctx, "not-hex", p, ""); err == nil {
			t.Fatal("a malformed hash was stored")
		}
	})
}
