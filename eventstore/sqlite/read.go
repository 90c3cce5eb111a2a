package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

const eventColumns = `position, event_id, stream, version, type, schema, data, metadata, recorded_at, prev_hash, hash`

// streamIDOf is how every reader finds a stream's number from its name:
// ReadStream and the filing check must agree on it.
const streamIDOf = `(SELECT id FROM streams WHERE name = %s)`

// readStmts are the prepared statements of the read pool.
type readStmts struct {
	all      *sql.Stmt
	stream   *sql.Stmt
	tail     *sql.Stmt
	head     *sql.Stmt
	misfiled *sql.Stmt
}

func prepareReads(ctx context.Context, db *sql.DB) (readStmts, error) {
	var r readStmts
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		if st, err = db.PrepareContext(ctx, q); err != nil {
			err = fmt.Errorf("prepare %q: %w", q, err)
		}
		return st
	}
	r.all = prep(`SELECT ` + eventColumns + ` FROM events WHERE position > ? ORDER BY position LIMIT ?`)
	// The stream column is not indexed: a stream's events are found by
	// its number, on the (stream_id, version) index.
	r.stream = prep(`SELECT ` + eventColumns + ` FROM events WHERE stream_id = ` + fmt.Sprintf(streamIDOf, "?") +
		` AND version >= ? ORDER BY version LIMIT ?`)
	r.tail = prep(`SELECT ` + eventColumns + ` FROM events WHERE stream_id = ` + fmt.Sprintf(streamIDOf, "?") +
		` ORDER BY version DESC LIMIT ?`)
	r.head = prep(`SELECT COALESCE(MAX(position), 0) FROM events`)
	// An event is filed rightly when the streams row of its number bears
	// its stream's name: a lookup by rowid per event, instead of one by
	// name (names are unique, so the two say the same).
	r.misfiled = prep(`SELECT e.position, e.stream, e.stream_id, ` + fmt.Sprintf(streamIDOf, "e.stream") + `
		FROM events AS e LEFT JOIN streams AS s ON s.id = e.stream_id
		WHERE e.position > ? AND e.position <= ? AND s.name IS NOT e.stream`)
	if err != nil {
		r.close()
	}
	return r, err
}

func (r readStmts) close() {
	for _, st := range []*sql.Stmt{r.all, r.stream, r.tail, r.head, r.misfiled} {
		if st != nil {
			st.Close()
		}
	}
}

// ReadStream implements eventstore.Store. max must be positive.
func (s *Store) ReadStream(ctx context.Context, stream string, from int64, max int) ([]eventstore.RecordedEvent, error) {
	if err := s.readable(max); err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	if from < 0 {
		from = 0
	}
	var gen uint64
	if s.committed != nil {
		v, known, g := s.committed.version(stream)
		if known && from > v {
			return nil, nil // past the head: nothing to read (see WithSoleWriter)
		}
		gen = g
	}
	rows, err := s.reads.stream.QueryContext(ctx, stream, from, max)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, s.mapErr(err))
	}
	events, err := scanEvents(rows, max)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, s.mapErr(err))
	}
	if s.committed != nil && from == 0 && len(events) == 0 {
		// A new stream is read before it is first written (a new
		// customer, conversation, interaction): asked again, it is
		// answered from memory until its first commit.
		s.committed.markEmpty(stream, gen)
	}
	return events, nil
}

// ReadStreamTail implements eventstore.TailReader.
func (s *Store) ReadStreamTail(ctx context.Context, stream string, max int) ([]eventstore.RecordedEvent, error) {
	if err := s.readable(max); err != nil {
		return nil, fmt.Errorf("read the tail of %s: %w", stream, err)
	}
	rows, err := s.reads.tail.QueryContext(ctx, stream, max)
	if err != nil {
		return nil, fmt.Errorf("read the tail of %s: %w", stream, s.mapErr(err))
	}
	events, err := scanEvents(rows, max)
	if err != nil {
		return nil, fmt.Errorf("read the tail of %s: %w", stream, s.mapErr(err))
	}
	slices.Reverse(events)
	return events, nil
}

// ReadAll implements eventstore.Store. max must be positive; each call
// reads one consistent snapshot.
func (s *Store) ReadAll(ctx context.Context, after uint64, max int) ([]eventstore.RecordedEvent, error) {
	if err := s.readable(max); err != nil {
		return nil, fmt.Errorf("read $all after %d: %w", after, err)
	}
	if s.recent != nil {
		if events, ok := s.recent.read(after, max); ok {
			return events, nil // see recentEvents
		}
	}
	if max >= bulkReadMin {
		events, err := s.readAllBulk(ctx, after, max)
		if err != nil {
			return nil, fmt.Errorf("read $all after %d: %w", after, s.mapErr(err))
		}
		return events, nil
	}
	rows, err := s.reads.all.QueryContext(ctx, int64(after), max)
	if err != nil {
		return nil, fmt.Errorf("read $all after %d: %w", after, s.mapErr(err))
	}
	events, err := scanEvents(rows, max)
	if err != nil {
		return nil, fmt.Errorf("read $all after %d: %w", after, s.mapErr(err))
	}
	return events, nil
}

// HeadPosition implements eventstore.Store.
func (s *Store) HeadPosition(ctx context.Context) (uint64, error) {
	if s.closed.Load() {
		return 0, eventstore.ErrClosed
	}
	var head int64
	if err := s.reads.head.QueryRowContext(ctx).Scan(&head); err != nil {
		return 0, fmt.Errorf("head position: %w", s.mapErr(err))
	}
	return uint64(head), nil
}

// MisfiledEvents implements eventstore.FilingChecker. The hash chain
// covers the stream column, not stream_id or the streams table that
// ReadStream goes through; an event whose stream_id is not the number of
// the stream it was recorded on is one ReadStream would hide from that
// stream (or show in another).
func (s *Store) MisfiledEvents(ctx context.Context, after, upto uint64) (map[uint64]string, error) {
	if s.closed.Load() {
		return nil, eventstore.ErrClosed
	}
	rows, err := s.reads.misfiled.QueryContext(ctx, int64(after), int64(upto))
	if err != nil {
		return nil, fmt.Errorf("check stream ids after %d: %w", after, s.mapErr(err))
	}
	defer rows.Close()
	bad := make(map[uint64]string)
	for rows.Next() {
		var pos, filed int64
		var stream string
		var want sql.NullInt64
		if err := rows.Scan(&pos, &stream, &filed, &want); err != nil {
			return nil, fmt.Errorf("check stream ids after %d: %w", after, s.mapErr(err))
		}
		bad[uint64(pos)] = misfiledReason(stream, filed, want)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check stream ids after %d: %w", after, s.mapErr(err))
	}
	return bad, nil
}

func misfiledReason(stream string, filed int64, want sql.NullInt64) string {
	if !want.Valid {
		return fmt.Sprintf("filed under stream_id %d, but the streams table has no stream %s (stream_id or streams changed)", filed, stream)
	}
	return fmt.Sprintf("filed under stream_id %d, but stream %s is stream_id %d (stream_id or streams changed)", filed, stream, want.Int64)
}

func (s *Store) readable(max int) error {
	if s.closed.Load() {
		return eventstore.ErrClosed
	}
	if max <= 0 {
		return fmt.Errorf("max must be positive, got %d", max)
	}
	return nil
}

// mapErr turns the errors of a pool closed under a running read into
// eventstore.ErrClosed.
func (s *Store) mapErr(err error) error {
	if s.closed.Load() && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w (%v)", eventstore.ErrClosed, err)
	}
	return err
}

// bulkCapacity bounds what scanEvents reserves for a long read at once.
const bulkCapacity = 1024

func scanEvents(rows *sql.Rows, max int) ([]eventstore.RecordedEvent, error) {
	defer rows.Close()
	// Most reads are a command loading a short stream: a few events. A
	// RecordedEvent is ~250 bytes, so reserving room for hundreds up front
	// made every such read allocate and clear ~64 KiB (a tenth of the CPU
	// of the phone channel's load test went there); append grows as needed.
	// A read past that size is a page of $all or of a long stream, which
	// usually fills: it jumps to the page's size (up to bulkCapacity)
	// instead of doubling its way there, copying every event each time.
	events := make([]eventstore.RecordedEvent, 0, min(max, 16))
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		if len(events) == 16 && cap(events) == 16 && max > 16 {
			events = append(make([]eventstore.RecordedEvent, 0, min(max, bulkCapacity)), events...)
		}
		events = append(events, e)
	}
	return events, rows.Err()
}

func scanEvent(rows *sql.Rows) (eventstore.RecordedEvent, error) {
	var (
		e      eventstore.RecordedEvent
		pos    int64
		id, at string
	)
	if err := rows.Scan(&pos, &id, &e.Stream, &e.Version, &e.Type, &e.Schema, &e.Data, &e.Metadata, &at, &e.PrevHash, &e.Hash); err != nil {
		return e, fmt.Errorf("scan event: %w", err)
	}
	e.Position = uint64(pos)
	var err error
	if e.ID, err = uuid.Parse(id); err != nil {
		return e, fmt.Errorf("event at position %d: id %q: %w", pos, id, err)
	}
	if e.RecordedAt, err = parseRecordedAt(at); err != nil {
		return e, fmt.Errorf("event at position %d: %w", pos, err)
	}
	return e, nil
}

// parseRecordedAt parses a recorded_at column. The hash covers the time in
// its canonical form, so a value that is not canonical (the same instant
// written differently) was not written by the store and is refused rather
// than silently normalised.
func parseRecordedAt(at string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return time.Time{}, fmt.Errorf("recorded_at %q: %w", at, err)
	}
	t = t.UTC()
	var canonical [40]byte // on the stack: this runs once per event read
	if string(t.AppendFormat(canonical[:0], time.RFC3339Nano)) != at {
		return time.Time{}, fmt.Errorf("recorded_at %q is not in the canonical UTC RFC 3339 form the store writes", at)
	}
	return t, nil
}
