package analytics

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// DefaultSinkName is the checkpoint name of the ledger's analytics sink.
const DefaultSinkName = "facts"

// Sink is the analytics projection: it reads the ledger's $all feed from
// its checkpoint, folds events into fact rows and writes them to a Backend
// in batches, each batch followed by (or, where the back end has
// transactions, committed with) the checkpoint. Exactly once in effect:
// a batch written again after a crash or an outage rewrites the same
// snapshot rows, which readers collapse (see schema.go).
type Sink struct {
	store   eventstore.Store
	backend Backend
	log     *slog.Logger
	name    string
	pseudo  *pseudonymizer

	batchEvents int
	flushEvery  time.Duration
	pageSize    int
	maxKeep     int

	lease   follow.Lease
	metrics *follow.Metrics

	position atomic.Uint64
	notifier eventstore.Notifier
}

// SinkOption configures a Sink.
type SinkOption func(*Sink)

// WithBatchEvents bounds the events folded into one write (default
// 100,000): large batches are what make ClickHouse inserts cheap.
func WithBatchEvents(n int) SinkOption { return func(s *Sink) { s.batchEvents = max(1, n) } }

// WithFlushInterval bounds how long a live event waits before its batch is
// written (default 500ms).
func WithFlushInterval(d time.Duration) SinkOption { return func(s *Sink) { s.flushEvery = d } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) SinkOption { return func(s *Sink) { s.log = l } }

// WithSinkName sets the checkpoint name (default DefaultSinkName).
func WithSinkName(name string) SinkOption { return func(s *Sink) { s.name = name } }

// WithLease makes the sink a singleton: it writes only while it holds the
// lease, so of several nodes one writes the facts.
func WithLease(l follow.Lease) SinkOption { return func(s *Sink) { s.lease = l } }

// WithFollowerMetrics sets the metrics of the sink's follower.
func WithFollowerMetrics(m *follow.Metrics) SinkOption { return func(s *Sink) { s.metrics = m } }

// WithCacheLimit bounds the entities the sink keeps folded in memory
// (default DefaultCacheLimit); past it those changed longest ago are
// dropped and folded again from their streams when their events arrive.
func WithCacheLimit(n int) SinkOption { return func(s *Sink) { s.maxKeep = n } }

// Cache budgets, in entities (interactions, tickets, QA reviews, customers
// and contacts). An entity takes about 1 KiB on the heap, a QA review with
// its evidence several. DefaultCacheLimit suits a sync of a whole ledger,
// which touches every entity once and ends; LiveCacheLimit suits a sink
// that follows the ledger for months, where only the entities still in
// play are touched again and the budget is what it keeps for good.
const (
	DefaultCacheLimit = 500_000
	LiveCacheLimit    = 20_000
)

// NewSink returns a sink from store into backend. key is the secret that
// pseudonymises customer ids (LoadOrCreateKey).
func NewSink(store eventstore.Store, backend Backend, key []byte, opts ...SinkOption) *Sink {
	s := &Sink{
		store: store, backend: backend, log: slog.Default(), name: DefaultSinkName,
		pseudo: newPseudonymizer(key), batchEvents: 100_000, flushEvery: 500 * time.Millisecond,
		pageSize: 8192, maxKeep: DefaultCacheLimit,
	}
	for _, o := range opts {
		o(s)
	}
	s.log = s.log.With("component", "analytics-sink")
	return s
}

// Position returns the $all position the sink has written up to.
func (s *Sink) Position() uint64 { return s.position.Load() }

// WaitFor blocks until the sink has written position, or ctx ends.
func (s *Sink) WaitFor(ctx context.Context, position uint64) error {
	for {
		changed := s.notifier.C()
		if s.position.Load() >= position {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for analytics position %d (at %d): %w", position, s.position.Load(), ctx.Err())
		}
	}
}

// Run writes facts until ctx ends (then it returns nil, after writing
// what it had folded) or an event halts it (*follow.HaltError). It
// catches up, then follows live appends; a failed write is retried from
// the checkpoint with backoff. With WithLease, it runs only while it
// holds the lease: one node of many writes the facts.
func (s *Sink) Run(ctx context.Context) error {
	return s.follower(0, nil).Run(ctx)
}

// RunOnce is Run without the retries: it returns the first failure.
func (s *Sink) RunOnce(ctx context.Context) error {
	return s.follower(0, nil).RunOnce(ctx)
}

// Sync writes facts up to the ledger's head as it is when Sync starts,
// then returns. progress, if not nil, is called after each batch with the
// position written and the head.
func (s *Sink) Sync(ctx context.Context, progress func(done, head uint64)) error {
	head, err := s.store.HeadPosition(ctx)
	if err != nil {
		return fmt.Errorf("analytics sync: head position: %w", err)
	}
	if head == 0 {
		if err := s.backend.Setup(ctx); err != nil {
			return fmt.Errorf("analytics sync: %w", err)
		}
		return nil
	}
	if err := s.follower(head, progress).RunUntil(ctx, head); err != nil {
		return err
	}
	if s.Position() < head {
		return fmt.Errorf("analytics sync stopped at %d of %d: %w", s.Position(), head, context.Cause(ctx))
	}
	return nil
}

// follower runs the sink (stopAt 0) or a sync up to stopAt.
//
// Folding and writing overlap: the follower hands pages to the fold while
// a writer goroutine sends the last batch (the back end's work,
// ClickHouse's especially, then runs beside the fold instead of after
// it). Batches are still written one at a time and in order, each
// followed by its checkpoint, so a crash leaves the same state as without
// the overlap.
func (s *Sink) follower(stopAt uint64, progress func(done, head uint64)) *follow.Follower[eventstore.LeanEvent] {
	run := &sinkRun{s: s, stopAt: stopAt, progress: progress}
	f, err := follow.New(follow.Config[eventstore.LeanEvent]{
		Name: "analytics-sink", Store: s.store, Source: follow.Lean, Consumer: run,
		Checkpoint: follow.CheckpointFuncs{LoadFunc: run.loadCheckpoint}, Delivery: follow.ExactlyOnce,
		Singleton: s.lease != nil, Lease: s.lease, Metrics: s.metrics, Logger: s.log,
		PageSize: s.pageSize, FlushAfter: s.flushEvery, StopTimeout: 10 * time.Second, Backoff: sinkBackoff,
	})
	if err != nil {
		panic(err) // the configuration above is complete
	}
	return f
}

// sinkBackoff waits between failed runs while the back end is unreachable
// or a write fails, up to 30 s.
func sinkBackoff() backoff.BackOff {
	return &backoff.ExponentialBackOff{InitialInterval: 500 * time.Millisecond, RandomizationFactor: 0.2, Multiplier: 2, MaxInterval: 30 * time.Second}
}

// sinkRun is one run of the sink as the follower's consumer.
type sinkRun struct {
	s        *Sink
	stopAt   uint64
	progress func(done, head uint64)
	fold     *folder
	writer   *batchWriter
	stopped  func() bool // whether the run was stopped (its ctx ended)
}

// Begin sets the back end up and starts the writer; a failed write ends
// the run through the returned context.
func (r *sinkRun) Begin(ctx context.Context) (context.Context, error) {
	if err := r.s.backend.Setup(ctx); err != nil {
		return nil, fmt.Errorf("analytics sink: %w", err)
	}
	runCtx, fail := context.WithCancelCause(ctx)
	r.stopped = func() bool { return ctx.Err() != nil }
	r.fold = newFolder(r.s.loadStream, r.s.loadContacts, r.s.pseudo, r.s.maxKeep, r.s.batchEvents)
	r.writer = r.s.startWriter(ctx, r.stopAt, r.progress, fail)
	return runCtx, nil
}

func (r *sinkRun) loadCheckpoint(ctx context.Context) (uint64, bool, error) {
	from, err := r.s.backend.Checkpoint(ctx, r.s.name)
	if err != nil {
		return 0, false, fmt.Errorf("analytics sink: %w", err)
	}
	r.s.publish(from)
	// The back end holds every contact started up to the checkpoint.
	r.fold.contacts.forget(from)
	r.fold.seenAll = from == 0
	r.s.log.Info("analytics sink starting", "from", from, "until", r.stopAt)
	return from, true, nil
}

// Handle folds a page, handing a batch to the writer each time
// batchEvents are pending.
func (r *sinkRun) Handle(ctx context.Context, events []eventstore.LeanEvent) error {
	for _, e := range events {
		if err := r.fold.apply(ctx, e); err != nil {
			return err
		}
		if r.fold.pending() >= r.s.batchEvents {
			if err := r.writer.send(ctx, r.fold); err != nil {
				return err
			}
		}
	}
	return nil
}

// Flush hands what is folded to the writer: the feed has been quiet.
func (r *sinkRun) Flush(ctx context.Context) error { return r.writer.send(ctx, r.fold) }

// End writes what was folded when the run ended well or was stopped (the
// events are applied, only their rows are missing, and the next start
// would fold them again), within the follower's stop timeout even when
// the back end hangs; after a failure it drops it.
func (r *sinkRun) End(ctx context.Context, err error) error {
	if err != nil {
		return r.writer.abort(err)
	}
	if r.stopped() {
		stop := context.AfterFunc(ctx, r.writer.cancel)
		defer stop()
	}
	if err := r.writer.finish(r.writer.send(ctx, r.fold)); err != nil {
		r.s.log.Warn("analytics sink: final write failed; the next start writes it again", "err", err)
		return err
	}
	return nil
}

// batchWriter writes the batches the fold hands it, one at a time, in
// order, on its own goroutine.
type batchWriter struct {
	s      *Sink
	queue  chan *Batch
	failed chan error // the first write error, once
	done   chan struct{}
	err    error // set before done closes
	cancel context.CancelFunc
	// failedCtx ends when the writer stops: its cause is the write error
	// after a failed write.
	failedCtx context.Context
}

// startWriter starts the writer. Its writes are not cancelled with ctx, so
// that the last batch is still written when the sink is stopped; finish
// and abort bound and cancel them.
func (s *Sink) startWriter(ctx context.Context, stopAt uint64, progress func(done, head uint64), fail context.CancelCauseFunc) *batchWriter {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	failedCtx, failedCancel := context.WithCancelCause(context.Background())
	w := &batchWriter{s: s, queue: make(chan *Batch, 1), failed: make(chan error, 1), done: make(chan struct{}), cancel: cancel,
		failedCtx: failedCtx}
	go func() {
		defer close(w.done)
		defer failedCancel(nil)
		for b := range w.queue {
			if w.err != nil {
				continue // drain: nothing after a failed batch may be written
			}
			if err := s.write(wctx, b, stopAt, progress); err != nil {
				w.err = err
				w.failed <- err
				failedCancel(err)
				fail(err)
			}
		}
	}()
	return w
}

// send hands the folded rows to the writer, waiting while it is busy with
// an earlier batch and one more is queued.
func (w *batchWriter) send(ctx context.Context, f *folder) error {
	if f.pending() == 0 {
		return nil
	}
	b, err := w.flush(ctx, f)
	if err != nil {
		return err
	}
	select {
	case w.queue <- b:
		return nil
	case err := <-w.failed:
		w.failed <- err // finish and abort read it again
		return err
	}
}

// flush folds the batch, which may wait for the writer (the contacts it
// links are read back once the batches before are written): a write that
// fails meanwhile ends the wait with its error, rather than leaving the
// fold waiting for a position the writer will never reach.
func (w *batchWriter) flush(ctx context.Context, f *folder) (*Batch, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(w.failedCtx, func() { cancel(context.Cause(w.failedCtx)) })
	defer stop()
	b, err := f.flush(ctx)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
			return nil, cause
		}
		return nil, err
	}
	return b, nil
}

// finish waits for the queued batches to be written and returns the
// first error: err, else the writer's.
func (w *batchWriter) finish(err error) error {
	close(w.queue)
	<-w.done
	w.cancel()
	if err != nil {
		return err
	}
	return w.err
}

// abort stops the writer (an error elsewhere ended the run) and returns
// err.
func (w *batchWriter) abort(err error) error {
	w.cancel()
	close(w.queue)
	<-w.done
	return err
}

// write writes one batch and its checkpoint, then publishes the position.
func (s *Sink) write(ctx context.Context, b *Batch, stopAt uint64, progress func(done, head uint64)) error {
	start := time.Now()
	if err := writeBatch(ctx, s.backend, s.name, b); err != nil {
		return fmt.Errorf("analytics sink: write batch ending at %d: %w", b.Position, err)
	}
	s.log.Debug("analytics batch written", "events", b.Events, "position", b.Position, "took", time.Since(start))
	s.publish(b.Position)
	if progress != nil {
		progress(b.Position, stopAt)
	}
	return nil
}

func (s *Sink) publish(pos uint64) {
	s.position.Store(pos)
	s.notifier.Notify()
}

// loadStream reads the events of stream with position < before.
func (s *Sink) loadStream(ctx context.Context, stream string, before uint64) ([]eventstore.RecordedEvent, error) {
	var out []eventstore.RecordedEvent
	for from := int64(0); ; {
		page, err := s.store.ReadStream(ctx, stream, from, 512)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			if r.Position >= before {
				return out, nil
			}
			out = append(out, r)
		}
		if len(page) < 512 {
			return out, nil
		}
		from = page[len(page)-1].Version + 1
	}
}
