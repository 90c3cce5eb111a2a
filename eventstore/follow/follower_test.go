package follow_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// openStore opens a store in dir with n events, one stream each.
func openStore(t *testing.T, dir string, n int) *sqlite.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(dir, "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	appendEvents(t, store, n)
	return store
}

func appendEvents(t *testing.T, store eventstore.Store, n int) {
	t.Helper()
	for range n {
		ev := eventstore.EventData{ID: uuid.New(), Type: "Noted", Schema: 1, Data: []byte(`{}`), Metadata: []byte(`{}`)}
		if _, err := store.Append(context.Background(), "note-"+uuid.NewString(), eventstore.NoStream, []eventstore.EventData{ev}); err != nil {
			t.Fatal(err)
		}
	}
}

// recorder is a consumer that remembers the positions it handled and can
// be told to reject or fail on some.
type recorder struct {
	mu      sync.Mutex
	seen    []uint64
	reject  uint64 // a poison event
	failFor int    // fail this many batches first
	fails   int
}

func (r *recorder) Handle(_ context.Context, events []eventstore.RecordedEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fails < r.failFor {
		r.fails++
		return errors.New("transient failure")
	}
	// A batch takes effect whole or not at all, as with a transaction.
	for _, e := range events {
		if e.Position == r.reject {
			return follow.Poison(e.Position, errors.New("this build cannot handle it"))
		}
	}
	for _, e := range events {
		r.seen = append(r.seen, e.Position)
	}
	return nil
}

func (r *recorder) positions() []uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

func newFollower(t *testing.T, store eventstore.Store, c follow.Consumer[eventstore.RecordedEvent], cp follow.Checkpoint, reg prometheus.Registerer, log *slog.Logger) *follow.Follower[eventstore.RecordedEvent] {
	t.Helper()
	m, err := follow.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "test", Store: store, Source: follow.Recorded, Consumer: c, Checkpoint: cp, Delivery: follow.AtLeastOnce,
		Metrics: m, Logger: log, PageSize: 7, Backoff: fastBackoff,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func fastBackoff() backoffPolicy { return &constant{d: 5 * time.Millisecond} }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func seq[N int | uint64](from, to N) []uint64 {
	var out []uint64
	for p := uint64(from); p <= uint64(to); p++ {
		out = append(out, p)
	}
	return out
}

func TestCatchUpThenLiveNeverSkipsOrRepeats(t *testing.T) {
	store := openStore(t, t.TempDir(), 30)
	rec := &recorder{}
	cp := &follow.MemoryCheckpoint{}
	f := newFollower(t, store, rec, cp, nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitFor(t, "catch-up", func() bool { return f.Position() == 30 })
	appendEvents(t, store, 12)
	waitFor(t, "live events", func() bool { return f.Position() == 42 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after ctx ended: %v", err)
	}
	if got := rec.positions(); !slices.Equal(got, seq(1, 42)) {
		t.Fatalf("handled %v, want 1..42 once each, in order", got)
	}
	if pos, found, _ := cp.Load(context.Background()); !found || pos != 42 {
		t.Fatalf("checkpoint %d (found %v), want 42", pos, found)
	}
}

func TestTransientFailuresAreRetriedFromTheCheckpoint(t *testing.T) {
	store := openStore(t, t.TempDir(), 20)
	reg := prometheus.NewRegistry()
	rec := &recorder{failFor: 3}
	f := newFollower(t, store, rec, &follow.MemoryCheckpoint{}, reg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = f.Run(ctx) }()
	waitFor(t, "all events after the retries", func() bool { return f.Position() == 20 })
	if got := rec.positions(); !slices.Equal(got, seq(1, 20)) {
		t.Fatalf("handled %v, want 1..20 once each", got)
	}
	if n := metricValue(t, reg, "ledger_follower_errors_total"); n != 3 {
		t.Fatalf("ledger_follower_errors_total = %v, want 3", n)
	}
}

func TestPoisonEventHaltsAndIsNeverSkipped(t *testing.T) {
	store := openStore(t, t.TempDir(), 20)
	reg := prometheus.NewRegistry()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))
	cp := &follow.MemoryCheckpoint{}
	rec := &recorder{reject: 13}
	f := newFollower(t, store, rec, cp, reg, log)

	err := f.Run(context.Background())
	var halt *follow.HaltError
	if !errors.As(err, &halt) || halt.Position != 13 {
		t.Fatalf("Run = %v, want a halt at position 13", err)
	}
	if got := rec.positions(); !slices.Equal(got, seq(1, len(got))) || len(got) >= 13 {
		t.Fatalf("handled %v before the halt, want 1..n with n < 13", got)
	}
	if pos, _, _ := cp.Load(context.Background()); pos >= 13 {
		t.Fatalf("checkpoint %d moved past the poison event", pos)
	}
	if v := metricValue(t, reg, "ledger_follower_halted_position"); v != 13 {
		t.Fatalf("ledger_follower_halted_position = %v, want 13", v)
	}
	if s := logs.String(); !strings.Contains(s, "position=13") || !strings.Contains(s, "this build cannot handle it") {
		t.Fatalf("the log does not name the position and the reason:\n%s", s)
	}

	// Halted again, on the same event, as long as the build cannot handle it.
	if err := f.Run(context.Background()); !errors.As(err, &halt) || halt.Position != 13 {
		t.Fatalf("second Run = %v, want the same halt", err)
	}

	// A build that handles it carries on from it.
	rec.mu.Lock()
	rec.reject = 0
	rec.mu.Unlock()
	if err := f.RunUntil(context.Background(), 20); err != nil {
		t.Fatal(err)
	}
	if got := rec.positions(); !slices.Equal(got, seq(1, 20)) {
		t.Fatalf("handled %v, want 1..20 with 13 after the fix", got)
	}
	if v := metricValue(t, reg, "ledger_follower_halted_position"); v != 0 {
		t.Fatalf("ledger_follower_halted_position = %v after the fix, want 0", v)
	}
}

func TestStartAtHeadSkipsHistoryOnTheFirstStartOnly(t *testing.T) {
	store := openStore(t, t.TempDir(), 10)
	rec := &recorder{}
	cp := &follow.MemoryCheckpoint{}
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "news", Store: store, Source: follow.Recorded, Consumer: rec, Checkpoint: cp, Delivery: follow.AtLeastOnce, StartAtHead: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.RunUntil(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	if pos, found, _ := cp.Load(context.Background()); !found || pos != 10 {
		t.Fatalf("first start saved %d (found %v), want the head 10", pos, found)
	}
	appendEvents(t, store, 5)
	if err := f.RunUntil(context.Background(), 15); err != nil {
		t.Fatal(err)
	}
	if got := rec.positions(); !slices.Equal(got, seq(11, 15)) {
		t.Fatalf("handled %v, want only the events after the first start", got)
	}
}

// flushing buffers what it handles and writes it on Flush or at the end.
type flushing struct {
	mu               sync.Mutex
	buffered, stored []uint64
	began, ended     int
	endedWith        error
}

func (c *flushing) Handle(_ context.Context, events []eventstore.LeanEvent) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range events {
		c.buffered = append(c.buffered, e.Position)
	}
	return nil
}

func (c *flushing) Flush(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stored, c.buffered = append(c.stored, c.buffered...), nil
	return nil
}

func (c *flushing) Begin(ctx context.Context) (context.Context, error) {
	c.mu.Lock()
	c.began++
	c.mu.Unlock()
	return ctx, nil
}

func (c *flushing) End(ctx context.Context, err error) error {
	c.ended++
	c.endedWith = err
	return c.Flush(ctx)
}

func (c *flushing) storedPositions() []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.stored)
}

func TestFlusherIsFlushedWhenQuietAndAtTheEnd(t *testing.T) {
	store := openStore(t, t.TempDir(), 25)
	c := &flushing{}
	f, err := follow.New(follow.Config[eventstore.LeanEvent]{
		Name: "sink", Store: store, Source: follow.Lean, Consumer: c, Checkpoint: &follow.MemoryCheckpoint{},
		Delivery: follow.AtLeastOnce, FlushAfter: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitFor(t, "a flush after the feed went quiet", func() bool { return len(c.storedPositions()) == 25 })
	appendEvents(t, store, 3)
	waitFor(t, "the live events handled", func() bool { return f.Position() == 28 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := c.storedPositions(); !slices.Equal(got, seq(1, 28)) {
		t.Fatalf("stored %v, want 1..28", got)
	}
	if c.began != 1 || c.ended != 1 {
		t.Fatalf("session began %d and ended %d times, want once each", c.began, c.ended)
	}
	if c.endedWith != nil {
		t.Fatalf("a stop ended the session with %v, want nil (stopped, not failed)", c.endedWith)
	}
}

func TestSingletonNeedsALease(t *testing.T) {
	store := openStore(t, t.TempDir(), 0)
	_, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "x", Store: store, Source: follow.Recorded, Consumer: &recorder{}, Checkpoint: &follow.MemoryCheckpoint{}, Singleton: true,
	})
	if err == nil {
		t.Fatal("a singleton without a lease was accepted")
	}
}

// metricValue reads the one series of a metric family from reg.
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range families {
		if fam.GetName() == name && len(fam.GetMetric()) == 1 {
			m := fam.GetMetric()[0]
			return m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no single series of %s", name)
	return 0
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

// poisonAt is a source that cannot read the event at one position.
type poisonAt struct {
	follow.Source[eventstore.RecordedEvent]
	bad uint64
}

func (p poisonAt) Read(ctx context.Context, after uint64, max int) ([]eventstore.RecordedEvent, error) {
	events, err := p.Source.Read(ctx, after, max)
	for i, e := range events {
		if e.Position == p.bad {
			return events[:i], follow.Poison(e.Position, errors.New("unreadable"))
		}
	}
	return events, err
}

// TestBoundedRunNeedsNothingPastItsBound: a run up to a position does not
// halt on a poison event after it, and a run up to 0 has nothing to do.
func TestBoundedRunNeedsNothingPastItsBound(t *testing.T) {
	store := openStore(t, t.TempDir(), 20)
	rec := &recorder{}
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "bounded", Store: store, Consumer: rec, Checkpoint: &follow.MemoryCheckpoint{}, Delivery: follow.AtLeastOnce, PageSize: 7,
		Source: func(s eventstore.Store) follow.Source[eventstore.RecordedEvent] {
			return poisonAt{follow.Recorded(s), 13}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.RunUntil(context.Background(), 0); err != nil || len(rec.positions()) != 0 {
		t.Fatalf("RunUntil(0) = %v after handling %v, want nil at once", err, rec.positions())
	}
	if err := f.RunUntil(context.Background(), 12); err != nil {
		t.Fatalf("RunUntil(12) with a poison event at 13 = %v", err)
	}
	if got := rec.positions(); !slices.Equal(got, seq(1, 12)) {
		t.Fatalf("handled %v, want 1..12", got)
	}
	var halt *follow.HaltError
	if err := f.RunUntil(context.Background(), 20); !errors.As(err, &halt) || halt.Position != 13 {
		t.Fatalf("RunUntil(20) = %v, want a halt at 13", err)
	}
}

// countingCheckpoint counts its saves.
type countingCheckpoint struct {
	follow.MemoryCheckpoint
	mu    sync.Mutex
	saves int
}

func (c *countingCheckpoint) Save(ctx context.Context, pos uint64) error {
	c.mu.Lock()
	c.saves++
	c.mu.Unlock()
	return c.MemoryCheckpoint.Save(ctx, pos)
}

// TestAtLeastOnceCheckpointSavedOncePerInterval: an AtLeastOnce follower
// saves its checkpoint at most once per FlushAfter while batches stream
// in, not once per batch, and saves the last batch handled when it stops.
func TestAtLeastOnceCheckpointSavedOncePerInterval(t *testing.T) {
	store := openStore(t, t.TempDir(), 200)
	cp := &countingCheckpoint{}
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "throttled", Store: store, Source: follow.Recorded, Consumer: &recorder{}, Checkpoint: cp,
		Delivery: follow.AtLeastOnce, PageSize: 7, FlushAfter: time.Hour, Backoff: fastBackoff,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitFor(t, "the backlog", func() bool { return f.Position() == 200 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after ctx ended: %v", err)
	}
	pos, found, _ := cp.Load(t.Context())
	if !found || pos != 200 {
		t.Fatalf("checkpoint after the stop = %d (found %v), want 200", pos, found)
	}
	if cp.saves > 2 { // the first batch's, and the stop's
		t.Fatalf("checkpoint saved %d times for %d batches, want at most 2", cp.saves, (200+6)/7)
	}
}

// TestFailureEpisodeIsLoggedOnceAndItsEnd: a consumer that fails many
// times in a row (a full disk) is logged at ERROR once for the episode,
// the retries at DEBUG only, and "follower resumed" once when a batch is
// handled again.
func TestFailureEpisodeIsLoggedOnceAndItsEnd(t *testing.T) {
	store := openStore(t, t.TempDir(), 20)
	rec := &recorder{failFor: 25}
	logs := &syncWriter{w: &bytes.Buffer{}}
	f := newFollower(t, store, rec, &follow.MemoryCheckpoint{}, nil, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = f.Run(ctx) }()
	waitFor(t, "all events after the retries", func() bool { return f.Position() == 20 })
	out := logs.String()
	if n := strings.Count(out, "level=ERROR"); n != 1 {
		t.Fatalf("%d ERROR lines for one episode of 25 failures, want 1:\n%s", n, out)
	}
	if n := strings.Count(out, "follower resumed"); n != 1 || !strings.Contains(out, "failed_runs=25") {
		t.Fatalf("want one \"follower resumed\" after 25 failed runs:\n%s", out)
	}
}
