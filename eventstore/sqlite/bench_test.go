package sqlite_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/interactionledger/ledger/eventstore/appendbench"
)

// BenchmarkAppend measures durable appends of one event each, to random
// streams among 10,000, with 1, 16 and 256 concurrent writers. One
// benchmark op is one event.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := openTemp(b)
			cfg := appendbench.Config{Writers: writers, Events: b.N, EventsPerAppend: 1, Streams: 10_000}
			b.ResetTimer()
			res, err := appendbench.Run(context.Background(), s, cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(res.EventsPerSecond, "events/s")
			b.ReportMetric(float64(res.Latency.P50.Microseconds()), "p50-µs")
			b.ReportMetric(float64(res.Latency.P99.Microseconds()), "p99-µs")
		})
	}
}
