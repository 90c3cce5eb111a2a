package sla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// slaState is what the SLA policy keeps between runs, in a SQLite file of
// its own, changed in the same transaction as its checkpoint (so a restart
// finds the state exactly as of the checkpoint): which interactions belong
// to which tickets, which tickets are still open, and when each ticket's
// or interaction's clocks are next due. The due times are a cache of the
// ledger's sla-<id> streams: the ledger decides what fires. sla_tickets
// keeps its name from when only tickets had clocks: its ticket_id is any
// clock subject's id (interaction ids never collide with ticket ids, both
// being UUIDs), and open matters for tickets only.
type slaState struct {
	db *sql.DB
	q  slaStmts
}

// slaStmts are the state's statements, prepared once: the follower's
// batches run them for every event, and preparing one costs more than
// running it.
type slaStmts struct {
	upsertDue, upsertOpen, link, openTickets, saveCheckpoint *sql.Stmt
}

const (
	sqlUpsertDue = `INSERT INTO sla_tickets (ticket_id, open, due_at) VALUES (?, 1, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET due_at = excluded.due_at`
	sqlUpsertOpen = `INSERT INTO sla_tickets (ticket_id, open) VALUES (?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET open = excluded.open`
	sqlLink        = `INSERT INTO sla_links (interaction_id, ticket_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	sqlOpenTickets = `SELECT l.ticket_id FROM sla_links l JOIN sla_tickets t ON t.ticket_id = l.ticket_id
		WHERE l.interaction_id = ? AND t.open = 1 ORDER BY l.ticket_id`
	sqlSaveCheckpoint = `INSERT INTO sla_checkpoint (id, position) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET position = excluded.position`
)

func prepareSlaStmts(ctx context.Context, db *sql.DB) (slaStmts, error) {
	var q slaStmts
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&q.upsertDue, sqlUpsertDue}, {&q.upsertOpen, sqlUpsertOpen}, {&q.link, sqlLink},
		{&q.openTickets, sqlOpenTickets}, {&q.saveCheckpoint, sqlSaveCheckpoint},
	} {
		st, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			return q, fmt.Errorf("prepare sla state statement: %w", err)
		}
		*p.stmt = st
	}
	return q, nil
}

const slaSchema = `
CREATE TABLE IF NOT EXISTS sla_checkpoint (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sla_links (
	interaction_id TEXT NOT NULL,
	ticket_id      TEXT NOT NULL,
	PRIMARY KEY (interaction_id, ticket_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sla_tickets (
	ticket_id TEXT PRIMARY KEY,
	open      INTEGER NOT NULL,
	due_at    INTEGER -- Unix ns of the next warning or deadline; NULL: nothing running
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sla_tickets_due ON sla_tickets (due_at) WHERE due_at IS NOT NULL;
`

// openSlaState opens (creating) the state file; "" keeps it in memory.
func openSlaState(ctx context.Context, path string) (*slaState, error) {
	dsn := "file::memory:"
	if path != "" {
		esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
		dsn = "file:" + esc.Replace(path)
	}
	db, err := sql.Open("sqlite", dsn+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("open sla state %s: %w", path, err)
	}
	// One connection: the follower's batch transaction and the timer take
	// turns, and an in-memory database is per connection.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, slaSchema); err != nil {
		return nil, errors.Join(fmt.Errorf("create sla state in %s: %w", path, err), db.Close())
	}
	q, err := prepareSlaStmts(ctx, db)
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return &slaState{db: db, q: q}, nil
}

// close closes the database, and with it the prepared statements.
func (s *slaState) close() error { return s.db.Close() }

// checkpoint returns the saved position; ok is false before the first save.
func (s *slaState) checkpoint(ctx context.Context) (uint64, bool, error) {
	var pos int64
	err := s.db.QueryRowContext(ctx, `SELECT position FROM sla_checkpoint WHERE id = 1`).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("sla checkpoint: %w", err)
	}
	return uint64(pos), true, nil
}

// saveCheckpoint records a position outside a batch (the first start).
func (s *slaState) saveCheckpoint(ctx context.Context, position uint64) error {
	if _, err := s.q.saveCheckpoint.ExecContext(ctx, int64(position)); err != nil {
		return fmt.Errorf("sla checkpoint at %d: %w", position, err)
	}
	return nil
}

// due returns the tickets whose clocks are due at now, earliest first.
func (s *slaState) due(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT ticket_id FROM sla_tickets WHERE due_at IS NOT NULL AND due_at <= ?
		ORDER BY due_at LIMIT ?`, now.UnixNano(), limit)
	if err != nil {
		return nil, fmt.Errorf("due sla clocks: %w", err)
	}
	return scanIDs(rows)
}

// nextDue returns the earliest due time, false when nothing is running.
func (s *slaState) nextDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MIN(due_at) FROM sla_tickets WHERE due_at IS NOT NULL`).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("next sla due time: %w", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return time.Unix(0, at.Int64).UTC(), true, nil
}

// setDue records a ticket's next due time outside a batch (the timer).
func (s *slaState) setDue(ctx context.Context, ticketID string, due time.Time, ok bool) error {
	return setDue(ctx, s.q.upsertDue, ticketID, due, ok)
}

func setDue(ctx context.Context, upsert *sql.Stmt, ticketID string, due time.Time, ok bool) error {
	var v any
	if ok {
		v = due.UnixNano()
	}
	if _, err := upsert.ExecContext(ctx, ticketID, v); err != nil {
		return fmt.Errorf("sla due time of %s: %w", ticketID, err)
	}
	return nil
}

// slaBatch is the state change of one batch of events, committed with
// the checkpoint.
type slaBatch struct {
	tx *sql.Tx
	q  slaStmts
}

// stmt is st bound to the batch's transaction.
func (b *slaBatch) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	return b.tx.StmtContext(ctx, st)
}

func (s *slaState) begin(ctx context.Context) (*slaBatch, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sla state: %w", err)
	}
	return &slaBatch{tx: tx, q: s.q}, nil
}

func (b *slaBatch) commit(ctx context.Context, position uint64) error {
	if _, err := b.stmt(ctx, b.q.saveCheckpoint).ExecContext(ctx, int64(position)); err != nil {
		_ = b.tx.Rollback()
		return fmt.Errorf("sla checkpoint at %d: %w", position, err)
	}
	if err := b.tx.Commit(); err != nil {
		return fmt.Errorf("sla checkpoint at %d: %w", position, err)
	}
	return nil
}

func (b *slaBatch) rollback() { _ = b.tx.Rollback() }

func (b *slaBatch) link(ctx context.Context, interactionID, ticketID string) error {
	_, err := b.stmt(ctx, b.q.link).ExecContext(ctx, interactionID, ticketID)
	if err != nil {
		return fmt.Errorf("link %s to ticket %s: %w", interactionID, ticketID, err)
	}
	return nil
}

func (b *slaBatch) setOpen(ctx context.Context, ticketID string, open bool) error {
	_, err := b.stmt(ctx, b.q.upsertOpen).ExecContext(ctx, ticketID, open)
	if err != nil {
		return fmt.Errorf("ticket %s open=%t: %w", ticketID, open, err)
	}
	return nil
}

func (b *slaBatch) setDue(ctx context.Context, ticketID string, due time.Time, ok bool) error {
	return setDue(ctx, b.stmt(ctx, b.q.upsertDue), ticketID, due, ok)
}

// openTicketsOf returns the open tickets an interaction is linked to.
func (b *slaBatch) openTicketsOf(ctx context.Context, interactionID string) ([]string, error) {
	rows, err := b.stmt(ctx, b.q.openTickets).QueryContext(ctx, interactionID)
	if err != nil {
		return nil, fmt.Errorf("tickets of interaction %s: %w", interactionID, err)
	}
	return scanIDs(rows)
}

// scanIDs reads the one text column of rows, and closes them.
func scanIDs(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
