package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/tracing"
)

// applyBatch applies one batch of the feed under writeMu.
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
	if tracing.Enabled() {
		defer func() { traceBatch(ctx, events, start, err) }()
	}
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
	counts, erased, err := r.applyEvents(ctx, stmtCtx, tx, events, active, cps)
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
	for i, n := range counts {
		r.applied[i].Add(float64(n))
		if cps[i] > r.cps[i] { // it moved on: whatever stopped it is behind it
			r.blocked[i].Set(0)
		}
	}
	copy(r.cps, cps)
	r.db.views.commit(events)
	if erased || r.erasureWAL {
		r.truncateWAL(ctx)
	}
	r.metrics.batchSeconds.Observe(time.Since(start).Seconds())
	r.metrics.batchEvents.Observe(float64(len(events)))
	r.publish()
	return nil
}

// traceBatch records the batch's transaction as a "projection.apply" span
// in the trace of each event that carries one (its append's, from the
// event's metadata: see internal/tracing), ending once it committed (or
// failed), which is when the event shows in the read models.
func traceBatch(ctx context.Context, events []Event, start time.Time, err error) {
	mds := make([][]byte, len(events))
	for i, e := range events {
		mds[i] = e.Metadata
	}
	tracing.EndAll(tracing.Continue(ctx, "projection.apply", start, mds...), err)
}

// truncateWAL runs after a batch that applied a CustomerErased: the WAL
// still holds the pages as they were before the erasure overwrote them,
// personal data included, until a checkpoint copies the new pages into the
// database file (where secure_delete zeroed the old bytes) and TRUNCATE
// empties the WAL file. It runs before the batch is published, so whoever
// waits for the erasure's position finds the file clean. It is one
// attempt: the checkpoint waits for readers in the middle of a snapshot
// as long as the write connection's busy timeout; if they still hold it
// back, r.erasureWAL stays set and every later batch tries again, until
// one succeeds. The batch itself is committed either way. Batches without
// an erasure pay nothing.
func (r *Runner) truncateWAL(ctx context.Context) {
	done, err := r.db.truncateWAL(context.WithoutCancel(ctx))
	switch {
	case err != nil:
		r.log.Warn("read database: WAL checkpoint after an erasure failed; will retry after the next batch", "err", err)
	case !done:
		r.log.Warn("read database: readers kept the WAL checkpoint after an erasure from completing; will retry after the next batch")
	}
	r.erasureWAL = err != nil || !done
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
			r.db.views.clear()
		}
		cps[i] = pos
	}
	return cps, nil
}

// applyEvents applies events to the projections that need them, and
// reports whether it applied a CustomerErased (see truncateWAL).
func (r *Runner) applyEvents(ctx, stmtCtx context.Context, tx *Tx, events []Event, active []bool, cps []uint64) (counts []int, erased bool, err error) {
	counts = make([]int, len(r.projs))
	for _, e := range events {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		applied := false
		for i, p := range r.projs {
			if e.Position <= cps[i] || active != nil && !active[i] {
				continue
			}
			if err := p.Apply(stmtCtx, tx, e); err != nil {
				return nil, false, &applyError{projection: i, err: fmt.Errorf("apply %s at position %d (stream %s) to %s: %w", e.Type, e.Position, e.Stream, p.Name(), err)}
			}
			counts[i]++
			applied = true
		}
		if _, ok := e.Data.(domain.CustomerErased); ok && applied {
			erased = true
		}
	}
	return counts, erased, nil
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
				return &applyError{projection: i, err: fmt.Errorf("flush %s for the batch ending at %d: %w", p.Name(), last, err)}
			}
		}
		if err := tx.Exec(ctx, `UPDATE checkpoints SET position = ? WHERE projection = ?`, last, p.Name()); err != nil {
			return fmt.Errorf("checkpoint %s: %w", p.Name(), err)
		}
		cps[i] = last
	}
	return nil
}
