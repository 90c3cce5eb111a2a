package esdbserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	sqlitedrv "modernc.org/sqlite" // also the database/sql driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/interactionledger/ledger/eventstore"
)

// IsSystemStream reports whether stream is one of EventStoreDB's system
// streams: its name starts with "$". The ledger's events never go there;
// nodes sharing a ledger keep their coordination there (leases,
// singletons' checkpoints), as they would on EventStoreDB.
func IsSystemStream(stream string) bool { return strings.HasPrefix(stream, "$") }

// SystemKeep is how many of a system stream's newest events are kept:
// what EventStoreDB's $maxCount stream metadata does, fixed. A stream's
// revisions go on growing; older events are dropped as new ones come.
const SystemKeep = 100

// SystemStreams keeps the endpoint's system streams in a SQLite file of
// their own, apart from the ledger: they are operational state of the
// nodes (lease renewals every few seconds, checkpoints), not part of the
// immutable, hash-chained record, and are not in $all.
type SystemStreams struct {
	db  *sql.DB
	now func() time.Time
	// mu makes an append's version check and insert one step.
	mu sync.Mutex
}

const systemSchema = `
CREATE TABLE IF NOT EXISTS system_events (
	stream      TEXT    NOT NULL,
	revision    INTEGER NOT NULL,
	id          TEXT    NOT NULL,
	type        TEXT    NOT NULL,
	data        BLOB    NOT NULL,
	metadata    BLOB    NOT NULL,
	recorded_at INTEGER NOT NULL,
	PRIMARY KEY (stream, revision)
) WITHOUT ROWID`

// OpenSystemStreams opens (creating if needed) the system streams file at
// path.
func OpenSystemStreams(ctx context.Context, path string) (*SystemStreams, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("system streams %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, systemSchema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("system streams %s: %w", path, err)
	}
	return &SystemStreams{db: db, now: time.Now}, nil
}

// Close closes the file.
func (s *SystemStreams) Close() error { return s.db.Close() }

// Append appends events to stream if its last revision is what expected
// says (a *eventstore.VersionConflictError if not), then drops what
// SystemKeep no longer keeps.
func (s *SystemStreams) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	if len(events) == 0 {
		return eventstore.AppendResult{}, fmt.Errorf("%w: append %s: no events", eventstore.ErrInvalidAppend, stream)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	last, err := s.lastRevision(ctx, stream)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	switch {
	case expected == eventstore.Any:
	case expected == eventstore.NoStream && last >= 0, expected >= 0 && int64(expected) != last:
		return eventstore.AppendResult{}, &eventstore.VersionConflictError{Stream: stream, Expected: expected, Actual: last}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	defer func() { _ = tx.Rollback() }()
	at := s.now().UnixNano()
	for i, e := range events {
		id := e.ID
		if id == uuid.Nil {
			id = uuid.New()
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO system_events (stream, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			stream, last+1+int64(i), id.String(), e.Type, nonNil(e.Data), nonNil(e.Metadata), at)
		if isTaken(err) {
			// Another process on the same file appended first.
			return eventstore.AppendResult{}, &eventstore.VersionConflictError{Stream: stream, Expected: expected, Actual: -2}
		}
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
		}
	}
	next := last + int64(len(events))
	if _, err := tx.ExecContext(ctx, `DELETE FROM system_events WHERE stream = ? AND revision <= ?`, stream, next-SystemKeep); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: trim: %w", stream, err)
	}
	if err := tx.Commit(); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	return eventstore.AppendResult{NextExpectedVersion: next}, nil
}

// isTaken reports whether err is an insert refused because the revision
// is taken.
func isTaken(err error) bool {
	var se *sqlitedrv.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE)
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// lastRevision is the stream's last revision, -1 when it has none.
func (s *SystemStreams) lastRevision(ctx context.Context, stream string) (int64, error) {
	var last sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(revision) FROM system_events WHERE stream = ?`, stream).Scan(&last); err != nil {
		return 0, fmt.Errorf("read %s: %w", stream, err)
	}
	if !last.Valid {
		return -1, nil
	}
	return last.Int64, nil
}

// ReadStream returns up to max events of stream from revision from on
// (from the oldest kept one when from was dropped).
func (s *SystemStreams) ReadStream(ctx context.Context, stream string, from int64, max int) ([]eventstore.RecordedEvent, error) {
	return s.query(ctx, stream, `SELECT revision, id, type, data, metadata, recorded_at FROM system_events
		WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`, stream, from, max)
}

// ReadStreamTail returns up to max of the stream's newest events, oldest
// first.
func (s *SystemStreams) ReadStreamTail(ctx context.Context, stream string, max int) ([]eventstore.RecordedEvent, error) {
	events, err := s.query(ctx, stream, `SELECT revision, id, type, data, metadata, recorded_at FROM system_events
		WHERE stream = ? ORDER BY revision DESC LIMIT ?`, stream, max)
	return reversed(events), err
}

func (s *SystemStreams) query(ctx context.Context, stream, q string, args ...any) ([]eventstore.RecordedEvent, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	defer rows.Close()
	var out []eventstore.RecordedEvent
	for rows.Next() {
		e := eventstore.RecordedEvent{Stream: stream}
		var id string
		var at int64
		if err := rows.Scan(&e.Version, &id, &e.Type, &e.Data, &e.Metadata, &at); err != nil {
			return nil, fmt.Errorf("read %s: %w", stream, err)
		}
		if e.ID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("read %s: %w", stream, err)
		}
		e.RecordedAt = time.Unix(0, at).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	return out, nil
}

// Last implements coordination.Streams.
func (s *SystemStreams) Last(ctx context.Context, stream string) (eventstore.RecordedEvent, bool, error) {
	tail, err := s.ReadStreamTail(ctx, stream, 1)
	if err != nil || len(tail) == 0 {
		return eventstore.RecordedEvent{}, false, err
	}
	return tail[0], true, nil
}

// Put implements coordination.Streams.
func (s *SystemStreams) Put(ctx context.Context, stream string, expected eventstore.ExpectedVersion, typ string, data []byte) (int64, error) {
	res, err := s.Append(ctx, stream, expected, []eventstore.EventData{{ID: uuid.New(), Type: typ, Data: data, Metadata: []byte("{}")}})
	return res.NextExpectedVersion, err
}
