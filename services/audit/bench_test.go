package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// bulkLedger serves one core and n root tokens, in pages of 200, with
// amounts uniform below maxAmount and valid handles and regulator
// envelopes (dropped when noEnvelopes: every amount then takes the handle
// path).
type bulkLedger struct {
	tokens []model.TokenView
}

// ChainHeight: the bulk ledger never moves.
func (l *bulkLedger) ChainHeight(context.Context) (uint64, string, error) { return 1, "tx-1", nil }

func newBulkLedger(b *testing.B, n int, maxAmount uint64, auditKey *elgamal.PrivateKey, encKey *envelope.PrivateKey, noEnvelopes bool) *bulkLedger {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	l := &bulkLedger{}
	for i := range n {
		o := must(pedersen.NewOpening(rng.Uint64N(maxAmount), nil))
		c := o.Commitment()
		var env []byte
		if !noEnvelopes {
			env = must(envelope.Seal(encKey.Public(), o, protocol.OutputBinding(c, protocol.PurposeRegulator), nil))
		}
		id := fmt.Sprintf("t%032d", i)
		l.tokens = append(l.tokens, model.TokenView{Token: model.Token{
			ID: id, Root: id, Tier: 1, Issuer: "core", Bank: "bankA", Holder: "supplier" + strconv.Itoa(i%50),
			Commitment: c.Bytes(), Handle: elgamal.NewHandle(auditKey.Public(), o.Blinding).Bytes(), RegulatorEnvelope: env,
			Maturity: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), Status: model.TokenActive, TxID: "tx" + strconv.Itoa(i),
		}, LedgerStatus: model.TokenActive})
	}
	return l
}

func (l *bulkLedger) Evaluate(_ context.Context, _, fn string, args ...string) ([]byte, error) {
	var req model.PageRequest
	if err := json.Unmarshal([]byte(args[0]), &req); err != nil {
		return nil, err
	}
	switch fn {
	case "Enterprises":
		return json.Marshal(model.Page[model.Enterprise]{Items: []model.Enterprise{{ID: "core", Role: model.RoleCore}}})
	case "TokensByIssuer":
		start, _ := strconv.Atoi(req.Bookmark)
		end := min(start+req.PageSize, len(l.tokens))
		page := model.Page[model.TokenView]{Items: l.tokens[start:end]}
		if end < len(l.tokens) {
			page.Bookmark = strconv.Itoa(end)
		}
		return json.Marshal(page)
	default: // no invoices, no credit lines
		return json.Marshal(model.Page[struct{}]{Items: []struct{}{}})
	}
}

// BenchmarkReconcile1000 reconciles 1,000 tokens (amounts below
// 1,000,000.00, i.e. 10^8 minor units < 2^27) through Service.Snapshot,
// JSON paging included: the fast path (envelope + CheckValue), the handle
// path (no envelopes: a 40-bit baby-step giant-step each, table prebuilt)
// and a run served from a warm SQLite cache; with one worker and with two;
// and the handle path for amounts below 2^32.
// Figures in docs/audit.md.
func BenchmarkReconcile1000(b *testing.B) {
	const n, maxAmount = 1000, 100_000_000
	auditKey := must(elgamal.GenerateKey(nil))
	encKey := must(envelope.GenerateKey(nil))
	withEnvelopes := newBulkLedger(b, n, maxAmount, auditKey, encKey, false)
	without := newBulkLedger(b, n, maxAmount, auditKey, encKey, true)
	if _, err := elgamal.SharedDLogTable(audit.DefaultDLogBits); err != nil { // built once per process, as in the service
		b.Fatal(err)
	}
	run := func(b *testing.B, l audit.Ledger, workers int, cache *audit.Cache, want audit.Status) {
		svc := must(audit.New(audit.Config{Ledger: l, AuditKey: auditKey, EnvelopeKey: encKey, Workers: workers, Cache: cache,
			Logger: slog.New(slog.DiscardHandler)}))
		if cache != nil { // warm it
			must(svc.Snapshot(context.Background()))
		}
		for b.Loop() {
			snap := must(svc.Snapshot(context.Background()))
			if snap.Tokens[n-1].Amount.Status != want {
				b.Fatalf("status %s", snap.Tokens[n-1].Amount.Status)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/n, "µs/token")
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("fast/workers=%d", workers), func(b *testing.B) { run(b, withEnvelopes, workers, nil, audit.Reconciled) })
		b.Run(fmt.Sprintf("handle/workers=%d", workers), func(b *testing.B) { run(b, without, workers, nil, audit.EnvelopeMismatch) })
	}
	// The handle path's cost grows with the amount (√v giant steps, in
	// chunks of 256): amounts below 2^32 (42,949,672.96 in cents).
	large := newBulkLedger(b, n, 1<<32, auditKey, encKey, true)
	b.Run("handle-below-2^32/workers=2", func(b *testing.B) { run(b, large, 2, nil, audit.EnvelopeMismatch) })
	b.Run("cached/sqlite", func(b *testing.B) {
		cache := must(audit.OpenCache(context.Background(), storetest.SQLite(b), auditKey))
		run(b, withEnvelopes, 2, cache, audit.Reconciled)
	})
}
