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
			benchAppend(b, appendbench.Config{Writers: writers, EventsPerAppend: 1, Streams: 10_000})
		})
	}
}

// BenchmarkAppendVariants shows what the store's cost depends on: more
// events per Append (fewer requests, bigger group commits) and
// time-ordered event ids (the id index is appended to instead of written
// at random).
func BenchmarkAppendVariants(b *testing.B) {
	variants := []struct {
		name string
		cfg  appendbench.Config
	}{
		{"writers=256/per-append=10", appendbench.Config{Writers: 256, EventsPerAppend: 10, Streams: 10_000}},
		{"writers=256/v7-ids", appendbench.Config{Writers: 256, EventsPerAppend: 1, Streams: 10_000, TimeOrderedIDs: true}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) { benchAppend(b, v.cfg) })
	}
}

func benchAppend(b *testing.B, cfg appendbench.Config) {
	s := openTemp(b)
	cfg.Events = b.N
	b.ResetTimer()
	res, err := appendbench.Run(context.Background(), s, cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(res.EventsPerSecond, "events/s")
	b.ReportMetric(float64(res.Latency.P50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(res.Latency.P99.Microseconds()), "p99-µs")
}
