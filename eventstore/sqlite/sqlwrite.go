package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

const (
	// rowsPerInsert is how many events one INSERT statement carries; 10
	// parameters each stay far below SQLite's 32766-parameter limit.
	rowsPerInsert = 100
	// idsPerLookup bounds the JSON arrays passed to lookups.
	idsPerLookup = 1000
)

// writeStmts are the writer's prepared statements, reused across
// transactions on the write connection.
type writeStmts struct {
	conn    *sql.Conn
	events  *multiInsert
	streams *multiInsert
	ids     *sql.Stmt
	heads   *sql.Stmt
}

func prepareWrites(ctx context.Context, conn *sql.Conn) (*writeStmts, error) {
	ws := &writeStmts{
		conn: conn,
		// OR FAIL: see multiInsert.
		events: newMultiInsert(conn, `INSERT OR FAIL INTO events (event_id, stream, stream_id, version, type, schema, data, metadata, recorded_at, prev_hash, hash) VALUES `,
			"(?,?,?,?,?,?,?,?,?,?,?)"),
		streams: newMultiInsert(conn, `INSERT OR FAIL INTO streams (name) VALUES `, "(?)"),
	}
	var err error
	if ws.ids, err = conn.PrepareContext(ctx, `SELECT event_id, stream, version, position, type, data
		FROM events WHERE event_id IN (SELECT value FROM json_each(?))`); err != nil {
		return nil, fmt.Errorf("prepare id lookup: %w", err)
	}
	// A stream's head is one seek on streams.name and one on the
	// (stream_id, version) index. The LEFT JOIN keeps a streams row that
	// has no events (never written by the store) from being numbered twice.
	if ws.heads, err = conn.PrepareContext(ctx, `SELECT s.name, s.id, COALESCE(e.version, -1), COALESCE(e.hash, '')
		FROM json_each(?) AS j
		JOIN streams AS s ON s.name = j.value
		LEFT JOIN events AS e ON e.stream_id = s.id
			AND e.version = (SELECT MAX(version) FROM events WHERE stream_id = s.id)`); err != nil {
		ws.close()
		return nil, fmt.Errorf("prepare stream heads: %w", err)
	}
	return ws, nil
}

func (ws *writeStmts) close() {
	ws.events.close()
	ws.streams.close()
	for _, st := range []*sql.Stmt{ws.ids, ws.heads} {
		if st != nil {
			st.Close()
		}
	}
}

// multiInsert writes rows with multi-row INSERT statements, prepared once
// per number of rows, into a table whose INTEGER PRIMARY KEY it leaves to
// SQLite: SQLite gives a new row max(key)+1, the value the writer already
// assigned, and insert checks that it did. Naming the key would make
// SQLite open a statement journal for every multi-row INSERT (a full copy
// of every page the statement touches), the largest avoidable cost of a
// batch. OR FAIL says the same thing: a failed statement fails the whole
// transaction, which the writer rolls back.
type multiInsert struct {
	conn   *sql.Conn
	prefix string // INSERT ... VALUES
	tuple  string // one row's placeholders
	stmts  map[int]*sql.Stmt
	args   []any
}

func newMultiInsert(conn *sql.Conn, prefix, tuple string) *multiInsert {
	return &multiInsert{conn: conn, prefix: prefix, tuple: tuple, stmts: make(map[int]*sql.Stmt)}
}

func (m *multiInsert) close() {
	for _, st := range m.stmts {
		st.Close()
	}
}

func (m *multiInsert) stmt(ctx context.Context, n int) (*sql.Stmt, error) {
	if st, ok := m.stmts[n]; ok {
		return st, nil
	}
	var q strings.Builder
	q.WriteString(m.prefix)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(m.tuple)
	}
	st, err := m.conn.PrepareContext(ctx, q.String())
	if err != nil {
		return nil, fmt.Errorf("prepare insert of %d rows: %w", n, err)
	}
	m.stmts[n] = st
	return st, nil
}

// insert writes n rows whose keys the writer numbered first..first+n-1,
// rowsPerInsert at a time; args(i, dst) appends row i's values to dst.
func (m *multiInsert) insert(ctx context.Context, first int64, n int, args func(i int, dst []any) []any) error {
	for done := 0; done < n; {
		k := min(n-done, rowsPerInsert)
		st, err := m.stmt(ctx, k)
		if err != nil {
			return err
		}
		a := m.args[:0]
		for i := done; i < done+k; i++ {
			a = args(i, a)
		}
		m.args = a
		lo, hi := first+int64(done), first+int64(done+k-1)
		res, err := st.ExecContext(ctx, a...)
		if err != nil {
			return fmt.Errorf("rows %d..%d: %w", lo, hi, err)
		}
		got, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("rows %d..%d: %w", lo, hi, err)
		}
		if got != hi {
			return fmt.Errorf("rows %d..%d: the database placed the last at %d", lo, hi, got)
		}
		done += k
	}
	clear(m.args) // drop references to the batch's strings
	return nil
}

// insert writes the batch's new streams, then its events, that are not
// written yet.
func (ws *writeStmts) insert(ctx context.Context, b *batch) error {
	if streams := b.newStreams[b.writtenStreams:]; len(streams) > 0 {
		first := b.nextStream - int64(len(b.newStreams)) + int64(b.writtenStreams)
		err := ws.streams.insert(ctx, first, len(streams), func(i int, dst []any) []any {
			return append(dst, streams[i])
		})
		if err != nil {
			return fmt.Errorf("insert streams: %w", err)
		}
		b.writtenStreams = len(b.newStreams)
	}
	if rows := b.rows[b.written:]; len(rows) > 0 {
		err := ws.events.insert(ctx, int64(rows[0].position), len(rows), func(i int, dst []any) []any {
			r := &rows[i]
			return append(dst, r.ev.idStr, r.stream, r.streamID, r.version, r.ev.typ,
				int64(r.ev.schema), r.ev.data, r.ev.meta, r.atText, r.prevHash, r.hash)
		})
		if err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		b.written = len(b.rows)
	}
	return nil
}

// lookupIDs returns the stored events among the requests' event ids.
func (ws *writeStmts) lookupIDs(ctx context.Context, reqs []*request) (map[string]storedEvent, error) {
	var ids []string
	for _, r := range reqs {
		for i := range r.events {
			ids = append(ids, r.events[i].idStr)
		}
	}
	found := make(map[string]storedEvent)
	for chunk := range slices.Chunk(ids, idsPerLookup) {
		if err := ws.lookupIDChunk(ctx, chunk, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

func (ws *writeStmts) lookupIDChunk(ctx context.Context, ids []string, found map[string]storedEvent) error {
	arr, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("look up event ids: %w", err)
	}
	rows, err := ws.ids.QueryContext(ctx, string(arr))
	if err != nil {
		return fmt.Errorf("look up event ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var e storedEvent
		var pos int64
		if err := rows.Scan(&id, &e.stream, &e.version, &pos, &e.typ, &e.data); err != nil {
			return fmt.Errorf("look up event ids: %w", err)
		}
		e.position = uint64(pos)
		found[id] = e
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up event ids: %w", err)
	}
	return nil
}

// streamHeads returns the heads of those of streams that have events.
func (ws *writeStmts) streamHeads(ctx context.Context, streams []string) (map[string]streamHead, error) {
	found := make(map[string]streamHead, len(streams))
	for chunk := range slices.Chunk(streams, idsPerLookup) {
		if err := ws.streamHeadChunk(ctx, chunk, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

func (ws *writeStmts) streamHeadChunk(ctx context.Context, streams []string, found map[string]streamHead) error {
	arr, err := json.Marshal(streams)
	if err != nil {
		return fmt.Errorf("load stream heads: %w", err)
	}
	rows, err := ws.heads.QueryContext(ctx, string(arr))
	if err != nil {
		return fmt.Errorf("load stream heads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var h streamHead
		if err := rows.Scan(&s, &h.id, &h.version, &h.hash); err != nil {
			return fmt.Errorf("load stream heads: %w", err)
		}
		found[s] = h
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load stream heads: %w", err)
	}
	return nil
}

// dataVersion changes whenever another connection commits to the file.
func (ws *writeStmts) dataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := ws.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read data_version: %w", err)
	}
	return v, nil
}

// tail returns where the committed log ends.
func (ws *writeStmts) tail(ctx context.Context) (tail, error) {
	var pos, sid int64
	var at string
	err := ws.conn.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT position FROM events ORDER BY position DESC LIMIT 1), 0),
		COALESCE((SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1), ''),
		COALESCE((SELECT MAX(id) FROM streams), 0)`).Scan(&pos, &at, &sid)
	if err != nil {
		return tail{}, fmt.Errorf("read the end of the log: %w", err)
	}
	t := tail{position: uint64(pos), streamID: sid}
	if pos == 0 {
		return t, nil
	}
	if t.at, err = parseRecordedAt(at); err != nil {
		return tail{}, fmt.Errorf("last event at position %d: %w", pos, err)
	}
	return t, nil
}
