package projections

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// benchEvents is the size of the generated ledger BenchmarkRebuild
// replays: LEDGER_BENCH_EVENTS, default one million.
func benchEvents(b *testing.B) int {
	if s := os.Getenv("LEDGER_BENCH_EVENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("LEDGER_BENCH_EVENTS=%q: want a positive number", s)
		}
		return n
	}
	return 1_000_000
}

// benchLedgerVersion changes whenever the generator (or the store's file
// format) does, so a stale cached ledger is not reused.
const benchLedgerVersion = 2

// benchLedger returns the path of an event store holding a generated
// ledger of about n events. Generating it takes a while, so it is kept in
// the temporary directory and reused by later runs.
func benchLedger(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("ledger-projections-bench-v%d-%d.db", benchLedgerVersion, n))
	ctx := context.Background()
	if usableLedger(ctx, path) {
		return path
	}
	tmp := path + ".partial"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	store, err := sqlite.Open(ctx, tmp, sqlite.WithLogger(quietLogger))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	g, err := appendGenerated(ctx, store, 1, n, 256)
	if err != nil {
		b.Fatal(err)
	}
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d events in %v: %v", g.events, time.Since(start).Round(time.Second), g.counts)
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// usableLedger reports whether path holds a ledger this build's store reads.
func usableLedger(ctx context.Context, path string) bool {
	if _, err := os.Stat(path); err != nil {
		return false
	}
	store, err := sqlite.Open(ctx, path, sqlite.WithLogger(quietLogger))
	if err != nil {
		return false
	}
	defer store.Close()
	page, err := store.ReadAll(ctx, 0, 100)
	return err == nil && len(page) == 100
}

// BenchmarkRebuild replays a generated ledger (LEDGER_BENCH_EVENTS events,
// default 1,000,000; messages are most of them) into every standard read
// model with Runner.Rebuild, and reports events per second.
//
//	go test -run '^$' -bench BenchmarkRebuild -benchtime 1x ./projections/
func BenchmarkRebuild(b *testing.B) {
	n := benchEvents(b)
	path := benchLedger(b, n)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path, sqlite.WithLogger(quietLogger))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	head, err := store.HeadPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	db, err := OpenReadDB(ctx, filepath.Join(b.TempDir(), "read.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	logger := quietLogger
	if os.Getenv("LEDGER_BENCH_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	r := NewRunner(store, db, logger, Standard()...)
	cpu := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if err := r.Rebuild(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
	events := float64(head) * float64(b.N)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	// CPU time per event (both cores, user and system) varies less than
	// wall time on a shared machine.
	b.ReportMetric(float64(cpuTime()-cpu)/events, "cpu-ns/event")
}

// cpuTime returns the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCatchUp catches a new read database up with the generated
// ledger through Run, batch by batch, with the bulk load switched off:
// the path of a node that is behind by less than bulkCatchUpEvents, and of
// every live batch. It reports events per second.
//
//	LEDGER_BENCH_EVENTS=200000 go test -run '^$' -bench BenchmarkCatchUp -benchtime 1x ./projections/
func BenchmarkCatchUp(b *testing.B) {
	path := benchLedger(b, benchEvents(b))
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path, sqlite.WithLogger(quietLogger))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	head, err := store.HeadPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	cpu := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db, err := OpenReadDB(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("read-%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		r := NewRunner(store, db, quietLogger, Standard()...)
		r.bulkThreshold = ^uint64(0)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		b.StartTimer()
		go func() { done <- r.Run(runCtx) }()
		if err := r.WaitFor(ctx, head); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		db.Close()
		b.StartTimer()
	}
	events := float64(head) * float64(b.N)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpuTime()-cpu)/events, "cpu-ns/event")
}
