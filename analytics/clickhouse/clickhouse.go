// Package clickhouse is the ClickHouse analytics back end, over the native
// protocol of github.com/ClickHouse/clickhouse-go/v2. It owns the fact
// tables' ClickHouse schema (ReplacingMergeTree keyed like
// analytics.FactTable, versioned by the $all position of the snapshot),
// columnar batch inserts and the checkpoint table. Its SQL runs on
// ClickHouse 18.16 (Debian's package) and on current releases; see
// analytics/NOTES.md.
package clickhouse

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ClickHouse/ch-go/proto"
	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/interactionledger/ledger/analytics"
)

// Backend is the ClickHouse analytics back end.
type Backend struct {
	conn driver.Conn
}

// Open connects to the ClickHouse server named by dsn, e.g.
// clickhouse://127.0.0.1:9000/default (see clickhouse-go's ParseDSN).
func Open(ctx context.Context, dsn string) (*Backend, error) {
	opts, err := ch.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("clickhouse DSN: %w", err)
	}
	if opts.DialTimeout == 0 || opts.DialTimeout > 10*time.Second {
		opts.DialTimeout = 5 * time.Second
	}
	if opts.ReadTimeout == 0 || opts.ReadTimeout > time.Minute {
		// A dead server should fail a write within a minute, so the sink
		// retries instead of waiting for the driver's 5-minute default.
		opts.ReadTimeout = time.Minute
	}
	conn, err := ch.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", redact(dsn), err)
	}
	return &Backend{conn: conn}, nil
}

// redact drops the password from a DSN for messages.
func redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at >= 0 {
		if scheme := strings.Index(dsn, "://"); scheme >= 0 && scheme < at {
			return dsn[:scheme+3] + "…" + dsn[at:]
		}
	}
	return dsn
}

// Ping checks that the server answers.
func (b *Backend) Ping(ctx context.Context) error { return b.conn.Ping(ctx) }

// Dialect implements analytics.Backend.
func (b *Backend) Dialect() analytics.Dialect { return dialect{} }

// Setup implements analytics.Backend. Tables of another
// analytics.SchemaVersion are dropped with the checkpoints and created
// again, and the version is written last, so that a crash in between
// drops them again at the next start: the sink then writes them from the
// start of the ledger.
func (b *Backend) Setup(ctx context.Context) error {
	if err := b.conn.Exec(ctx, createSchemaTable); err != nil {
		return fmt.Errorf("clickhouse schema: %w", err)
	}
	have, err := b.schemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("clickhouse schema: %w", err)
	}
	want := analytics.SchemaVersion()
	var stmts []string
	if have != want {
		for _, t := range analytics.FactTables {
			stmts = append(stmts, "DROP TABLE IF EXISTS "+t.Name)
		}
		stmts = append(stmts, "DROP TABLE IF EXISTS sink_checkpoint", "DROP TABLE analytics_schema", createSchemaTable)
	}
	stmts = append(stmts, "CREATE TABLE IF NOT EXISTS sink_checkpoint (sink String, position Int64) ENGINE = ReplacingMergeTree(position) ORDER BY sink")
	for _, t := range analytics.FactTables {
		stmts = append(stmts, createTable(t))
	}
	for _, s := range stmts {
		if err := b.conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("clickhouse schema: %w", err)
		}
	}
	if have != want {
		if err := b.writeSchemaVersion(ctx, want); err != nil {
			return fmt.Errorf("clickhouse schema: %w", err)
		}
	}
	return nil
}

// createSchemaTable creates the table holding the schema version.
const createSchemaTable = "CREATE TABLE IF NOT EXISTS analytics_schema (version String) ENGINE = TinyLog"

func (b *Backend) schemaVersion(ctx context.Context) (string, error) {
	rows, err := b.conn.Query(ctx, "SELECT version FROM analytics_schema")
	if err != nil {
		return "", fmt.Errorf("read schema version: %w", err)
	}
	defer rows.Close()
	var v string
	if rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return "", fmt.Errorf("read schema version: %w", err)
		}
	}
	return v, rows.Err()
}

// writeSchemaVersion writes the version as a batch of one: an INSERT with
// inline VALUES through Exec hangs on 18.16's native protocol.
func (b *Backend) writeSchemaVersion(ctx context.Context, version string) error {
	batch, err := b.conn.PrepareBatch(ctx, "INSERT INTO analytics_schema (version)")
	if err != nil {
		return err
	}
	if err := batch.Append(version); err != nil {
		_ = batch.Abort()
		return err
	}
	return batch.Send()
}

func createTable(t *analytics.FactTable) string {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		typ := "String"
		if c.Kind == analytics.KindInt {
			typ = "Int64"
		}
		cols[i] = c.Name + " " + typ
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (%s) ENGINE = ReplacingMergeTree(version) ORDER BY (%s)",
		t.Name, strings.Join(cols, ", "), strings.Join(t.Key, ", "))
}

// Checkpoint implements analytics.Backend.
func (b *Backend) Checkpoint(ctx context.Context, sink string) (uint64, error) {
	var pos int64
	if err := b.conn.QueryRow(ctx, "SELECT toInt64(max(position)) FROM sink_checkpoint WHERE sink = ?", sink).Scan(&pos); err != nil {
		return 0, fmt.Errorf("read clickhouse checkpoint: %w", err)
	}
	return uint64(pos), nil
}

// Begin implements analytics.Backend. ClickHouse has no transactions:
// each Insert is its own INSERT, and Commit writes the checkpoint row
// after them.
func (b *Backend) Begin(context.Context) (analytics.Writer, error) { return writer{conn: b.conn}, nil }

// Query implements analytics.Backend.
func (b *Backend) Query(ctx context.Context, query string, args ...any) (analytics.Rows, error) {
	rows, err := b.conn.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("clickhouse query: %w", err)
	}
	return rows, nil
}

// Close implements analytics.Backend.
func (b *Backend) Close() error { return b.conn.Close() }

type writer struct{ conn driver.Conn }

// Insert sends rows as one columnar block, which is what the native
// protocol carries: each column is appended whole, not row by row.
func (w writer) Insert(ctx context.Context, rows *analytics.Columns) error {
	t := rows.Table
	batch, err := w.conn.PrepareBatch(ctx, "INSERT INTO "+t.Name+" ("+strings.Join(t.ColumnNames(), ", ")+")")
	if err != nil {
		return err
	}
	cols := batch.Columns()
	for i, c := range t.Columns {
		var col any = rows.Strs[i]
		if c.Kind == analytics.KindInt {
			col = rows.Ints[i]
		} else if err := presize(cols[i], rows.Strs[i]); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("column %s: %w", c.Name, err)
		}
		if err := batch.Column(i).Append(col); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("column %s: %w", c.Name, err)
		}
	}
	return batch.Send()
}

// Commit writes the checkpoint row as a batch of one: an INSERT with
// inline VALUES through Exec hangs on 18.16's native protocol.
func (w writer) Commit(ctx context.Context, sink string, position uint64) error {
	batch, err := w.conn.PrepareBatch(ctx, "INSERT INTO sink_checkpoint (sink, position)")
	if err != nil {
		return err
	}
	if err := batch.Append(sink, int64(position)); err != nil {
		_ = batch.Abort()
		return err
	}
	return batch.Send()
}

func (writer) Rollback() {}

// presize gives a String column of a new batch room for vals at once. The
// driver appends a string column value by value to empty buffers, which
// grow by a quarter at a time: for the sink's batches that is most of
// what the sink allocates and copies. The column has no way to reserve
// room but decoding, which sizes its buffers for the rows it reads; so
// decode one row as long as all of vals and len(vals)-1 empty ones, then
// reset it (which keeps the room).
func presize(col column.Interface, vals []string) error {
	if len(vals) < 1024 {
		return nil
	}
	total := 0
	for _, v := range vals {
		total += len(v)
	}
	in := &zeros{head: binary.AppendUvarint(nil, uint64(total)), n: total + len(vals) - 1}
	if err := col.Decode(proto.NewReader(in), len(vals)); err != nil {
		return fmt.Errorf("reserve %d rows: %w", len(vals), err)
	}
	col.Reset()
	return nil
}

// dialect is ClickHouse's side of analytics.Dialect.
type dialect struct{}

func (dialect) Name() string      { return "clickhouse" }
func (dialect) Final() string     { return " FINAL" }
func (dialect) InnerJoin() string { return "ALL INNER JOIN" }

func (dialect) Bucket(unit, msExpr, tz string) string {
	dt := "toDateTime(intDiv(" + msExpr + ", 1000))"
	var start string
	switch unit {
	case "hour":
		start = "toStartOfHour(" + dt + ", '" + tz + "')"
	case "week":
		start = "toDateTime(toMonday(" + dt + ", '" + tz + "'), '" + tz + "')"
	case "month":
		start = "toDateTime(toStartOfMonth(" + dt + ", '" + tz + "'), '" + tz + "')"
	default:
		start = "toStartOfDay(" + dt + ", '" + tz + "')"
	}
	return "toInt64(toUInt32(" + start + "))"
}

func (dialect) Int(aggregate string) string { return "toInt64(" + aggregate + ")" }
func (dialect) CountDistinctIf(expr, cond string) string {
	return "uniqExactIf(" + expr + ", " + cond + ")"
}

// zeros reads head, then n zero bytes: the encoding presize decodes,
// without allocating it.
type zeros struct {
	head []byte
	n    int
}

func (z *zeros) Read(p []byte) (int, error) {
	if len(z.head) > 0 {
		k := copy(p, z.head)
		z.head = z.head[k:]
		return k, nil
	}
	if z.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), z.n)
	clear(p[:k])
	z.n -= k
	return k, nil
}
