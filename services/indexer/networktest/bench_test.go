package networktest

import (
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/services/store/storetest"
)

// BenchmarkCatchUp measures how fast a new read model catches up with a
// real ledger: every event's records are read from the peer with Evaluate.
// The ledger gets at least catchUpInvoices invoice registrations (8
// submitters at a time) once; each iteration indexes the whole ledger
// into a fresh SQLite database.
//
//	go test -run '^$' -bench CatchUp -benchtime 3x ./services/indexer/networktest/
func BenchmarkCatchUp(b *testing.B) {
	w := members(b)
	w.register(b)
	fillLedger(b, w)
	txs := w.committed()
	applied := 0
	for b.Loop() {
		f := follow(b, storetest.SQLite(b), w, w.operator.ledger, nil)
		for _, tx := range txs {
			f.waitApplied(b, tx)
		}
		f.stop(b)
		applied += len(txs)
	}
	b.ReportMetric(float64(applied)/b.Elapsed().Seconds(), "events/s")
}

const catchUpInvoices = 120

var fillOnce sync.Once

func fillLedger(b *testing.B, w *world) {
	fillOnce.Do(func() {
		due := time.Now().UTC().AddDate(0, 3, 0).Truncate(time.Second)
		amount := openings(b, 1000)[0]
		var wg sync.WaitGroup
		next := make(chan struct{})
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				for range next {
					if _, _, err := w.tryRegisterInvoice(b.Context(), w.tier1, due, amount); err != nil {
						errs <- err
						for range next {
						}
						return
					}
				}
			})
		}
		for range catchUpInvoices {
			next <- struct{}{}
		}
		close(next)
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	})
}
