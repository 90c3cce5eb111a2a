package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/interactionledger/ledger/eventstore"
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
)

// errCheckpointMoved reports that a checkpoint in the database went back
// behind the runner's own: another process rebuilt the projection. The
// runner then starts over from the checkpoints in the database.
var errCheckpointMoved = errors.New("checkpoint moved back")

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

	// Batch sizes; tests make them small.
	catchUpPage    int
	maxBatchEvents int

	// writeMu serialises everything that writes the read database:
	// batches, Rebuild and loading checkpoints. It guards cps.
	writeMu sync.Mutex
	cps     []uint64 // per projection: last applied position

	position atomic.Uint64 // min(cps): every projection has applied it
	head     atomic.Uint64 // highest position seen in the feed
	notifier eventstore.Notifier
	skipLog  sync.Map // event type -> struct{}: unknown types already logged
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

		catchUpPage:    catchUpPage,
		maxBatchEvents: maxBatchEvents,
	}
	for _, p := range projections {
		r.applied = append(r.applied, r.metrics.applied.WithLabelValues(p.Name()))
		r.posGauge = append(r.posGauge, r.metrics.position.WithLabelValues(p.Name()))
	}
	return r
}

// RegisterMetrics registers the runner's Prometheus metrics with reg:
// ledger_projection_position{projection}, ledger_projection_applied_position,
// ledger_projection_lag_events (head of the store minus the applied
// position, read at scrape time), ledger_projection_events_applied_total,
// ledger_projection_events_skipped_total{reason} and the batch histograms.
func (r *Runner) RegisterMetrics(reg prometheus.Registerer) error {
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ledger_projection_lag_events",
		Help: "Events committed to the store that not every projection has applied yet.",
	}, r.lag)
	return r.metrics.register(reg, lag)
}

func (r *Runner) lag() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	head, err := r.store.HeadPosition(ctx)
	if err != nil {
		head = r.head.Load()
	}
	if pos := r.position.Load(); head > pos {
		return float64(head - pos)
	}
	return 0
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

// Run applies events until ctx ends (then it returns nil) or a batch fails
// (then it returns the error; nothing of the failed batch was applied, and
// the next Run retries it). It first catches up from the lowest
// checkpoint, then follows live appends.
func (r *Runner) Run(ctx context.Context) error {
	for {
		err := r.runOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errCheckpointMoved) {
			r.log.Warn("a checkpoint moved back (projection rebuilt elsewhere); starting over from the stored checkpoints", "err", err)
			continue
		}
		return err
	}
}

func (r *Runner) runOnce(ctx context.Context) error {
	from, err := r.load(ctx)
	if err != nil {
		return err
	}
	r.log.Info("projections starting", "from", from, "projections", len(r.projs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in := newBatchReader(r.feed(ctx, from, 0, r.catchUpPage), r.maxBatchEvents)
	for {
		events, err := in.next(ctx)
		if err != nil {
			return err
		}
		if err := r.applyBatch(ctx, events); err != nil {
			return err
		}
	}
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

func (r *Runner) applyBatch(ctx context.Context, events []Event) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	return r.applyBatchLocked(ctx, events, nil)
}

// applyBatchLocked applies events to the active projections (all when
// active is nil) whose checkpoint is before them, in one transaction with
// their checkpoints. On failure nothing is applied and caches are reset.
func (r *Runner) applyBatchLocked(ctx context.Context, events []Event, active []bool) (err error) {
	if len(events) == 0 {
		return nil
	}
	start := time.Now()
	sqlTx, err := r.db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin batch: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(sqlTx.Rollback()))
			for _, p := range r.projs {
				resetCache(p)
			}
		}
	}()
	tx := newTx(sqlTx)
	cps, err := r.storedCheckpoints(ctx, tx)
	if err != nil {
		return err
	}
	// Statements run without ctx's cancellation: with a cancellable
	// context the driver starts a goroutine per statement to interrupt
	// it, which costs more than the statement. applyEvents checks ctx
	// between events instead, and the transaction itself still rolls
	// back when ctx ends.
	stmtCtx := context.WithoutCancel(ctx)
	counts, err := r.applyEvents(ctx, stmtCtx, tx, events, active, cps)
	if err != nil {
		return err
	}
	last := events[len(events)-1].Position
	if err := r.finishBatch(stmtCtx, tx, active, cps, last); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit batch ending at %d: %w", last, err)
	}
	copy(r.cps, cps)
	for i, n := range counts {
		r.applied[i].Add(float64(n))
	}
	r.metrics.batchSeconds.Observe(time.Since(start).Seconds())
	r.metrics.batchEvents.Observe(float64(len(events)))
	r.publish()
	return nil
}

// storedCheckpoints reads the checkpoints inside the batch's transaction:
// the database, not memory, decides which events a projection still needs,
// so two processes sharing a read database never apply an event twice.
func (r *Runner) storedCheckpoints(ctx context.Context, tx *Tx) ([]uint64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT projection, position FROM checkpoints`)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	stored := make(map[string]uint64, len(r.projs))
	for rows.Next() {
		var name string
		var pos uint64
		if err := rows.Scan(&name, &pos); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read checkpoints: %w", err)
		}
		stored[name] = pos
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	cps := make([]uint64, len(r.projs))
	for i, p := range r.projs {
		pos, ok := stored[p.Name()]
		if !ok || pos < r.cps[i] {
			return nil, fmt.Errorf("%w: %s at %d, expected %d", errCheckpointMoved, p.Name(), pos, r.cps[i])
		}
		if pos > r.cps[i] { // another process applied events: what we cached may be stale
			resetCache(p)
		}
		cps[i] = pos
	}
	return cps, nil
}

func (r *Runner) applyEvents(ctx, stmtCtx context.Context, tx *Tx, events []Event, active []bool, cps []uint64) ([]int, error) {
	counts := make([]int, len(r.projs))
	for _, e := range events {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if e.Data == nil { // skipped by the feed: logged and counted there
			continue
		}
		for i, p := range r.projs {
			if e.Position <= cps[i] || active != nil && !active[i] {
				continue
			}
			if err := p.Apply(stmtCtx, tx, e); err != nil {
				return nil, fmt.Errorf("apply %s at position %d to %s: %w", e.Type, e.Position, p.Name(), err)
			}
			counts[i]++
		}
	}
	return counts, nil
}

// finishBatch flushes the projections' buffers and moves their
// checkpoints to last.
func (r *Runner) finishBatch(ctx context.Context, tx *Tx, active []bool, cps []uint64, last uint64) error {
	for i, p := range r.projs {
		if cps[i] >= last || active != nil && !active[i] {
			continue
		}
		if f, ok := p.(Flusher); ok {
			if err := f.Flush(ctx, tx); err != nil {
				return fmt.Errorf("flush %s: %w", p.Name(), err)
			}
		}
		if err := tx.Exec(ctx, `UPDATE checkpoints SET position = ? WHERE projection = ?`, last, p.Name()); err != nil {
			return fmt.Errorf("checkpoint %s: %w", p.Name(), err)
		}
		cps[i] = last
	}
	return nil
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
