package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
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
	inserts map[int]*sql.Stmt // by number of rows
	ids     *sql.Stmt
	heads   *sql.Stmt
	args    []any
}

func prepareWrites(ctx context.Context, conn *sql.Conn) (*writeStmts, error) {
	ws := &writeStmts{conn: conn, inserts: make(map[int]*sql.Stmt)}
	var err error
	if ws.ids, err = conn.PrepareContext(ctx, `SELECT event_id, stream, version, position, type, data
		FROM events WHERE event_id IN (SELECT value FROM json_each(?))`); err != nil {
		return nil, fmt.Errorf("prepare id lookup: %w", err)
	}
	// MAX(version) on the (stream, version) index is one seek per stream.
	if ws.heads, err = conn.PrepareContext(ctx, `SELECT e.stream, e.version, e.hash
		FROM json_each(?) AS s
		JOIN events AS e ON e.stream = s.value
			AND e.version = (SELECT MAX(version) FROM events WHERE stream = s.value)`); err != nil {
		ws.close()
		return nil, fmt.Errorf("prepare stream heads: %w", err)
	}
	return ws, nil
}

func (ws *writeStmts) close() {
	for _, st := range ws.inserts {
		st.Close()
	}
	for _, st := range []*sql.Stmt{ws.ids, ws.heads} {
		if st != nil {
			st.Close()
		}
	}
}

// insertStmt returns the prepared INSERT for n rows. The position column
// is left to SQLite, which gives a new row max(position)+1: naming it
// would make SQLite open a statement journal for every multi-row INSERT (a
// full copy of every page the statement touches), the largest avoidable
// cost of a batch. OR FAIL says the same thing: a failed statement fails
// the whole transaction, which the writer rolls back.
func (ws *writeStmts) insertStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	if st, ok := ws.inserts[n]; ok {
		return st, nil
	}
	var q strings.Builder
	q.WriteString(`INSERT OR FAIL INTO events (event_id, stream, version, type, schema, data, metadata, recorded_at, prev_hash, hash) VALUES `)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(?,?,?,?,?,?,?,?,?,?)")
	}
	st, err := ws.conn.PrepareContext(ctx, q.String())
	if err != nil {
		return nil, fmt.Errorf("prepare insert of %d rows: %w", n, err)
	}
	ws.inserts[n] = st
	return st, nil
}

// insert writes rows with multi-row INSERT statements and checks that
// SQLite gave them the positions the writer assigned.
func (ws *writeStmts) insert(ctx context.Context, rows []row, at string) error {
	for len(rows) > 0 {
		n := min(len(rows), rowsPerInsert)
		if err := ws.insertChunk(ctx, rows[:n], at); err != nil {
			return err
		}
		rows = rows[n:]
	}
	clear(ws.args)
	return nil
}

func (ws *writeStmts) insertChunk(ctx context.Context, rows []row, at string) error {
	st, err := ws.insertStmt(ctx, len(rows))
	if err != nil {
		return err
	}
	args := ws.args[:0]
	for i := range rows {
		r := &rows[i]
		args = append(args, r.ev.idStr, r.stream, r.version, r.ev.typ,
			int64(r.ev.schema), r.ev.data, r.ev.meta, at, r.prevHash, r.hash)
	}
	ws.args = args
	first, last := rows[0].position, rows[len(rows)-1].position
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("insert events at positions %d..%d: %w", first, last, err)
	}
	got, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert events at positions %d..%d: %w", first, last, err)
	}
	if uint64(got) != last {
		return fmt.Errorf("insert events at positions %d..%d: the database placed the last at %d", first, last, got)
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
		if err := rows.Scan(&s, &h.version, &h.hash); err != nil {
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

// tail returns the last position and recorded_at in the file.
func (ws *writeStmts) tail(ctx context.Context) (uint64, time.Time, error) {
	var pos int64
	var at string
	err := ws.conn.QueryRowContext(ctx, `SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1`).Scan(&pos, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("read last event: %w", err)
	}
	t, err := parseRecordedAt(at)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("last event at position %d: %w", pos, err)
	}
	return uint64(pos), t, nil
}
