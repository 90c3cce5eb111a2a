package clickhouse_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	chgo "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/analyticstest"
	"github.com/interactionledger/ledger/analytics/clickhouse"
	"github.com/interactionledger/ledger/analytics/clickhouse/chtest"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// BenchmarkSinkIntoClickHouse syncs the ledger in $LEDGER_BENCH_DATA (a
// data directory, e.g. one filled by `ledger demo`) into a fresh
// ClickHouse, once per iteration, and reports events/s; then it times
// every report over that data. Without the variable it is skipped: a
// million-event ledger takes minutes to generate, so it is made once, by
// hand (see BENCHMARKS.md).
func BenchmarkSinkIntoClickHouse(b *testing.B) {
	dir := os.Getenv("LEDGER_BENCH_DATA")
	if dir == "" {
		b.Skip("set LEDGER_BENCH_DATA to a ledger data directory")
	}
	store, err := sqlite.Open(b.Context(), filepath.Join(dir, "events.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	head, _ := store.HeadPosition(b.Context())
	srv := chtest.Start(b)
	var last *analytics.Sink
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ch, err := openFresh(b, srv, i)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		last = analytics.NewSink(store, ch, analyticstest.Key)
		if err := last.Sync(b.Context(), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(head)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if last.Position() != head {
		b.Fatalf("sink at %d, head %d", last.Position(), head)
	}
}

// BenchmarkReportsOnClickHouse times each report (default grouping, the
// whole period) on a ClickHouse database already filled from
// $LEDGER_BENCH_DATA by BenchmarkSinkIntoClickHouse's first iteration: set
// LEDGER_BENCH_CLICKHOUSE to its DSN (a server you run), or leave it unset
// to sync into a throw-away server first.
func BenchmarkReportsOnClickHouse(b *testing.B) {
	dir := os.Getenv("LEDGER_BENCH_DATA")
	if dir == "" {
		b.Skip("set LEDGER_BENCH_DATA to a ledger data directory")
	}
	store, err := sqlite.Open(b.Context(), filepath.Join(dir, "events.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	srv := chtest.Start(b)
	ch, err := openFresh(b, srv, 0)
	if err != nil {
		b.Fatal(err)
	}
	if err := analytics.NewSink(store, ch, analyticstest.Key).Sync(b.Context(), nil); err != nil {
		b.Fatal(err)
	}
	rep := analytics.NewReporter(ch)
	to := time.Now().Add(24 * time.Hour)
	for _, def := range analytics.Catalogue() {
		b.Run(def.Name, func(b *testing.B) {
			req := analytics.Request{Name: def.Name, From: to.AddDate(0, 0, -60), To: to}
			for i := 0; i < b.N; i++ {
				if _, err := rep.Report(b.Context(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// openFresh opens a new, empty database on srv.
func openFresh(b *testing.B, srv *chtest.Server, i int) (*clickhouse.Backend, error) {
	name := fmt.Sprintf("bench_%d_%d", time.Now().UnixNano(), i)
	conn, err := chgo.Open(&chgo.Options{Addr: []string{strings.TrimPrefix(strings.TrimSuffix(srv.DSN(), "/default"), "clickhouse://")}})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.Exec(b.Context(), "CREATE DATABASE "+name); err != nil {
		return nil, err
	}
	backend, err := clickhouse.Open(b.Context(), strings.TrimSuffix(srv.DSN(), "default")+name)
	if err == nil {
		b.Cleanup(func() { _ = backend.Close() })
	}
	return backend, err
}
