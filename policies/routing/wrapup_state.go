package routing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// wrapUpState is what the wrap-up timer keeps between runs, in a SQLite
// file of its own, changed in the same transaction as its checkpoint (so a
// restart finds it exactly as of the checkpoint): the calls in after-call
// work and when each one's wrap-up is due, with the id of the CallEnded
// event that started it (the expiry's idempotency key derives from it).
// The due times are a schedule, not a decision: the ledger decides
// (domain.DecideWrapUpExpiry) when the timer asks.
type wrapUpState struct {
	db *sql.DB
}

const wrapUpSchema = `
CREATE TABLE IF NOT EXISTS wrapup_checkpoint (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS wrapup_due (
	interaction_id TEXT    PRIMARY KEY,
	cause_id       TEXT    NOT NULL, -- the CallEnded event's id
	due_at         INTEGER NOT NULL  -- Unix ns: the call's end + the timeout
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS wrapup_due_at ON wrapup_due (due_at);
`

// openWrapUpState opens (creating) the state file; "" keeps it in memory.
func openWrapUpState(ctx context.Context, path string) (*wrapUpState, error) {
	dsn := "file::memory:"
	if path != "" {
		esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
		dsn = "file:" + esc.Replace(path)
	}
	db, err := sql.Open("sqlite", dsn+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("open wrap-up state %s: %w", path, err)
	}
	// One connection: the follower's batch transaction and the timer take
	// turns, and an in-memory database is per connection.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, wrapUpSchema); err != nil {
		return nil, errors.Join(fmt.Errorf("create wrap-up state in %s: %w", path, err), db.Close())
	}
	return &wrapUpState{db: db}, nil
}

func (s *wrapUpState) close() error { return s.db.Close() }

// checkpoint returns the saved position; ok is false before the first save.
func (s *wrapUpState) checkpoint(ctx context.Context) (uint64, bool, error) {
	var pos int64
	err := s.db.QueryRowContext(ctx, `SELECT position FROM wrapup_checkpoint WHERE id = 1`).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("wrap-up checkpoint: %w", err)
	}
	return uint64(pos), true, nil
}

// saveCheckpoint records a position outside a batch (the first start).
func (s *wrapUpState) saveCheckpoint(ctx context.Context, position uint64) error {
	return saveWrapUpCheckpoint(ctx, s.db, position)
}

type wrapUpExecer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func saveWrapUpCheckpoint(ctx context.Context, db wrapUpExecer, position uint64) error {
	_, err := db.ExecContext(ctx, `INSERT INTO wrapup_checkpoint (id, position) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET position = excluded.position`, int64(position))
	if err != nil {
		return fmt.Errorf("wrap-up checkpoint at %d: %w", position, err)
	}
	return nil
}

// dueWrapUp is one call whose wrap-up is due.
type dueWrapUp struct {
	interactionID, causeID string
}

// due returns the wrap-ups due at now, earliest first.
func (s *wrapUpState) due(ctx context.Context, now time.Time, limit int) ([]dueWrapUp, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT interaction_id, cause_id FROM wrapup_due WHERE due_at <= ?
		ORDER BY due_at, interaction_id LIMIT ?`, now.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("due wrap-ups: %w", err)
	}
	defer rows.Close()
	var out []dueWrapUp
	for rows.Next() {
		var d dueWrapUp
		if err := rows.Scan(&d.interactionID, &d.causeID); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// pending counts the calls in wrap-up the timer waits for.
func (s *wrapUpState) pending(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM wrapup_due`).Scan(&n)
	return n, err
}

// done forgets a wrap-up (outside a batch: the timer handled it).
func (s *wrapUpState) done(ctx context.Context, interactionID string) error {
	return forgetWrapUp(ctx, s.db, interactionID)
}

// reschedule moves a wrap-up's due time (outside a batch: the timer).
func (s *wrapUpState) reschedule(ctx context.Context, interactionID string, due time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE wrapup_due SET due_at = ? WHERE interaction_id = ?`, due.UnixNano(), interactionID); err != nil {
		return fmt.Errorf("reschedule wrap-up of %s: %w", interactionID, err)
	}
	return nil
}

func forgetWrapUp(ctx context.Context, db wrapUpExecer, interactionID string) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM wrapup_due WHERE interaction_id = ?`, interactionID); err != nil {
		return fmt.Errorf("forget wrap-up of %s: %w", interactionID, err)
	}
	return nil
}

// wrapUpBatch is the state change of one batch of events, committed with
// the checkpoint.
type wrapUpBatch struct{ tx *sql.Tx }

func (s *wrapUpState) begin(ctx context.Context) (*wrapUpBatch, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("wrap-up state: %w", err)
	}
	return &wrapUpBatch{tx: tx}, nil
}

func (b *wrapUpBatch) commit(ctx context.Context, position uint64) error {
	if err := saveWrapUpCheckpoint(ctx, b.tx, position); err != nil {
		_ = b.tx.Rollback()
		return err
	}
	if err := b.tx.Commit(); err != nil {
		return fmt.Errorf("wrap-up checkpoint at %d: %w", position, err)
	}
	return nil
}

func (b *wrapUpBatch) rollback() { _ = b.tx.Rollback() }

// schedule records when a call's wrap-up is due.
func (b *wrapUpBatch) schedule(ctx context.Context, interactionID, causeID string, due time.Time) error {
	_, err := b.tx.ExecContext(ctx, `INSERT INTO wrapup_due (interaction_id, cause_id, due_at) VALUES (?, ?, ?)
		ON CONFLICT (interaction_id) DO UPDATE SET cause_id = excluded.cause_id, due_at = excluded.due_at`,
		interactionID, causeID, due.UnixNano())
	if err != nil {
		return fmt.Errorf("schedule wrap-up of %s: %w", interactionID, err)
	}
	return nil
}

func (b *wrapUpBatch) forget(ctx context.Context, interactionID string) error {
	return forgetWrapUp(ctx, b.tx, interactionID)
}
