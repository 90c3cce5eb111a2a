package clickhouse_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	chgo "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/analyticstest"
	"github.com/interactionledger/ledger/analytics/clickhouse"
	"github.com/interactionledger/ledger/analytics/clickhouse/chtest"
	"github.com/interactionledger/ledger/analytics/embedded"
	"github.com/interactionledger/ledger/eventstore"
)

func openClickHouse(t *testing.T, srv *chtest.Server) *clickhouse.Backend {
	t.Helper()
	b, err := clickhouse.Open(t.Context(), srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// reference loads store into a fresh embedded back end: the numbers every
// ClickHouse run must reproduce.
func reference(t *testing.T, store eventstore.Store) analytics.Reporter {
	t.Helper()
	b, err := embedded.Open(t.Context(), filepath.Join(t.TempDir(), embedded.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	if err := analytics.NewSink(store, b, analyticstest.Key).Sync(t.Context(), nil); err != nil {
		t.Fatalf("embedded sync: %v", err)
	}
	return analytics.NewReporter(b)
}

func assertSame(t *testing.T, store eventstore.Store, ch analytics.Backend) {
	t.Helper()
	if n := analyticstest.AssertSameReports(t, reference(t, store), analytics.NewReporter(ch)); n < 30 {
		t.Fatalf("only %d report tables had rows: the comparison proves little", n)
	}
}

// TestBothBackEndsGiveTheSameNumbers loads one generated ledger into
// ClickHouse and into the embedded back end and compares every report,
// grouped every way, in two time zones, filtered and with options.
func TestBothBackEndsGiveTheSameNumbers(t *testing.T) {
	srv := chtest.Start(t)
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 60, Interactions: 300, Seed: 11})
	ch := openClickHouse(t, srv)
	if err := analytics.NewSink(store, ch, analyticstest.Key, analytics.WithBatchEvents(700)).Sync(t.Context(), nil); err != nil {
		t.Fatalf("clickhouse sync: %v", err)
	}
	assertSame(t, store, ch)
}

// crashingBackend fails the n-th Insert of the whole run, after the
// inserts before it reached ClickHouse: a sink process dying in the middle
// of a batch, between the rows and the checkpoint.
type crashingBackend struct {
	analytics.Backend
	inserts atomic.Int64
	failAt  int64
}

var errCrash = errors.New("simulated crash in the middle of a batch")

func (c *crashingBackend) Begin(ctx context.Context) (analytics.Writer, error) {
	w, err := c.Backend.Begin(ctx)
	return &crashingWriter{Writer: w, c: c}, err
}

type crashingWriter struct {
	analytics.Writer
	c *crashingBackend
}

func (w *crashingWriter) Insert(ctx context.Context, rows *analytics.Columns) error {
	if w.c.inserts.Add(1) == w.c.failAt {
		return errCrash
	}
	return w.Writer.Insert(ctx, rows)
}

// TestSinkRestartInTheMiddleOfABatch kills the sink (a new Sink each time,
// with no memory of the last) in the middle of batches, at several
// points, until it has caught up; the reports must count every event once.
func TestSinkRestartInTheMiddleOfABatch(t *testing.T) {
	srv := chtest.Start(t)
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 50, Interactions: 250, Seed: 5})
	ch := openClickHouse(t, srv)
	head, _ := store.HeadPosition(t.Context())
	crashes := 0
	for failAt := int64(3); ; failAt += 4 {
		cb := &crashingBackend{Backend: ch, failAt: failAt}
		err := analytics.NewSink(store, cb, analyticstest.Key, analytics.WithBatchEvents(400)).Sync(t.Context(), nil)
		if err == nil {
			break
		}
		if !errors.Is(err, errCrash) {
			t.Fatalf("sync: %v", err)
		}
		crashes++
		if crashes > 100 {
			t.Fatal("the sink never caught up")
		}
	}
	cp, err := ch.Checkpoint(t.Context(), analytics.DefaultSinkName)
	if err != nil || cp != head {
		t.Fatalf("checkpoint %d (%v), want the head %d", cp, err, head)
	}
	if crashes < 3 {
		t.Fatalf("only %d crashes: the test did not interrupt batches", crashes)
	}
	assertSame(t, store, ch)
}

// TestClickHouseKilledMidStream runs the sink live while traffic is
// appended, kills ClickHouse with SIGKILL in the middle, keeps appending
// (the ledger does not depend on ClickHouse), restarts it, and checks the
// sink catches up and every report equals the embedded back end's.
func TestClickHouseKilledMidStream(t *testing.T) {
	srv := chtest.Start(t)
	ch := openClickHouse(t, srv)
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 30, Interactions: 60, Seed: 21})

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sink, failures, wg := runLiveSink(ctx, store, ch)
	more := func(seed uint64, start time.Time) { appendMore(t, store, seed, start) }
	more(22, time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC))
	srv.Kill()
	more(23, time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC))
	srv.Restart()
	more(24, time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC))

	head, _ := store.HeadPosition(t.Context())
	wait, cancelWait := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelWait()
	if err := sink.WaitFor(wait, head); err != nil {
		t.Fatalf("sink did not catch up after the restart: %v", err)
	}
	cancel()
	wg.Wait()
	if failures.Load() == 0 {
		t.Fatal("the sink never noticed ClickHouse was down: the test did not exercise the outage")
	}
	assertSame(t, store, ch)
}

// TestClickHouseStoppedMidStream is issue #17's SIGSTOP drill: ClickHouse
// stops answering (SIGSTOP) while traffic is appended; the ledger goes on,
// the sink waits without writing past what ClickHouse took, and once the
// server continues (SIGCONT) it catches up: every report equals the
// embedded back end's, nothing counted twice, nothing missing.
func TestClickHouseStoppedMidStream(t *testing.T) {
	srv := chtest.Start(t)
	ch := openClickHouse(t, srv)
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 30, Interactions: 60, Seed: 31})

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sink, _, wg := runLiveSink(ctx, store, ch)
	more := func(seed uint64, start time.Time) { appendMore(t, store, seed, start) }
	head, _ := store.HeadPosition(t.Context())
	wait, cancelWait := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelWait()
	if err := sink.WaitFor(wait, head); err != nil {
		t.Fatalf("sink did not catch up before the stop: %v", err)
	}
	srv.Pause()
	more(32, time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)) // the ledger does not wait for ClickHouse
	time.Sleep(time.Second)
	paused, _ := store.HeadPosition(t.Context())
	if got := sink.Position(); got >= paused {
		srv.Resume()
		t.Fatalf("the sink reached %d of %d while ClickHouse was stopped", got, paused)
	}
	srv.Resume()
	more(33, time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC))
	head, _ = store.HeadPosition(t.Context())
	if err := sink.WaitFor(wait, head); err != nil {
		t.Fatalf("sink did not catch up after SIGCONT: %v", err)
	}
	cancel()
	wg.Wait()
	assertSame(t, store, ch)
}

// runLiveSink runs a sink into ch until ctx ends, retrying each failed run
// after a short pause; failures counts them. Wait on wg after ending ctx.
func runLiveSink(ctx context.Context, store eventstore.Store, ch analytics.Backend) (*analytics.Sink, *atomic.Int64, *sync.WaitGroup) {
	sink := analytics.NewSink(store, ch, analyticstest.Key, analytics.WithBatchEvents(200), analytics.WithFlushInterval(20*time.Millisecond))
	failures := new(atomic.Int64)
	wg := new(sync.WaitGroup)
	wg.Go(func() {
		for ctx.Err() == nil {
			if err := sink.RunOnce(ctx); err != nil {
				failures.Add(1)
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
			}
		}
	})
	return sink, failures, wg
}

// appendMore appends 80 more generated contacts over four days from start.
func appendMore(t *testing.T, store eventstore.Store, seed uint64, start time.Time) {
	t.Helper()
	cfg := analyticstest.Config{Customers: 30, Interactions: 80, Seed: seed, Start: start, Span: 4 * 24 * time.Hour}
	if err := analyticstest.Generate(t.Context(), store, cfg); err != nil {
		t.Fatalf("append seed %d: %v", seed, err)
	}
}

// TestLargeBatchRoundTrips writes one batch large enough for the writer to
// reserve its string columns' room up front (presize), with empty, ASCII
// and Chinese values, and reads every value back.
func TestLargeBatchRoundTrips(t *testing.T) {
	srv := chtest.Start(t)
	ch := openClickHouse(t, srv)
	if err := ch.Setup(t.Context()); err != nil {
		t.Fatal(err)
	}
	const n = 5000
	rows := analytics.NewColumns(analytics.EventsTable)
	want := make([]string, n)
	for i := range n {
		want[i] = strings.Repeat("客服", i%3) + strings.Repeat("x", i%7) + strconv.Itoa(i%5)
		if i%11 == 0 {
			want[i] = ""
		}
		rows.Row().I(int64(i + 1)).I(int64(i)).S("MessageReceived").S("interaction").S(want[i]).
			S("WECHAT").S("customer").I(int64(i * 3)).S("").I(int64(i + 1)).End()
	}
	w, err := ch.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Insert(t.Context(), rows); err != nil {
		t.Fatal(err)
	}
	got, err := ch.Query(t.Context(), "SELECT position, entity_id, customer_key FROM fact_events ORDER BY position")
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	i := 0
	for ; got.Next(); i++ {
		var pos, key int64
		var entity string
		if err := got.Scan(&pos, &entity, &key); err != nil {
			t.Fatal(err)
		}
		if i >= n || pos != int64(i+1) || entity != want[i] || key != int64(i*3) {
			t.Fatalf("row %d: (%d, %q, %d), want (%d, %q, %d)", i, pos, entity, key, i+1, want[min(i, n-1)], i*3)
		}
	}
	if err := got.Err(); err != nil || i != n {
		t.Fatalf("read %d rows (%v), want %d", i, err, n)
	}
}

// TestLinkedContactsAcrossCrashes loads a ledger with the edge contacts
// (analyticstest.EdgeContacts) into ClickHouse with crashes in the middle
// of batches, a cache small enough that the sink reads contacts back, and
// the later edge contacts appended after a sync, so links to contacts
// written by an earlier sink are made from fact_customer_contacts; every
// report must equal the embedded back end's, loaded in one go.
func TestLinkedContactsAcrossCrashes(t *testing.T) {
	srv := chtest.Start(t)
	ctx := t.Context()
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 40, Interactions: 200, Seed: 9})
	edges := analyticstest.EdgeContacts()
	if err := analyticstest.AppendEdgeContacts(ctx, store, edges[:analyticstest.FirstEdgeContacts]); err != nil {
		t.Fatal(err)
	}
	ch := openClickHouse(t, srv)
	crashes := syncWithCrashes(t, store, ch)
	if err := analyticstest.AppendEdgeContacts(ctx, store, edges[analyticstest.FirstEdgeContacts:]); err != nil {
		t.Fatal(err)
	}
	crashes += syncWithCrashes(t, store, ch)
	if crashes < 3 {
		t.Fatalf("only %d crashes: the test did not interrupt batches", crashes)
	}
	assertSame(t, store, ch)
}

// syncWithCrashes syncs store into ch with a new sink after each crash
// (each run gets a few inserts further), and returns how many there were.
func syncWithCrashes(t *testing.T, store eventstore.Store, ch analytics.Backend) int {
	t.Helper()
	for crashes := 0; crashes <= 100; crashes++ {
		cb := &crashingBackend{Backend: ch, failAt: int64(3 + 5*crashes)}
		err := analytics.NewSink(store, cb, analyticstest.Key, analytics.WithBatchEvents(150), analytics.WithCacheLimit(80)).Sync(t.Context(), nil)
		if err == nil {
			return crashes
		}
		if !errors.Is(err, errCrash) {
			t.Fatalf("sync: %v", err)
		}
	}
	t.Fatal("the sink never caught up")
	return 0
}

// TestSetupResyncsTablesOfAnotherSchema: tables written by another version
// of the sink (here: from before the schema was versioned, fact_interactions
// without its link columns) are dropped by Setup with the checkpoints, so
// the sink writes them again from the start; tables of the current
// version keep their rows.
func TestSetupResyncsTablesOfAnotherSchema(t *testing.T) {
	srv := chtest.Start(t)
	ctx := t.Context()
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 10, Interactions: 30, Seed: 6})
	ch := openClickHouse(t, srv)
	if err := analytics.NewSink(store, ch, analyticstest.Key).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	head, _ := store.HeadPosition(ctx)
	if err := ch.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if cp, err := ch.Checkpoint(ctx, analytics.DefaultSinkName); err != nil || cp != head {
		t.Fatalf("checkpoint %d (%v) after setting up the same schema again, want %d", cp, err, head)
	}
	conn, err := chgo.Open(&chgo.Options{Addr: []string{strings.TrimPrefix(strings.TrimSuffix(srv.DSN(), "/default"), "clickhouse://")}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, stmt := range []string{
		"DROP TABLE analytics_schema",
		"DROP TABLE fact_interactions",
		"CREATE TABLE fact_interactions (interaction_id String, customer_key Int64, version Int64) ENGINE = ReplacingMergeTree(version) ORDER BY interaction_id",
	} {
		if err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := ch.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if cp, err := ch.Checkpoint(ctx, analytics.DefaultSinkName); err != nil || cp != 0 {
		t.Fatalf("checkpoint %d (%v) after setting up over an older schema, want 0", cp, err)
	}
	var events uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM fact_events").Scan(&events); err != nil || events != 0 {
		t.Fatalf("%d event rows (%v) kept from the older schema", events, err)
	}
	if err := analytics.NewSink(store, ch, analyticstest.Key).Sync(ctx, nil); err != nil {
		t.Fatalf("resync: %v", err)
	}
	assertSame(t, store, ch)
}

// TestTemplateUsageKnownAnswers loads a generated ledger and the template
// contacts (analyticstest.TemplateContacts) into ClickHouse with crashes
// in the middle of batches (so template uses are written more than once),
// and checks template_usage and closing_summaries against the numbers
// worked out by hand, and every report against the embedded back end.
func TestTemplateUsageKnownAnswers(t *testing.T) {
	srv := chtest.Start(t)
	ctx := t.Context()
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 30, Interactions: 120, Seed: 13})
	if err := analyticstest.AppendTemplateContacts(ctx, store); err != nil {
		t.Fatal(err)
	}
	ch := openClickHouse(t, srv)
	if crashes := syncWithCrashes(t, store, ch); crashes < 3 {
		t.Fatalf("only %d crashes: the test did not interrupt batches", crashes)
	}
	analyticstest.AssertTemplateUsageAnswers(t, analytics.NewReporter(ch))
	assertSame(t, store, ch)
}
