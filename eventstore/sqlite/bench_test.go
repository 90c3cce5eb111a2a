package sqlite_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/interactionledger/ledger/eventstore/appendbench"
)

// BenchmarkAppend measures durable appends of one event each, with v7
// event ids, with 1, 16 and 256 concurrent writers, on both workloads:
// conversations (each writer fills a stream of its own and moves to a new
// one every 10 events, the realistic case) and random (random streams
// among 10,000, the adversarial case). One benchmark op is one event.
func BenchmarkAppend(b *testing.B) {
	for _, w := range []appendbench.Workload{appendbench.WorkloadConversations, appendbench.WorkloadRandom} {
		for _, writers := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("workload=%s/writers=%d", w, writers), func(b *testing.B) {
				benchAppend(b, appendbench.Config{Writers: writers, EventsPerAppend: 1, Workload: w, Streams: 10_000})
			})
		}
	}
}

// BenchmarkAppendVariants shows what the store's cost depends on: more
// events per Append (fewer requests, bigger group commits) and random v4
// event ids (the id index written at random, as ids derived from channel
// message ids are).
func BenchmarkAppendVariants(b *testing.B) {
	variants := []struct {
		name string
		cfg  appendbench.Config
	}{
		{"writers=256/conversations/per-append=10", appendbench.Config{Writers: 256, EventsPerAppend: 10, Workload: appendbench.WorkloadConversations}},
		{"writers=256/conversations/v4-ids", appendbench.Config{Writers: 256, EventsPerAppend: 1, Workload: appendbench.WorkloadConversations, RandomIDs: true}},
		{"writers=256/random/v4-ids", appendbench.Config{Writers: 256, EventsPerAppend: 1, Workload: appendbench.WorkloadRandom, Streams: 10_000, RandomIDs: true}},
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
