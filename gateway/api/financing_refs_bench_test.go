package api

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// slowLedger is refsLedger with a fixed wait per evaluation: a stand-in
// for the round trip to the bank's peer and its chaincode.
type slowLedger struct {
	*refsLedger
	wait time.Duration
}

func (l slowLedger) Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
	time.Sleep(l.wait)
	return l.refsLedger.Evaluate(ctx, contract, fn, args...)
}

// BenchmarkInboxPage checks the invoice numbers of one inbox page of n
// requests on pieces of m receivables (2 invoices each): each request on
// its own from the ledger (as before), the page's reads shared from the
// ledger, and the page from the read model. evals/op counts the ledger
// evaluations; "wait" adds a fixed time to each (0: the checks' own CPU).
func BenchmarkInboxPage(b *testing.B) {
	for _, size := range [][2]int{{20, 4}, {20, 20}} {
		n, m := size[0], size[1]
		w := inboxWorld(b, n, m)
		ix := w.index(b, w.enterprises, w.invoices, w.roots)
		for _, wait := range []time.Duration{0, time.Millisecond} {
			l := slowLedger{w.l, wait}
			for _, way := range []struct {
				name string
				run  func()
			}{
				{"per-request-ledger", func() { perItem(refsAPI(nil), l, w.items) }},
				{"page-ledger", func() { refsAPI(nil).checkedRefsPage(context.Background(), l, w.items) }},
				{"page-read-model", func() { refsAPI(ix).checkedRefsPage(context.Background(), l, w.items) }},
			} {
				b.Run(fmt.Sprintf("n=%d/m=%d/wait=%s/%s", n, m, wait, way.name), func(b *testing.B) {
					w.l.counted()
					for b.Loop() {
						way.run()
					}
					b.ReportMetric(float64(total(w.l.counted()))/float64(b.N), "evals/op")
				})
			}
		}
	}
}
