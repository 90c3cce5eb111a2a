// Package embedded is the analytics back end used when no ClickHouse is
// configured: the fact tables in a SQLite file in the data directory. It
// owns that file's schema, its upserts (the highest version of a key
// wins) and the SQL functions the report catalogue needs from ClickHouse
// (time buckets in a time zone). Each batch commits with its checkpoint in
// one transaction.
package embedded

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"

	"github.com/interactionledger/ledger/analytics"
)

// FileName is the embedded back end's file in the data directory.
const FileName = "analytics.db"

// Backend is the SQLite analytics back end.
type Backend struct {
	db   *sql.DB
	path string

	stmtsMu sync.Mutex
	stmts   map[string]*sql.Stmt // upsert text -> prepared once (see prepared)
}

var registerOnce sync.Once
var registerErr error

// registerFunctions adds ledger_bucket(ms, unit, zone) to SQLite: the
// start, in epoch seconds, of the hour/day/week/month holding ms in zone,
// computed by analytics.BucketStart like ClickHouse computes its own.
func registerFunctions() error {
	registerOnce.Do(func() {
		registerErr = sqlite.RegisterDeterministicScalarFunction("ledger_bucket", 3, bucketFunc)
	})
	return registerErr
}

var zones sync.Map // name -> *time.Location

func bucketFunc(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	ms, ok := args[0].(int64)
	if !ok {
		return nil, fmt.Errorf("ledger_bucket: time %v is not an integer", args[0])
	}
	unit, _ := args[1].(string)
	zone, _ := args[2].(string)
	loc, ok := zones.Load(zone)
	if !ok {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return nil, fmt.Errorf("ledger_bucket: %w", err)
		}
		loc, _ = zones.LoadOrStore(zone, l)
	}
	return analytics.BucketStart(time.UnixMilli(ms), unit, loc.(*time.Location)).Unix(), nil
}

// Open opens (creating if needed) the embedded back end at path.
func Open(ctx context.Context, path string) (*Backend, error) {
	if err := registerFunctions(); err != nil {
		return nil, fmt.Errorf("analytics: register SQLite functions: %w", err)
	}
	q := url.Values{}
	// page_size (before WAL, and only on a new file): wide fact rows in
	// 16 KiB pages mean fewer pages split and written per batch.
	for _, p := range []string{"page_size(16384)", "journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open analytics database %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open analytics database %s: %w", path, err)
	}
	return &Backend{db: db, path: path}, nil
}

// Dialect implements analytics.Backend.
func (b *Backend) Dialect() analytics.Dialect { return dialect{} }

// Setup implements analytics.Backend. Tables of another
// analytics.SchemaVersion are dropped with the checkpoints, in the same
// transaction as the new ones are created: the sink then writes them from
// the start of the ledger.
func (b *Backend) Setup(ctx context.Context) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("analytics schema: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := b.setup(ctx, tx); err != nil {
		return fmt.Errorf("analytics schema: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("analytics schema: %w", err)
	}
	return nil
}

func (b *Backend) setup(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS analytics_schema (version TEXT NOT NULL) STRICT`); err != nil {
		return err
	}
	want := analytics.SchemaVersion()
	var have string
	err := tx.QueryRowContext(ctx, `SELECT version FROM analytics_schema`).Scan(&have)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read schema version: %w", err)
	}
	var stmts []string
	if have != want {
		for _, t := range analytics.FactTables {
			stmts = append(stmts, "DROP TABLE IF EXISTS "+t.Name)
		}
		stmts = append(stmts, "DROP TABLE IF EXISTS sink_checkpoint", "DELETE FROM analytics_schema")
	}
	stmts = append(stmts, `CREATE TABLE IF NOT EXISTS sink_checkpoint (sink TEXT PRIMARY KEY, position INTEGER NOT NULL) STRICT`)
	for _, t := range analytics.FactTables {
		stmts = append(stmts, createTable(t))
		for i, idx := range t.Indexes {
			stmts = append(stmts, fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s_i%d ON %s (%s)", t.Name, i, t.Name, strings.Join(idx, ", ")))
		}
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	if have != want {
		if _, err := tx.ExecContext(ctx, `INSERT INTO analytics_schema (version) VALUES (?)`, want); err != nil {
			return err
		}
	}
	return nil
}

func createTable(t *analytics.FactTable) string {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		typ := "TEXT NOT NULL DEFAULT ''"
		if c.Kind == analytics.KindInt {
			typ = "INTEGER NOT NULL DEFAULT 0"
		}
		cols[i] = c.Name + " " + typ
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (%s, PRIMARY KEY (%s)) WITHOUT ROWID, STRICT",
		t.Name, strings.Join(cols, ", "), strings.Join(t.Key, ", "))
}

// Checkpoint implements analytics.Backend.
func (b *Backend) Checkpoint(ctx context.Context, sink string) (uint64, error) {
	var pos int64
	err := b.db.QueryRowContext(ctx, `SELECT position FROM sink_checkpoint WHERE sink = ?`, sink).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read analytics checkpoint: %w", err)
	}
	return uint64(pos), nil
}

// Begin implements analytics.Backend: a batch is one transaction.
func (b *Backend) Begin(ctx context.Context) (analytics.Writer, error) {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &writer{b: b, tx: tx}, nil
}

// Query implements analytics.Backend.
func (b *Backend) Query(ctx context.Context, query string, args ...any) (analytics.Rows, error) {
	rows, err := b.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("analytics query: %w", err)
	}
	return rows, nil
}

// Close implements analytics.Backend.
func (b *Backend) Close() error {
	b.stmtsMu.Lock()
	var errs []error
	for _, st := range b.stmts {
		errs = append(errs, st.Close())
	}
	b.stmts = nil
	b.stmtsMu.Unlock()
	return errors.Join(append(errs, b.db.Close())...)
}

// writer upserts rows in one transaction.
type writer struct {
	b  *Backend
	tx *sql.Tx
}

// rowChunks are the multi-row INSERTs' sizes, largest first: a batch's
// rows go in as many of the largest as fit, the rest in smaller ones, so
// each table needs only these few statements, each prepared once (a
// statement of hundreds of rows costs more to prepare than to run). The
// largest keeps under SQLite's limit of bound parameters whatever the
// table's width.
var rowChunks = []int{256, 32, 4, 1}

func (w *writer) Insert(ctx context.Context, rows *analytics.Columns) error {
	t := rows.Table
	args := make([]any, 0, rowChunks[0]*len(t.Columns))
	for start := 0; start < rows.Len(); {
		n := chunkFor(rows.Len() - start)
		args = args[:0]
		for r := start; r < start+n; r++ {
			for c := range t.Columns {
				args = append(args, rows.Value(c, r))
			}
		}
		st, err := w.b.prepared(ctx, upsert(t, n))
		if err != nil {
			return err
		}
		if _, err := w.tx.StmtContext(ctx, st).ExecContext(ctx, args...); err != nil {
			return err
		}
		start += n
	}
	return nil
}

// chunkFor is the largest chunk that left rows fill.
func chunkFor(left int) int {
	for _, n := range rowChunks {
		if left >= n {
			return n
		}
	}
	return left
}

// prepared returns query prepared on the back end's connection, preparing
// it on first use.
func (b *Backend) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	b.stmtsMu.Lock()
	defer b.stmtsMu.Unlock()
	if st, ok := b.stmts[query]; ok {
		return st, nil
	}
	st, err := b.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if b.stmts == nil {
		b.stmts = make(map[string]*sql.Stmt)
	}
	b.stmts[query] = st
	return st, nil
}

var upserts sync.Map // table name + row count -> statement text

// upsert is a multi-row INSERT that keeps, for each key, the row with the
// highest version (equal versions are the same snapshot written again).
func upsert(t *analytics.FactTable, n int) string {
	key := fmt.Sprintf("%s/%d", t.Name, n)
	if s, ok := upserts.Load(key); ok {
		return s.(string)
	}
	names := t.ColumnNames()
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ") + ")"
	values := strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	if t.Immutable {
		s := fmt.Sprintf("INSERT OR IGNORE INTO %s (%s) VALUES %s", t.Name, strings.Join(names, ", "), values)
		upserts.Store(key, s)
		return s
	}
	var set []string
	for _, c := range names {
		if !containsStr(t.Key, c) {
			set = append(set, c+" = excluded."+c)
		}
	}
	s := fmt.Sprintf("INSERT INTO %s (%s) VALUES %s ON CONFLICT (%s) DO UPDATE SET %s WHERE excluded.version >= %s.version",
		t.Name, strings.Join(names, ", "), values,
		strings.Join(t.Key, ", "), strings.Join(set, ", "), t.Name)
	upserts.Store(key, s)
	return s
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (w *writer) Commit(ctx context.Context, sink string, position uint64) error {
	_, err := w.tx.ExecContext(ctx, `INSERT INTO sink_checkpoint (sink, position) VALUES (?, ?)
		ON CONFLICT (sink) DO UPDATE SET position = max(position, excluded.position)`, sink, int64(position))
	if err != nil {
		return err
	}
	return w.tx.Commit()
}

func (w *writer) Rollback() { _ = w.tx.Rollback() }

// dialect is SQLite's side of analytics.Dialect.
type dialect struct{}

func (dialect) Name() string      { return "sqlite" }
func (dialect) Final() string     { return "" }
func (dialect) InnerJoin() string { return "INNER JOIN" }
func (dialect) Bucket(unit, msExpr, tz string) string {
	return fmt.Sprintf("ledger_bucket(%s, '%s', '%s')", msExpr, unit, tz)
}
func (dialect) Int(aggregate string) string { return "coalesce(" + aggregate + ", 0)" }
func (dialect) CountDistinctIf(expr, cond string) string {
	return "count(DISTINCT CASE WHEN " + cond + " THEN " + expr + " END)"
}
