package fabnet_test

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// BenchmarkBaselineMint drives the plaintext baseline (baseline:Mint to a
// fresh account each time: endorse by 3 of 4 orgs, order, validate, commit)
// from many concurrent clients through Core's gateway and reports committed
// transactions per second and latency percentiles. Run it with
// `make bench-network`; the client count is the sub-benchmark's name.
func BenchmarkBaselineMint(b *testing.B) {
	benchClients(b, func(b *testing.B, c *fabnet.Connection, clients, worker int) func(i int64) error {
		return func(i int64) error {
			_, err := c.Contract("baseline").SubmitTransaction("Mint", fmt.Sprintf("bench-%d-%d-%d", clients, b.N, i), "1")
			return err
		}
	}, nil)
}

// BenchmarkBaselineTransfer: baseline:Transfer of 1 from the client's own
// funded account to a fresh one (two keys read and written). Each client
// waits for its commit before the next transfer, so clients never conflict.
func BenchmarkBaselineTransfer(b *testing.B) {
	benchClients(b, func(b *testing.B, c *fabnet.Connection, clients, worker int) func(i int64) error {
		from := fmt.Sprintf("bench-src-%d-%d-%d", clients, b.N, worker)
		if _, err := c.Contract("baseline").SubmitTransaction("Mint", from, fmt.Sprint(b.N)); err != nil {
			b.Fatal(err)
		}
		return func(i int64) error {
			_, err := c.Contract("baseline").SubmitTransaction("Transfer", from, fmt.Sprintf("bench-dst-%d-%d-%d", clients, b.N, i), "1")
			return err
		}
	}, func(b *testing.B, clients int) {
		// Every endorser must see the funded accounts before the clock
		// starts (Core's peer committing them is not enough); the sources
		// were minted in order, so the last one seen means all are.
		waitEveryPeer(b, fabnettest.Network(), fmt.Sprintf("bench-src-%d-%d-%d", clients, b.N, clients-1), b.N)
	})
}

// benchClients runs b.N transactions from 8, 32 and 96 concurrent clients;
// setup prepares one client's transaction function and settled (if not nil)
// waits until what the setups wrote is everywhere, both untimed.
//
// Both get the sub-benchmark's b: its N is what the clients run.
func benchClients(b *testing.B, setup func(b *testing.B, c *fabnet.Connection, clients, worker int) func(i int64) error, settled func(b *testing.B, clients int)) {
	for _, clients := range []int{8, 32, 96} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			c := fabnettest.Connect(b, "Core", "User1")
			txs := make([]func(int64) error, clients)
			for w := range txs {
				txs[w] = setup(b, c, clients, w)
			}
			if settled != nil {
				settled(b, clients)
			}
			var logOnce sync.Once
			var next atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			var failed atomic.Int64
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for _, tx := range txs {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						t0 := time.Now()
						if err := tx(i); err != nil {
							failed.Add(1)
							logOnce.Do(func() { b.Logf("first failure: %v", err) })
							continue
						}
						d := time.Since(t0)
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			if len(lat) > 0 {
				b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "tx/s")
				b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
			}
			b.ReportMetric(float64(failed.Load()), "failed")
		})
	}
	for name, kb := range fabnettest.Network().PeakRSS() {
		b.Logf("peak RSS %-14s %6.1f MiB", name, float64(kb)/1024)
	}
}
