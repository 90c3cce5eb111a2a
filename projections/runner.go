package projections

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/prometheus/client_golang/prometheus"
)

// Batch sizes. Large transactions amortise the commit and let projections
// buffer per batch; live batches stay as small as the traffic makes them.
const (
	// catchUpPage is how many events one read of the store returns while
	// the runner is behind.
	catchUpPage = 2048
	// maxBatchEvents bounds the events applied in one transaction.
	maxBatchEvents = 8192
	// readAheadPages is how many pages the feed reads ahead of the batch
	// being applied.
	readAheadPages = 4
)

// errCheckpointMoved reports that a checkpoint in the database went back
// behind the runner's own: another process rebuilt the projection. The
// runner then starts over from the checkpoints in the database.
var errCheckpointMoved = fmt.Errorf("checkpoint moved back (%w)", follow.ErrRestart)

// Runner feeds the event store's $all stream to a set of projections: it
// catches up from the lowest checkpoint, then follows live appends,
// applying each batch to every projection in one transaction together with
// their checkpoints.
type Runner struct {
	store    eventstore.Store
	db       *ReadDB
	log      *slog.Logger
	projs    []Projection
	metrics  *runnerMetrics
	applied  []prometheus.Counter // per projection
	posGauge []prometheus.Gauge   // per projection
	blocked  []prometheus.Gauge   // per projection

	// Batch sizes and the bulk catch-up threshold; tests make them small.
	catchUpPage        int
	maxBatchEvents     int
	rebuildBatchEvents int
	bulkThreshold      uint64

	// writeMu serialises everything that writes the read database:
	// batches, Rebuild and loading checkpoints. It guards cps.
	writeMu sync.Mutex
	cps     []uint64 // per projection: last applied position
	// erasureWAL is set while the WAL may still hold what an erasure
	// overwrote (see truncateWAL); guarded by writeMu.
	erasureWAL bool

	followOnce    sync.Once
	follow        *follow.Follower[Event]
	followMetrics *follow.Metrics

	position atomic.Uint64 // min(cps): every projection has applied it
	head     atomic.Uint64 // highest position seen in the feed
	notifier eventstore.Notifier
}

// NewRunner returns a runner that feeds store's events to projections,
// keeping their read models in db. A nil logger means slog.Default().
func NewRunner(store eventstore.Store, db *ReadDB, logger *slog.Logger, projections ...Projection) *Runner {
	if logger == nil {
		logger = slog.Default()
	}
	r := &Runner{
		store:   store,
		db:      db,
		log:     logger.With("component", "projections"),
		projs:   projections,
		metrics: newRunnerMetrics(),
		cps:     make([]uint64, len(projections)),

		catchUpPage:        catchUpPage,
		maxBatchEvents:     maxBatchEvents,
		rebuildBatchEvents: rebuildBatchEvents,
		bulkThreshold:      bulkCatchUpEvents,
	}
	for _, p := range projections {
		r.applied = append(r.applied, r.metrics.applied.WithLabelValues(p.Name()))
		r.posGauge = append(r.posGauge, r.metrics.position.WithLabelValues(p.Name()))
		r.blocked = append(r.blocked, r.metrics.blocked.WithLabelValues(p.Name()))
	}
	return r
}

// Position returns the $all position every projection has applied.
func (r *Runner) Position() uint64 { return r.position.Load() }

// WaitFor blocks until every projection has applied position (a mutation's
// position, for read-your-writes), and returns ctx's error if ctx ends
// first.
func (r *Runner) WaitFor(ctx context.Context, position uint64) error {
	for {
		changed := r.notifier.C() // before the check: see eventstore.Notifier
		if r.position.Load() >= position {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for position %d (at %d): %w", position, r.position.Load(), ctx.Err())
		}
	}
}

// Run applies events until ctx ends (then it returns nil). It first
// catches up from the lowest checkpoint, then follows live appends, on a
// follower (eventstore/follow) that is not a singleton: every node keeps
// its own read models. A failed batch changes nothing and is retried with
// backoff.
//
// An event the projections cannot decode is never skipped: Run applies
// every event before it and returns a *follow.HaltError wrapping an
// *UndecodableEventError naming it, and every later Run stops there again
// until a build that reads it runs.
func (r *Runner) Run(ctx context.Context) error {
	return r.follower().Run(ctx)
}

// RunOnce is Run without the retries: it returns the first failure.
func (r *Runner) RunOnce(ctx context.Context) error {
	return r.follower().RunOnce(ctx)
}

// follower returns the runner's follower, made on first use (tests set
// the batch sizes after NewRunner).
func (r *Runner) follower() *follow.Follower[Event] {
	r.followOnce.Do(func() {
		f, err := follow.New(follow.Config[Event]{
			Name: "projections", Store: r.store, Source: r.newSource, Consumer: runnerConsumer{r},
			Checkpoint: follow.CheckpointFuncs{LoadFunc: r.loadCheckpoint}, Delivery: follow.ExactlyOnce,
			Metrics: r.followMetrics, Logger: r.log, PageSize: r.catchUpPage, ReadAhead: readAheadPages,
			MaxBatch: r.maxBatchEvents, OnError: r.noteFailure,
		})
		if err != nil {
			panic(err) // the configuration above is complete
		}
		r.follow = f
	})
	return r.follow
}

// runnerConsumer is the runner as the follower's consumer.
type runnerConsumer struct{ r *Runner }

// Begin loads the projections that have applied nothing yet in bulk.
func (c runnerConsumer) Begin(ctx context.Context) (context.Context, error) {
	return ctx, c.r.bulkCatchUp(ctx)
}

// End has nothing to finish: every batch commits with its checkpoints.
func (runnerConsumer) End(context.Context, error) error { return nil }

// Handle applies a batch with the projections' checkpoints.
func (c runnerConsumer) Handle(ctx context.Context, events []Event) error {
	return c.r.applyBatch(ctx, events)
}

// loadCheckpoint is the lowest checkpoint: where the follower starts.
func (r *Runner) loadCheckpoint(ctx context.Context) (uint64, bool, error) {
	from, err := r.load(ctx)
	if err == nil {
		r.log.Info("projections starting", "from", from, "projections", len(r.projs))
	}
	return from, true, err
}

// bulkCatchUpEvents is how long the log must be for Run to load the
// projections that have applied nothing yet the way Rebuild does.
const bulkCatchUpEvents = 10_000

// bulkCatchUp rebuilds the projections that have applied nothing yet (a new
// read database, a changed schema) when the log is long: Rebuild's bulk
// load is several times faster than catching up batch by batch.
func (r *Runner) bulkCatchUp(ctx context.Context) error {
	if _, err := r.load(ctx); err != nil {
		return err
	}
	head, err := r.store.HeadPosition(ctx)
	if err != nil {
		return fmt.Errorf("head position: %w", err)
	}
	if head < r.bulkThreshold {
		return nil
	}
	var empty []string
	r.writeMu.Lock()
	for i, p := range r.projs {
		if r.cps[i] == 0 {
			empty = append(empty, p.Name())
		}
	}
	r.writeMu.Unlock()
	if len(empty) == 0 {
		return nil
	}
	return r.rebuild(ctx, nil, empty...) // Run notes a failure
}

// load (re)reads the checkpoints from the database, creating missing
// tables, and returns the lowest one.
func (r *Runner) load(ctx context.Context) (uint64, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return r.loadLocked(ctx)
}

func (r *Runner) loadLocked(ctx context.Context) (uint64, error) {
	st, err := r.db.ensureSchema(ctx, r.projs)
	if err != nil {
		return 0, err
	}
	for _, name := range st.reset {
		r.log.Warn("projection schema changed; rebuilding it from the log", "projection", name)
	}
	for i, p := range r.projs {
		r.cps[i] = st.checkpoints[p.Name()]
		resetCache(p)
	}
	r.db.views.clear()
	r.publish()
	return slices.Min(append([]uint64{^uint64(0)}, r.cps...)), nil
}

// publish updates the applied position, the metrics, and wakes WaitFor.
func (r *Runner) publish() {
	pos := uint64(0)
	if len(r.cps) > 0 {
		pos = slices.Min(r.cps)
	}
	for i, cp := range r.cps {
		r.posGauge[i].Set(float64(cp))
	}
	r.metrics.positionTotal.Set(float64(pos))
	r.position.Store(pos)
	r.notifier.Notify()
}

func resetCache(p Projection) {
	if rs, ok := p.(Resetter); ok {
		rs.Reset()
	}
}

// Projections returns the runner's projections' names, in apply order.
func (r *Runner) Projections() []string {
	names := make([]string, len(r.projs))
	for i, p := range r.projs {
		names[i] = p.Name()
	}
	return names
}
