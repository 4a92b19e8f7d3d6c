package fabnet_test

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// BenchmarkBaselineMint drives the plaintext baseline (baseline:Mint to a
// fresh account each time: endorse by 3 of 4 orgs, order, validate, commit)
// from many concurrent clients through Core's gateway and reports committed
// transactions per second and latency percentiles. Run it with
// `make bench-network`; -cpu sets nothing here, the client count is the
// sub-benchmark's name.
func BenchmarkBaselineMint(b *testing.B) {
	for _, clients := range []int{8, 32, 96} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			c := fabnettest.Connect(b, "Core", "User1")
			var next atomic.Int64
			var mu sync.Mutex
			var lat []time.Duration
			var failed atomic.Int64
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for w := 0; w < clients; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						t0 := time.Now()
						_, err := c.Contract("baseline").SubmitTransaction("Mint", fmt.Sprintf("bench-%d-%d-%d", clients, b.N, i), "1")
						d := time.Since(t0)
						if err != nil {
							failed.Add(1)
							continue
						}
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				}(w)
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
