package projections

import (
	"context"
	"errors"
	"fmt"
	"time"
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
	for i, n := range counts {
		r.applied[i].Add(float64(n))
		if cps[i] > r.cps[i] { // it moved on: whatever stopped it is behind it
			r.blocked[i].Set(0)
		}
	}
	copy(r.cps, cps)
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
		for i, p := range r.projs {
			if e.Position <= cps[i] || active != nil && !active[i] {
				continue
			}
			if err := p.Apply(stmtCtx, tx, e); err != nil {
				return nil, &applyError{projection: i, err: fmt.Errorf("apply %s at position %d (stream %s) to %s: %w", e.Type, e.Position, e.Stream, p.Name(), err)}
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
