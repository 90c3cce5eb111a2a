package clickhouse_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
		last = analytics.NewSink(store, ch, analyticstest.Key, benchSinkOptions(b)...)
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

// BenchmarkReportsOnClickHouse syncs the ledger in $LEDGER_BENCH_DATA into
// a throw-away ClickHouse, then times each report of the catalogue with its
// default grouping over the whole period the ledger's interactions span.
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
	from, to := dataPeriod(b, ch)
	rep := analytics.NewReporter(ch)
	for _, def := range analytics.Catalogue() {
		b.Run(def.Name, func(b *testing.B) {
			req := analytics.Request{Name: def.Name, From: from, To: to}
			rows := 0
			for i := 0; i < b.N; i++ {
				t, err := rep.Report(b.Context(), req)
				if err != nil {
					b.Fatal(err)
				}
				rows = len(t.Rows)
			}
			if rows == 0 {
				b.Fatalf("%s has no rows over %s..%s: the timing measures nothing", def.Name, from, to)
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// dataPeriod returns the days spanned by the interactions in ch, in UTC.
func dataPeriod(b *testing.B, ch *clickhouse.Backend) (time.Time, time.Time) {
	rows, err := ch.Query(b.Context(), "SELECT toInt64(min(started_at)), toInt64(max(started_at)) FROM fact_interactions")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var lo, hi int64
	if !rows.Next() {
		b.Fatalf("no interactions: %v", rows.Err())
	}
	if err := rows.Scan(&lo, &hi); err != nil {
		b.Fatal(err)
	}
	day := 24 * time.Hour
	return time.UnixMilli(lo).UTC().Truncate(day), time.UnixMilli(hi).UTC().Truncate(day).Add(day)
}

// benchSinkOptions reads LEDGER_BENCH_BATCH (events per batch, default
// the sink's).
func benchSinkOptions(b *testing.B) []analytics.SinkOption {
	v := os.Getenv("LEDGER_BENCH_BATCH")
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		b.Fatalf("LEDGER_BENCH_BATCH: %v", err)
	}
	return []analytics.SinkOption{analytics.WithBatchEvents(n)}
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
