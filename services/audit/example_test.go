package audit_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
)

// The gateway's wiring: one Service per process over the Regulator's peer,
// with the cache in the gateway's database and the recorded reuse attempts.
// (Compiled, not run: it needs a peer.)
func ExampleService_Report() {
	ctx := context.Background()
	var (
		peer     audit.Ledger         // *fabricclient.Client on the Regulator's own peer
		auditKey *elgamal.PrivateKey  // the regulator's audit key s
		hpkeKey  *envelope.PrivateKey // the regulator's HPKE key
		db       *store.DB            // the gateway's database
		reuse    audit.ReuseSource    // the gateway's records of refused uploads
	)
	cache, err := audit.OpenCache(ctx, db, auditKey)
	if err != nil {
		panic(err)
	}
	svc, err := audit.New(audit.Config{Ledger: peer, AuditKey: auditKey, EnvelopeKey: hpkeKey, Cache: cache, Reuse: reuse})
	if err != nil {
		panic(err)
	}
	rep, err := svc.Report(ctx, time.Now())
	if err != nil {
		panic(err)
	}
	s := rep.Snapshot.Summary
	fmt.Printf("%d tokens, %d invoices: %d reconciled, %d envelope mismatches, %d unopenable, %d conservation breaks\n",
		s.Tokens, s.Invoices, s.Reconciled, s.EnvelopeMismatch, s.Unopenable, s.Breaks)
	fmt.Printf("overdue: %d tokens; HHI by core %.0f\n", len(rep.Overdue.Items), rep.Concentration.Totals[0].ByCore.HHI)

	// The CSV export, as an HTTP handler would write it.
	_ = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap, err := svc.Snapshot(r.Context())
		if err != nil {
			http.Error(w, "ledger unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_ = snap.WriteTokensCSV(w, time.Now())
	})
}
