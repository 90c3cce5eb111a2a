package follow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/interactionledger/ledger/eventstore"
)

// Consumer handles the events a follower reads, in position order.
// Handle's error ends the run: the follower retries from the checkpoint
// with backoff, or halts when the error is Poison.
type Consumer[E any] interface {
	Handle(ctx context.Context, events []E) error
}

// Session is a consumer with work of its own beside Handle (timers,
// delivery lanes, a writer). Begin starts it for one run and returns the
// context the run goes on under: when the consumer's own work fails, it
// cancels that context with the cause, and the follower ends the run with
// it. End is called once the run is over (after the last Handle; err is
// what ended it; nil when ctx ended or a bounded run reached its end),
// with a context of its own bounded by Config.StopTimeout, to write what
// the consumer holds and release what it took.
type Session interface {
	Begin(ctx context.Context) (context.Context, error)
	End(ctx context.Context, err error) error
}

// Flusher is a consumer that buffers effects to write them in bulk: Flush
// is called once the feed has been quiet for Config.FlushAfter after a
// Handle.
type Flusher interface {
	Flush(ctx context.Context) error
}

// Config configures a Follower. Zero values pick the defaults named.
type Config[E any] struct {
	// Name labels the follower's metrics and logs, and names its lease.
	Name     string
	Store    eventstore.Store
	Source   NewSource[E]
	Consumer Consumer[E]
	// Checkpoint and Delivery: see Delivery.
	Checkpoint Checkpoint
	Delivery   Delivery
	// StartAtHead makes a first start (no checkpoint yet) begin at the
	// ledger's head, saved at once: what happened before the consumer was
	// enabled is history, not news. Otherwise it begins at the start.
	StartAtHead bool
	// Singleton followers run only while they hold Lease.
	Singleton bool
	Lease     Lease
	Metrics   *Metrics
	Logger    *slog.Logger
	// PageSize is the most events one read returns (default 512);
	// ReadAhead how many pages are read ahead of the consumer (default 4);
	// MaxBatch the most events one Handle gets (default PageSize).
	PageSize, ReadAhead, MaxBatch int
	// FlushAfter: see Flusher, and how often an AtLeastOnce follower
	// saves its checkpoint (default 1 s).
	FlushAfter time.Duration
	// StopTimeout bounds Session.End (default 10 s).
	StopTimeout time.Duration
	// Backoff makes the wait policy between failed runs (default
	// exponential from 100 ms to 30 s, with jitter, without end).
	Backoff func() backoff.BackOff
	// OnError, when set, is told of every failure (retried or halting)
	// before the follower acts on it: for a consumer's own metrics.
	OnError func(err error)
}

// Follower runs one consumer of $all; see the package documentation.
type Follower[E any] struct {
	cfg      Config[E]
	log      *slog.Logger
	m        followerMetrics
	position atomic.Uint64
	head     atomic.Uint64
	notifier eventstore.Notifier
	// failures counts the failed runs since the last handled batch: an
	// episode (a full disk, a database away) is logged when it starts,
	// again every failureRelog while it lasts, and when it ends, not at
	// every retry.
	failures  atomic.Int64
	lastNoted atomic.Int64 // unix nanoseconds of the last failure logged at ERROR
	runBegan  atomic.Int64 // unix nanoseconds the current run began
}

// settledRun is how long a run of a consumer that buffers (see buffers)
// must go on before a flush counts as the end of a failure episode: its
// writes may be asynchronous and fail after the flush returned.
const settledRun = 10 * time.Second

// failureRelog is how often a failure episode that goes on is logged
// again at ERROR.
const failureRelog = 5 * time.Minute

// New returns a follower; it reads nothing until Run.
func New[E any](cfg Config[E]) (*Follower[E], error) {
	switch {
	case cfg.Name == "" || cfg.Store == nil || cfg.Source == nil || cfg.Consumer == nil || cfg.Checkpoint == nil:
		return nil, errors.New("follow: a follower needs a name, a store, a source, a consumer and a checkpoint")
	case cfg.Singleton && cfg.Lease == nil:
		return nil, fmt.Errorf("follow: singleton follower %s needs a lease", cfg.Name)
	}
	setDefault(&cfg.PageSize, 512)
	setDefault(&cfg.ReadAhead, 4)
	setDefault(&cfg.MaxBatch, cfg.PageSize)
	setDefault(&cfg.FlushAfter, time.Second)
	setDefault(&cfg.StopTimeout, 10*time.Second)
	if cfg.Backoff == nil {
		cfg.Backoff = defaultBackoff
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Follower[E]{cfg: cfg, log: log.With("follower", cfg.Name), m: cfg.Metrics.of(cfg.Name)}, nil
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

func defaultBackoff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = 100*time.Millisecond, 30*time.Second
	return b
}

// Name returns the follower's name.
func (f *Follower[E]) Name() string { return f.cfg.Name }

// Position returns the position of the last event the consumer handled.
func (f *Follower[E]) Position() uint64 { return f.position.Load() }

// WaitFor blocks until the consumer has handled position, or ctx ends.
func (f *Follower[E]) WaitFor(ctx context.Context, position uint64) error {
	for {
		changed := f.notifier.C() // before the check: see eventstore.Notifier
		if f.position.Load() >= position {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%s: wait for position %d (at %d): %w", f.cfg.Name, position, f.position.Load(), ctx.Err())
		}
	}
}

// Run follows the ledger until ctx ends (then it returns nil) or an event
// halts it (then it returns the *HaltError). Any other failure is logged,
// counted and retried from the checkpoint with backoff. A singleton first
// waits for its lease, and gives it up when it stops.
func (f *Follower[E]) Run(ctx context.Context) error {
	wait := f.cfg.Backoff()
	for {
		before, began := f.position.Load(), time.Now()
		err := f.runOnce(ctx, 0)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrRestart) {
			f.log.Warn("follower starting over from its checkpoint", "err", err)
			continue
		}
		if halt := f.halted(err); halt != nil {
			return halt
		}
		f.failed(err)
		if time.Since(began) > healthyRun {
			f.noteProgress() // it ran well for a while: the episode before is over
		}
		if f.position.Load() != before || time.Since(began) > healthyRun {
			wait.Reset() // it made progress, or ran well for a while: a new failure
		}
		next := wait.NextBackOff()
		if next == backoff.Stop {
			return fmt.Errorf("%s: giving up: %w", f.cfg.Name, err)
		}
		f.noteFailure(err, next)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(next):
		}
	}
}

// noteFailure logs a failed run: at ERROR when it starts an episode or
// the last such log is failureRelog old, else at DEBUG.
func (f *Follower[E]) noteFailure(err error, retryIn time.Duration) {
	n := f.failures.Add(1)
	now := time.Now()
	if n > 1 && now.Sub(time.Unix(0, f.lastNoted.Load())) < failureRelog {
		f.log.Debug("follower failed again; retrying from its checkpoint", "err", err, "retry_in", retryIn, "failures", n)
		return
	}
	f.lastNoted.Store(now.UnixNano())
	f.log.Error("follower failed; retrying from its checkpoint", "err", err, "retry_in", retryIn, "failures", n)
}

// noteProgress ends a failure episode once a batch is handled again.
func (f *Follower[E]) noteProgress() {
	if n := f.failures.Swap(0); n > 0 {
		f.log.Warn("follower resumed", "failed_runs", n)
	}
}

// RunOnce is Run without the retries: it returns nil when ctx ends, the
// *HaltError of a poison event, or the first failure.
func (f *Follower[E]) RunOnce(ctx context.Context) error {
	for {
		err := f.runOnce(ctx, 0)
		switch {
		case ctx.Err() != nil || err == nil:
			return nil
		case errors.Is(err, ErrRestart):
			continue
		}
		if halt := f.halted(err); halt != nil {
			return halt
		}
		f.failed(err)
		return err
	}
}

// healthyRun is how long a run must last for its failure to count as a
// new one, not as the next of a series (backoff starts over).
const healthyRun = time.Minute

// RunUntil handles the events up to position until, then returns nil;
// it makes one attempt, returning the error that ended it (a *HaltError
// for a poison event), or ctx's error when ctx ended first. There is
// nothing to handle up to 0: RunUntil(ctx, 0) returns nil at once.
func (f *Follower[E]) RunUntil(ctx context.Context, until uint64) error {
	if until == 0 {
		return nil
	}
	err := f.runOnce(ctx, until)
	if halt := f.halted(err); halt != nil {
		return halt
	}
	if err != nil {
		f.failed(err)
		return err
	}
	if f.position.Load() < until {
		if ctx.Err() != nil {
			return fmt.Errorf("%s stopped at %d of %d: %w", f.cfg.Name, f.position.Load(), until, ctx.Err())
		}
	}
	return nil
}

// halted turns a poison error into the follower's halt: logged, counted
// and shown in ledger_follower_halted_position.
func (f *Follower[E]) halted(err error) *HaltError {
	var poison *PoisonError
	if !errors.As(err, &poison) {
		return nil
	}
	f.failed(err)
	f.m.halted.Set(float64(poison.Position))
	f.log.Error("follower halted on an event it cannot handle; it will not skip it, and carries on from it once a build that handles it runs",
		"position", poison.Position, "reason", poison.Err)
	return &HaltError{Follower: f.cfg.Name, Position: poison.Position, Err: err}
}

// failed counts a failure and tells OnError.
func (f *Follower[E]) failed(err error) {
	f.m.errors.Inc()
	if f.cfg.OnError != nil {
		f.cfg.OnError(err)
	}
}

// runOnce is one run: take the lease, load the checkpoint, feed the
// consumer until ctx ends, the bounded feed ends, or a failure.
func (f *Follower[E]) runOnce(ctx context.Context, until uint64) (err error) {
	f.runBegan.Store(time.Now().UnixNano())
	if f.cfg.Singleton {
		held, release, err := f.cfg.Lease.Acquire(ctx, f.cfg.Name)
		if err != nil {
			return fmt.Errorf("%s: %w", f.cfg.Name, err)
		}
		defer release()
		f.m.leader.Set(1)
		defer f.m.leader.Set(0)
		f.log.Info("follower holds its lease")
		ctx = held
	}
	runCtx := ctx
	if s, ok := f.cfg.Consumer.(Session); ok {
		if runCtx, err = s.Begin(ctx); err != nil {
			return fmt.Errorf("%s: begin: %w", f.cfg.Name, err)
		}
		defer func() { err = f.end(ctx, s, err) }()
	}
	from, err := f.start(runCtx)
	if err != nil {
		return err
	}
	f.m.halted.Set(0)
	if until > 0 && from >= until {
		return nil
	}
	return f.feed(runCtx, from, until)
}

// end calls the session's End, bounded in time, and keeps the first
// error.
func (f *Follower[E]) end(ctx context.Context, s Session, err error) error {
	endCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.cfg.StopTimeout)
	defer cancel()
	ended := err
	if ctx.Err() != nil {
		ended = nil // stopped, not failed: the session writes what it holds
	}
	endErr := s.End(endCtx, ended)
	if err != nil || ctx.Err() != nil {
		if endErr != nil {
			level := slog.LevelWarn
			if f.failures.Load() > 0 {
				level = slog.LevelDebug // the failure episode is logged already
			}
			f.log.Log(ctx, level, "follower's consumer did not end cleanly", "err", endErr)
		}
		return err
	}
	return endErr
}

// start loads the checkpoint (a first start with StartAtHead saves the
// head) and publishes it.
func (f *Follower[E]) start(ctx context.Context) (uint64, error) {
	from, found, err := f.cfg.Checkpoint.Load(ctx)
	if err != nil {
		return 0, fmt.Errorf("%s: load checkpoint: %w", f.cfg.Name, err)
	}
	head, err := f.cfg.Store.HeadPosition(ctx)
	if err != nil {
		return 0, fmt.Errorf("%s: head position: %w", f.cfg.Name, err)
	}
	if !found && f.cfg.StartAtHead {
		// Saved at once, so a crash before the first batch does not move
		// the start to a later head.
		if err := f.cfg.Checkpoint.Save(ctx, head); err != nil {
			return 0, fmt.Errorf("%s: save checkpoint: %w", f.cfg.Name, err)
		}
		f.log.Info("first start: following from the ledger's head; earlier events are history", "position", head)
		from = head
	}
	f.noteHead(head)
	f.publish(from)
	f.log.Debug("follower starting", "from", from)
	return from, nil
}

// feed hands the consumer batches from position from on.
func (f *Follower[E]) feed(ctx context.Context, from, until uint64) (err error) {
	feedCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	src := f.cfg.Source(f.cfg.Store)
	cfg := feedConfig{after: from, until: until, pageSize: f.cfg.PageSize, readAhead: f.cfg.ReadAhead}
	in := &batcher[E]{in: startFeed(feedCtx, f.cfg.Store, src, cfg, f.noteHead), max: f.cfg.MaxBatch}
	flusher, _ := f.cfg.Consumer.(Flusher)
	saver := &checkpointSaver{cp: f.cfg.Checkpoint, every: f.cfg.FlushAfter, active: f.cfg.Delivery == AtLeastOnce}
	defer func() { err = f.saveOnExit(ctx, saver, err) }()
	// quietDue comes FlushAfter after the first batch since the consumer
	// was last flushed and the checkpoint last saved.
	var quietDue <-chan time.Time
	for {
		if ctx.Err() != nil { // before next, whose select picks among ready cases at random
			return context.Cause(ctx)
		}
		events, err := in.next(ctx, quietDue)
		switch {
		case errors.Is(err, errFlushDue):
			quietDue = nil
			if err := f.settle(ctx, flusher, saver); err != nil {
				return err
			}
			continue
		case errors.Is(err, errEndOfFeed):
			return nil
		case err != nil:
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return fmt.Errorf("%s: %w", f.cfg.Name, err)
		}
		if err := f.handle(ctx, src, events, saver); err != nil {
			return err
		}
		if quietDue == nil && until == 0 && (flusher != nil || saver.dirty) {
			quietDue = time.After(f.cfg.FlushAfter)
		}
	}
}

// settle flushes the consumer and saves the checkpoint once the feed was
// quiet for a while.
func (f *Follower[E]) settle(ctx context.Context, flusher Flusher, saver *checkpointSaver) error {
	if flusher != nil {
		if err := flusher.Flush(ctx); err != nil {
			return fmt.Errorf("%s: flush: %w", f.cfg.Name, err)
		}
	}
	if err := saver.save(ctx); err != nil {
		return fmt.Errorf("%s: save checkpoint: %w", f.cfg.Name, err)
	}
	if time.Since(time.Unix(0, f.runBegan.Load())) >= settledRun {
		f.noteProgress()
	}
	return nil
}

// buffers reports whether the consumer holds effects beyond Handle (a
// Flusher, a Session): a handled batch is then no sign that writing works
// again, a flush in a run that has lasted settledRun is.
func (f *Follower[E]) buffers() bool {
	_, flusher := f.cfg.Consumer.(Flusher)
	_, session := f.cfg.Consumer.(Session)
	return flusher || session
}

// handle gives the consumer one batch and records it as handled.
func (f *Follower[E]) handle(ctx context.Context, src Source[E], events []E, saver *checkpointSaver) error {
	if err := f.cfg.Consumer.Handle(ctx, events); err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return fmt.Errorf("%s: %w", f.cfg.Name, err)
	}
	last := src.Position(events[len(events)-1])
	if err := saver.handled(ctx, last); err != nil {
		return fmt.Errorf("%s: save checkpoint: %w", f.cfg.Name, err)
	}
	f.m.events.Add(float64(len(events)))
	f.publish(last)
	if !f.buffers() {
		f.noteProgress()
	}
	return nil
}

// saveOnExit saves the position of the last batch handled when a run
// ends, whatever ended it (a stop, a failure of a later batch), so that
// the next run starts after it.
func (f *Follower[E]) saveOnExit(ctx context.Context, saver *checkpointSaver, err error) error {
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.cfg.StopTimeout)
	defer cancel()
	if serr := saver.save(saveCtx); serr != nil {
		level := slog.LevelWarn
		if f.failures.Load() > 0 {
			level = slog.LevelDebug // the failure episode is logged already
		}
		f.log.Log(ctx, level, "follower's checkpoint not saved at the end of its run; the next run repeats the last batches", "err", serr)
		if err == nil && ctx.Err() == nil {
			return fmt.Errorf("%s: save checkpoint: %w", f.cfg.Name, serr)
		}
	}
	return err
}

// checkpointSaver saves an AtLeastOnce follower's checkpoint: at most once
// per every while batches stream in, when the feed goes quiet, and when
// the run ends. Saving after every batch cost a file write and an fsync
// per batch per policy, a tenth of a busy server's CPU; the price is that
// a crash hands the consumer up to every's worth of events again, which
// AtLeastOnce consumers take as a matter of course. Inactive for the
// other deliveries, whose consumers save their own checkpoints.
type checkpointSaver struct {
	cp     Checkpoint
	every  time.Duration
	active bool
	saved  time.Time // when the checkpoint was last saved
	pos    uint64    // the last position handled
	dirty  bool      // pos is not saved yet
}

// handled notes pos as handled, saving it if the last save is every ago.
func (c *checkpointSaver) handled(ctx context.Context, pos uint64) error {
	if !c.active {
		return nil
	}
	c.pos, c.dirty = pos, true
	if time.Since(c.saved) < c.every {
		return nil
	}
	return c.save(ctx)
}

// save saves the last position handled, if it is not saved yet.
func (c *checkpointSaver) save(ctx context.Context) error {
	if !c.dirty {
		return nil
	}
	if err := c.cp.Save(ctx, c.pos); err != nil {
		return err
	}
	c.dirty, c.saved = false, time.Now()
	return nil
}

// publish records pos as handled, updates the metrics and wakes WaitFor.
func (f *Follower[E]) publish(pos uint64) {
	f.position.Store(pos)
	f.m.position.Set(float64(pos))
	f.m.lag.Set(float64(f.head.Load() - min(pos, f.head.Load())))
	f.notifier.Notify()
}

// noteHead records the highest position known to be in the ledger.
func (f *Follower[E]) noteHead(pos uint64) {
	for {
		cur := f.head.Load()
		if pos <= cur || f.head.CompareAndSwap(cur, pos) {
			return
		}
	}
}

// Options are what a consumer's owner decides about its follower: the
// lease that makes it a singleton (nil: it runs on every node) and the
// metrics it reports to.
type Options struct {
	Lease   Lease
	Metrics *Metrics
	// Checkpoint, when set, is where the follower keeps its position
	// instead of the consumer's own file: the shared store's, for a
	// singleton of nodes sharing a ledger.
	Checkpoint Checkpoint
}

// EachEvent adapts a function that handles one event to a Consumer; a
// batch stops at the first event it fails on.
type EachEvent[E any] func(ctx context.Context, e E) error

// Handle implements Consumer.
func (h EachEvent[E]) Handle(ctx context.Context, events []E) error {
	for _, e := range events {
		if err := h(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// NewEventPolicy returns the follower of a policy that reacts to events
// one at a time with idempotent effects (AtLeastOnce), keeping its
// position in checkpointFile ("" keeps it in memory) or o.Checkpoint. startAtHead: see
// Config.StartAtHead.
func NewEventPolicy(name string, store eventstore.Store, handle EachEvent[eventstore.RecordedEvent], checkpointFile string, startAtHead bool, o Options, log *slog.Logger) *Follower[eventstore.RecordedEvent] {
	var cp Checkpoint = &MemoryCheckpoint{}
	switch {
	case o.Checkpoint != nil:
		cp = o.Checkpoint
	case checkpointFile != "":
		cp = FileCheckpoint(checkpointFile)
	}
	f, err := New(Config[eventstore.RecordedEvent]{
		Name: name, Store: store, Source: Recorded, Consumer: handle, Checkpoint: cp, Delivery: AtLeastOnce,
		StartAtHead: startAtHead, Singleton: o.Lease != nil, Lease: o.Lease, Metrics: o.Metrics, Logger: log,
	})
	if err != nil {
		panic(err) // the configuration above is complete
	}
	return f
}
