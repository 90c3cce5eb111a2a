package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/interactionledger/ledger/eventstore"
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

// WithCacheLimit bounds the entities the sink keeps folded in memory
// (default 500,000); past it the cache is dropped and entities are folded
// again from their streams as their events arrive.
func WithCacheLimit(n int) SinkOption { return func(s *Sink) { s.maxKeep = n } }

// NewSink returns a sink from store into backend. key is the secret that
// pseudonymises customer ids (LoadOrCreateKey).
func NewSink(store eventstore.Store, backend Backend, key []byte, opts ...SinkOption) *Sink {
	s := &Sink{
		store: store, backend: backend, log: slog.Default(), name: DefaultSinkName,
		pseudo: newPseudonymizer(key), batchEvents: 100_000, flushEvery: 500 * time.Millisecond,
		pageSize: 8192, maxKeep: 500_000,
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

// Run writes facts until ctx ends (then it returns nil, after writing what
// it had folded) or a write fails (then it returns the error; the next Run
// starts again from the checkpoint). It catches up, then follows live
// appends.
func (s *Sink) Run(ctx context.Context) error {
	return s.run(ctx, 0, nil)
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
	return s.run(ctx, head, progress)
}

// run is Run (stopAt 0) and Sync (stop once stopAt is written).
//
// Folding and writing overlap: the loop folds the next batch while a
// writer goroutine sends the last one (the back end's work, ClickHouse's
// especially, then runs beside the fold instead of after it). Batches are
// still written one at a time and in order, each followed by its
// checkpoint, so a crash leaves the same state as without the overlap.
func (s *Sink) run(ctx context.Context, stopAt uint64, progress func(done, head uint64)) error {
	if err := s.backend.Setup(ctx); err != nil {
		return fmt.Errorf("analytics sink: %w", err)
	}
	from, err := s.backend.Checkpoint(ctx, s.name)
	if err != nil {
		return fmt.Errorf("analytics sink: %w", err)
	}
	s.publish(from)
	if stopAt > 0 && from >= stopAt {
		return nil
	}
	s.log.Info("analytics sink starting", "from", from, "until", stopAt)
	feedCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := s.feed(feedCtx, from, stopAt)
	f := newFolder(s.loadStream, s.pseudo, s.maxKeep, s.batchEvents)
	w := s.startWriter(ctx, stopAt, progress)
	var flushC <-chan time.Time
	for {
		if ctx.Err() != nil { // before select, which picks among ready cases at random
			return s.stop(ctx, w, f, stopAt)
		}
		select {
		case p, ok := <-pages:
			if !ok {
				if ctx.Err() != nil {
					return s.stop(ctx, w, f, stopAt)
				}
				return w.finish(w.send(f))
			}
			if p.err != nil {
				return w.abort(p.err)
			}
			if err := s.applyPage(ctx, f, w, p.events); err != nil {
				return w.abort(err)
			}
			if f.pending() == 0 {
				flushC = nil
			} else if flushC == nil && stopAt == 0 {
				flushC = time.After(s.flushEvery)
			}
		case <-flushC:
			flushC = nil
			if err := w.send(f); err != nil {
				return w.abort(err)
			}
		case err := <-w.failed:
			return w.abort(err)
		case <-ctx.Done():
			return s.stop(ctx, w, f, stopAt)
		}
	}
}

// stop ends a run whose ctx ended: it writes what was folded (the events
// are applied, only their rows are missing, and the next start would fold
// them again), giving the writer 10 s in all, even when the back end hangs.
// Run returns nil; a Sync that did not reach its end returns ctx's error.
func (s *Sink) stop(ctx context.Context, w *batchWriter, f *folder, stopAt uint64) error {
	limit := time.AfterFunc(10*time.Second, w.cancel)
	defer limit.Stop()
	if err := w.finish(w.send(f)); err != nil {
		s.log.Warn("analytics sink: final write failed; the next start writes it again", "err", err)
	}
	if stopAt > 0 && s.Position() < stopAt {
		return fmt.Errorf("analytics sync stopped at %d of %d: %w", s.Position(), stopAt, ctx.Err())
	}
	return nil
}

// applyPage folds a page, handing a batch to the writer each time
// batchEvents are pending.
func (s *Sink) applyPage(ctx context.Context, f *folder, w *batchWriter, events []eventstore.LeanEvent) error {
	for _, e := range events {
		if err := f.apply(ctx, e); err != nil {
			return err
		}
		if f.pending() >= s.batchEvents {
			if err := w.send(f); err != nil {
				return err
			}
		}
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
}

// startWriter starts the writer. Its writes are not cancelled with ctx, so
// that the last batch is still written when the sink is stopped; finish
// and abort bound and cancel them.
func (s *Sink) startWriter(ctx context.Context, stopAt uint64, progress func(done, head uint64)) *batchWriter {
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w := &batchWriter{s: s, queue: make(chan *Batch, 1), failed: make(chan error, 1), done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(w.done)
		for b := range w.queue {
			if w.err != nil {
				continue // drain: nothing after a failed batch may be written
			}
			if err := s.write(wctx, b, stopAt, progress); err != nil {
				w.err = err
				w.failed <- err
			}
		}
	}()
	return w
}

// send hands the folded rows to the writer, waiting while it is busy with
// an earlier batch and one more is queued.
func (w *batchWriter) send(f *folder) error {
	if f.pending() == 0 {
		return nil
	}
	select {
	case w.queue <- f.flush():
		return nil
	case err := <-w.failed:
		w.failed <- err // finish and abort read it again
		return err
	}
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

// page is one read of the feed.
type page struct {
	events []eventstore.LeanEvent
	err    error
}

// feed reads $all after from in pages: with the store's bulk reader while
// catching up, then from a live subscription (unless stopAt, when not 0,
// is reached first). The channel closes after stopAt or when ctx ends.
func (s *Sink) feed(ctx context.Context, from, stopAt uint64) <-chan page {
	out := make(chan page, 4)
	go func() {
		defer close(out)
		send := func(p page) bool {
			select {
			case out <- p:
				return p.err == nil
			case <-ctx.Done():
				return false
			}
		}
		after, ok := s.catchUp(ctx, from, stopAt, send)
		if !ok || stopAt > 0 && after >= stopAt {
			return
		}
		s.follow(ctx, after, stopAt, send)
	}()
	return out
}

func (s *Sink) catchUp(ctx context.Context, after, stopAt uint64, send func(page) bool) (uint64, bool) {
	bulk, ok := s.store.(eventstore.BulkReader)
	if !ok {
		return after, true
	}
	for stopAt == 0 || after < stopAt {
		events, err := bulk.ReadAllLean(ctx, after, s.pageSize, nil)
		if err != nil {
			return after, send(page{err: fmt.Errorf("analytics sink: read after %d: %w", after, err)})
		}
		events = truncate(events, stopAt)
		if len(events) == 0 {
			return after, true
		}
		after = events[len(events)-1].Position
		if !send(page{events: events}) {
			return after, false
		}
	}
	return after, true
}

func (s *Sink) follow(ctx context.Context, after, stopAt uint64, send func(page) bool) {
	sub := s.store.SubscribeAll(ctx, after)
	defer sub.Close()
	for stopAt == 0 || after < stopAt {
		recs, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				send(page{err: fmt.Errorf("analytics sink: subscription after %d: %w", after, err)})
			}
			return
		}
		events := make([]eventstore.LeanEvent, len(recs))
		for i, r := range recs {
			events[i] = r.Lean()
		}
		events = truncate(events, stopAt)
		if len(events) == 0 {
			return
		}
		after = events[len(events)-1].Position
		if !send(page{events: events}) {
			return
		}
	}
}

// truncate drops the events after stopAt (0: none).
func truncate(events []eventstore.LeanEvent, stopAt uint64) []eventstore.LeanEvent {
	if stopAt == 0 {
		return events
	}
	for i, e := range events {
		if e.Position > stopAt {
			return events[:i]
		}
	}
	return events
}
