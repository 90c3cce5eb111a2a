package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Bulk loading: how a rebuild writes without syncing, and how the read
// database stays trustworthy anyway.
//
// A rebuild writes with synchronous=OFF: the WAL checkpoints that keep the
// WAL short would otherwise fsync the database file each time, and during
// a rebuild those syncs cost more than all of SQLite's work. A process
// crash loses nothing SQLite wrote: the operating system still has it. An
// operating-system crash (or power loss) can lose any of the unsynced
// writes, in any order: the file may come back damaged, or, worse, intact
// in structure but inconsistent, a checkpoint recording events whose rows
// never reached the disk. No check of the file can tell; so the rebuild
// records, durably and before syncing stops, which projections it is
// rebuilding (the bulk load marker), and when OpenReadDB finds the marker
// it resets those projections, which then rebuild from the log. The other
// projections were not written while syncing was off: they keep their
// content, unless SQLite's quick_check finds the file damaged, and then the
// whole file is started afresh.
//
// When the rebuild ends, its writes are made durable before the marker
// goes (see leaveBulkLoad).

// bulkLoadKey is the read_db_state key of the bulk load marker.
const bulkLoadKey = "bulk_load"

// bulkLoadMarker is the value of the marker, JSON.
type bulkLoadMarker struct {
	// Projections being rebuilt; a marker without any (as written by
	// earlier builds, whose marker was "1") means every projection.
	Projections []string `json:"projections"`
	// Phase is "loading" while the rebuild writes unsynced, "syncing"
	// once it is done and its writes are being made durable. Either way
	// the projections are reset on open; the phase tells the log which.
	Phase string `json:"phase"`
	// Syncs counts leaveBulkLoad's attempts: each writes the marker with
	// a new count, so that each has a change to checkpoint (see there).
	Syncs int `json:"syncs,omitempty"`
}

const (
	phaseLoading = "loading"
	phaseSyncing = "syncing"
)

// resetSchemaVersion is a schema version no projection has. Writing it
// into a projection's checkpoint makes the next ensureSchema (OpenReadDB's
// for the standard read models, a Runner's for any other) drop and
// re-create the projection with its checkpoint at 0.
const resetSchemaVersion = "reset: interrupted rebuild"

// enterBulkLoad makes the marker, naming projections (merged with those of
// a marker still present), durable, then stops syncing. If a checkpoint
// cannot complete (readers hold it back), the rebuild runs synced: slower,
// equally correct.
func (db *ReadDB) enterBulkLoad(ctx context.Context, projections []string) error {
	m, found, err := db.readMarker(ctx)
	if err != nil {
		return err
	}
	if found && len(m.Projections) == 0 {
		projections = nil // already every projection
	} else {
		projections = slices.Compact(slices.Sorted(slices.Values(append(m.Projections, projections...))))
	}
	if err := db.writeMarker(ctx, bulkLoadMarker{Projections: projections, Phase: phaseLoading}); err != nil {
		return err
	}
	db.markerSet = true
	// With synchronous=NORMAL this checkpoint fsyncs the WAL and then
	// the database file: the marker, and every batch before the rebuild,
	// are on disk before any write goes unsynced.
	if done, err := db.checkpoint(ctx, "FULL"); err != nil || !done {
		return err
	}
	if _, err := db.w.ExecContext(ctx, "PRAGMA synchronous = OFF"); err != nil {
		return fmt.Errorf("enter bulk load: %w", err)
	}
	return nil
}

// leaveBulkLoad resumes syncing and makes everything the rebuild wrote
// durable, then removes the marker. The order matters:
//
//  1. synchronous=NORMAL, so that checkpoints fsync again.
//  2. A write (the marker's phase and attempt count), so that the WAL
//     holds a frame the database file does not: SQLite's checkpoint
//     fsyncs the database file only after copying frames into it, and the
//     checkpoints that ran with syncing off may have copied every frame
//     already, without an fsync. A checkpoint with nothing to copy would
//     sync nothing.
//  3. A TRUNCATE checkpoint that completes: it fsyncs the WAL, copies it,
//     fsyncs the database file (which flushes every page written while
//     syncing was off), and empties the WAL.
//  4. The marker's deletion, committed with synchronous=FULL so that the
//     commit itself is fsynced: once leaveBulkLoad returns, the next open
//     does not reset the projections for nothing. Deleting it before step
//     3 completed could put the deletion on disk ahead of the data.
//
// If readers keep the checkpoint from completing, the marker stays; Close
// tries again once the read pool is closed, and failing that the next
// open rebuilds the projections: time lost, never data.
func (db *ReadDB) leaveBulkLoad(ctx context.Context) error {
	if !db.markerSet {
		return nil
	}
	if _, err := db.w.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		return fmt.Errorf("leave bulk load: %w", err)
	}
	m, _, err := db.readMarker(ctx)
	if err != nil {
		return err
	}
	m.Phase = phaseSyncing
	m.Syncs++ // SQLite writes no frame for a row updated to what it holds
	if err := db.writeMarker(ctx, m); err != nil {
		return err
	}
	done, err := db.checkpoint(ctx, "TRUNCATE")
	if err != nil || !done {
		if err == nil {
			slog.Warn("read database: readers kept the checkpoint after a rebuild from completing; will retry at close",
				"path", db.path)
		}
		return err
	}
	if err := db.clearMarker(ctx); err != nil {
		return err
	}
	db.markerSet = false
	return nil
}

// clearMarker deletes the marker in a commit that is fsynced.
func (db *ReadDB) clearMarker(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return fmt.Errorf("clear bulk load marker: %w", err)
	}
	_, err := db.w.ExecContext(ctx, `DELETE FROM read_db_state WHERE key = ?`, bulkLoadKey)
	if err != nil {
		err = fmt.Errorf("clear bulk load marker: %w", err)
	}
	if _, serr := db.w.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); serr != nil {
		err = errors.Join(err, fmt.Errorf("clear bulk load marker: %w", serr))
	}
	return err
}

func (db *ReadDB) readMarker(ctx context.Context) (bulkLoadMarker, bool, error) {
	var m bulkLoadMarker
	var value string
	err := db.w.QueryRowContext(ctx, `SELECT value FROM read_db_state WHERE key = ?`, bulkLoadKey).Scan(&value)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return m, false, nil
	case err != nil:
		return m, false, fmt.Errorf("read bulk load marker: %w", err)
	}
	if strings.HasPrefix(value, "{") {
		if err := json.Unmarshal([]byte(value), &m); err != nil {
			return m, true, fmt.Errorf("read bulk load marker %q: %w", value, err)
		}
	}
	return m, true, nil // otherwise an earlier build's marker: every projection
}

func (db *ReadDB) writeMarker(ctx context.Context, m bulkLoadMarker) error {
	value, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("write bulk load marker: %w", err)
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO read_db_state (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, bulkLoadKey, string(value)); err != nil {
		return fmt.Errorf("write bulk load marker: %w", err)
	}
	return nil
}

// checkpoint runs a WAL checkpoint of the given mode, retrying a few times
// while readers keep it from completing; it reports whether it completed
// (every frame copied to the database file, which was then synced, if
// syncing is on and there was a frame to copy: see leaveBulkLoad).
func (db *ReadDB) checkpoint(ctx context.Context, mode string) (bool, error) {
	for attempt := 0; attempt < 20; attempt++ {
		var busy, logFrames, copied int
		if err := db.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logFrames, &copied); err != nil {
			return false, fmt.Errorf("checkpoint %s: %w", mode, err)
		}
		if busy == 0 && copied == logFrames {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return false, nil
}

// truncateWAL runs one TRUNCATE checkpoint and reports whether it
// completed: every frame copied into the database file and the WAL file
// emptied.
func (db *ReadDB) truncateWAL(ctx context.Context) (bool, error) {
	var busy, logFrames, copied int
	if err := db.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &copied); err != nil {
		return false, fmt.Errorf("checkpoint TRUNCATE: %w", err)
	}
	return busy == 0 && copied == logFrames, nil
}

// recoverBulkLoad deals with a bulk load that did not finish (see the top
// of this file): a damaged file is started afresh; in an intact one the
// projections the marker names are reset, to be rebuilt from the log.
func (db *ReadDB) recoverBulkLoad(ctx context.Context) error {
	m, found, err := db.readMarker(ctx)
	if err != nil || !found {
		return err
	}
	var result string
	if err := db.w.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&result); err != nil || result != "ok" {
		slog.Warn("read database damaged by an interrupted rebuild; starting it afresh", "path", db.path, "check", result, "err", err)
		return db.recreate(ctx)
	}
	if err := db.resetInterrupted(ctx, m.Projections); err != nil {
		slog.Warn("read database: cannot reset the projections of an interrupted rebuild; starting it afresh", "path", db.path, "err", err)
		return db.recreate(ctx)
	}
	which := "every projection"
	if len(m.Projections) > 0 {
		which = strings.Join(m.Projections, ", ")
	}
	slog.Warn("read database: a rebuild did not finish (or was not known to be on disk); its projections start over from the log",
		"path", db.path, "projections", which, "phase", m.Phase)
	return nil
}

// resetInterrupted marks the named projections (every one when names is
// empty) for a reset and deletes the marker, in one transaction. The reset
// itself is ensureSchema's: OpenReadDB's, or for a projection it does not
// know, the Runner's.
func (db *ReadDB) resetInterrupted(ctx context.Context, names []string) error {
	return db.writeTx(ctx, "reset interrupted rebuild", func(tx *sql.Tx) error {
		query := `UPDATE checkpoints SET position = 0, schema_version = ?`
		args := []any{resetSchemaVersion}
		if len(names) > 0 {
			query += ` WHERE projection IN (` + placeholders(len(names)) + `)`
			args = append(args, anys(names)...)
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("reset checkpoints: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM read_db_state WHERE key = ?`, bulkLoadKey); err != nil {
			return fmt.Errorf("clear bulk load marker: %w", err)
		}
		return nil
	})
}
