package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// Rebuild sizes. A rebuild commits every rebuildBatchEvents events:
// each commit writes every page the batch changed to the WAL, and tables
// keyed by random ids (identities, tickets, the interaction id index) have
// most of their pages changed by any large batch, so the fewer commits the
// less is written: over a million events, 0.6 GB instead of 1.4 GB with
// batches of maxBatchEvents (for a 146 MB database). The feed reads that
// many events ahead, so that a batch finds them waiting; the events held
// in memory (some 70,000 at most) cost a few tens of MB.
const (
	// rebuildPage is how many events one read of the store returns.
	rebuildPage = 4096
	// rebuildBatchEvents bounds the events of one rebuild transaction.
	rebuildBatchEvents = 32768
)

// Rebuild drops and re-creates the named projections (every projection of
// the runner when none is named) and replays the whole log into them, up to
// the store's head when Rebuild started, in large transactions. progress,
// if not nil, is called after every batch with the position reached and
// the head. A running Run waits while Rebuild works, then carries on from
// where it was (events after the head reach the rebuilt projections then).
// If Rebuild fails or ctx ends, the projections keep their partial
// content and checkpoint, and the next Run continues from there (or the
// next Rebuild restarts). If the process or the machine crashes during a
// rebuild, the next OpenReadDB resets the projections it was rebuilding,
// and Run rebuilds them (see bulkload.go). Like Run, Rebuild stops before
// an event it cannot decode, with an *UndecodableEventError.
func (r *Runner) Rebuild(ctx context.Context, progress func(done, total uint64), names ...string) error {
	err := r.rebuild(ctx, progress, names...)
	if err != nil && ctx.Err() == nil {
		r.noteFailure(err)
	}
	return err
}

func (r *Runner) rebuild(ctx context.Context, progress func(done, total uint64), names ...string) error {
	active, err := r.selectProjections(names)
	if err != nil {
		return err
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if _, err := r.loadLocked(ctx); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	head, err := r.store.HeadPosition(ctx)
	if err != nil {
		return fmt.Errorf("rebuild: head position: %w", err)
	}
	start := time.Now()
	r.log.Info("rebuilding projections", "projections", r.activeNames(active), "events", head)
	// Leaving bulk loading is not cancelled with ctx: it takes one
	// checkpoint, and a marker left behind costs the next start a rebuild.
	// After a failure, what was applied is consistent (each batch
	// committed with its checkpoints): made durable, the next Run carries
	// on from it.
	err = r.db.enterBulkLoad(ctx, r.activeNames(active))
	if err == nil {
		err = r.rebuildLocked(ctx, active, head, progress)
	}
	if lerr := r.db.leaveBulkLoad(context.WithoutCancel(ctx)); lerr != nil {
		err = errors.Join(err, lerr)
	}
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	took := time.Since(start)
	r.log.Info("projections rebuilt", "events", head, "took", took.Round(time.Millisecond),
		"events_per_second", int(float64(head)/max(took.Seconds(), 1e-9)))
	return nil
}

func (r *Runner) rebuildLocked(ctx context.Context, active []bool, head uint64, progress func(done, total uint64)) error {
	if err := r.resetLocked(ctx, active); err != nil {
		return err
	}
	start := time.Now()
	if err := r.replayLocked(ctx, active, head, progress); err != nil {
		return err
	}
	replayed := time.Now()
	if err := r.finishRebuildLocked(ctx, active); err != nil {
		return err
	}
	r.log.Debug("rebuild phases", "replay", replayed.Sub(start).Round(time.Millisecond),
		"indexes", time.Since(replayed).Round(time.Millisecond))
	return nil
}

func (r *Runner) selectProjections(names []string) ([]bool, error) {
	active := make([]bool, len(r.projs))
	if len(names) == 0 {
		for i := range active {
			active[i] = true
		}
		return active, nil
	}
	for _, name := range names {
		i := r.indexOf(name)
		if i < 0 {
			return nil, domain.Errorf(domain.EINVALID, "unknown projection %q (known: %v)", name, r.Projections())
		}
		active[i] = true
	}
	return active, nil
}

func (r *Runner) indexOf(name string) int {
	for i, p := range r.projs {
		if p.Name() == name {
			return i
		}
	}
	return -1
}

func (r *Runner) activeNames(active []bool) []string {
	var names []string
	for i, p := range r.projs {
		if active[i] {
			names = append(names, p.Name())
		}
	}
	return names
}

// resetLocked empties the active projections in one transaction, leaving
// their secondary indexes for finishRebuildLocked.
func (r *Runner) resetLocked(ctx context.Context, active []bool) error {
	err := r.db.writeTx(ctx, "reset", func(tx *sql.Tx) error {
		return r.forActive(active, func(p Projection) error {
			if err := resetProjection(ctx, tx, p, true); err != nil {
				return fmt.Errorf("reset %s: %w", p.Name(), err)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for i, p := range r.projs {
		if active[i] {
			r.cps[i] = 0
			resetCache(p)
		}
	}
	r.db.views.clear()
	r.publish()
	return nil
}

func (r *Runner) replayLocked(ctx context.Context, active []bool, head uint64, progress func(done, total uint64)) error {
	if head == 0 {
		return nil
	}
	page := min(rebuildPage, r.rebuildBatchEvents)
	in := follow.NewReplay(ctx, r.store, r.newSource(r.store), 0, head, page, r.rebuildBatchEvents/page+1, r.rebuildBatchEvents)
	defer in.Close()
	for {
		events, err := in.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := r.applyBatchLocked(ctx, events, active); err != nil {
			return err
		}
		if progress != nil {
			progress(events[len(events)-1].Position, head)
		}
	}
}

// finishRebuildLocked creates the indexes left out during the load. It
// deliberately runs no ANALYZE: a rebuilt database and an incrementally
// built one should get the same query plans, chosen by the indexes alone.
func (r *Runner) finishRebuildLocked(ctx context.Context, active []bool) error {
	return r.db.writeTx(ctx, "create indexes", func(tx *sql.Tx) error {
		return r.forActive(active, func(p Projection) error {
			if err := p.Create(ctx, tx); err != nil {
				return fmt.Errorf("indexes of %s: %w", p.Name(), err)
			}
			return nil
		})
	})
}

// forActive calls fn for each active projection, stopping at the first
// error.
func (r *Runner) forActive(active []bool, fn func(Projection) error) error {
	for i, p := range r.projs {
		if !active[i] {
			continue
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}
