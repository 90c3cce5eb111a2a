package projections

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// rowBuffer collects the rows of one INSERT statement during a batch and
// writes them at Flush as multi-row INSERTs: one statement per 64 rows
// instead of one per row is most of what makes a rebuild fast, since the
// per-statement cost (database/sql, binding, VDBE start-up) dwarfs SQLite's
// cost of appending a row.
//
// The statements are INSERT OR FAIL. A multi-row statement that may abort
// (the default conflict resolution, ABORT, undoes the statement's earlier
// rows) makes SQLite keep a statement journal: a copy of every page the
// statement changes, 16 KiB each, taken before it changes it. With FAIL a
// violated constraint still fails the statement, and so the batch, which
// rolls back whole; only the statement journal goes. (An upsert's DO UPDATE
// still aborts, so upserts keep theirs.)
type rowBuffer struct {
	head string // "INSERT INTO t (a, b) VALUES "
	tail string // what follows the values, e.g. " ON CONFLICT DO NOTHING"
	row  string // "(?, ?)"
	cols int
	vals []any
	// order, if set, makes flush write rows sorted by it (stably).
	// Inserting into a B-tree in key order touches each page once
	// instead of jumping around the tree: for a tree keyed by random
	// UUIDs, in modernc.org/sqlite, that makes an insert two to three
	// times cheaper.
	order func(a, b []any) int
	spare []any
}

// rowChunks are the statement sizes a flush uses, largest first.
var rowChunks = []int{64, 8, 1}

// newRowBuffer returns a buffer for "INSERT INTO table (columns) VALUES
// ... tail".
func newRowBuffer(table string, columns []string, tail string) *rowBuffer {
	return &rowBuffer{
		head: "INSERT OR FAIL INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES ",
		tail: tail,
		row:  "(" + placeholders(len(columns)) + ")",
		cols: len(columns),
	}
}

// sortedRowBuffer is newRowBuffer for a table whose key is the first
// column, a random text: rows are written in key order (rows with equal
// keys in the order they were added).
func sortedRowBuffer(table string, columns []string, tail string) *rowBuffer {
	b := newRowBuffer(table, columns, tail)
	b.order = func(x, y []any) int { return strings.Compare(x[0].(string), y[0].(string)) }
	return b
}

// add buffers one row; vals must have one value per column.
func (b *rowBuffer) add(vals ...any) {
	if len(vals) != b.cols {
		panic(fmt.Sprintf("projections: %s: %d values for %d columns", b.head, len(vals), b.cols))
	}
	b.vals = append(b.vals, vals...)
}

func (b *rowBuffer) len() int { return len(b.vals) / b.cols }

func (b *rowBuffer) statement(rows int) string {
	return b.head + strings.Repeat(b.row+", ", rows-1) + b.row + b.tail
}

// flush writes the buffered rows and empties the buffer.
func (b *rowBuffer) flush(ctx context.Context, tx *Tx) error {
	vals := b.vals
	if b.order != nil {
		vals = b.sortRows()
	}
	for _, size := range rowChunks {
		for len(vals) >= size*b.cols {
			if err := tx.Exec(ctx, b.statement(size), vals[:size*b.cols]...); err != nil {
				return err
			}
			vals = vals[size*b.cols:]
		}
	}
	b.reset()
	return nil
}

// sortRows returns the rows ordered by b.order, in spare.
func (b *rowBuffer) sortRows() []any {
	n := b.len()
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return b.order(b.vals[i*b.cols:(i+1)*b.cols], b.vals[j*b.cols:(j+1)*b.cols])
	})
	b.spare = b.spare[:0]
	for _, i := range order {
		b.spare = append(b.spare, b.vals[i*b.cols:(i+1)*b.cols]...)
	}
	return b.spare
}

func (b *rowBuffer) reset() {
	clear(b.vals) // drop references for the garbage collector
	b.vals = b.vals[:0]
	clear(b.spare)
	b.spare = b.spare[:0]
}

// upsertTail is the ON CONFLICT clause that makes an INSERT of columns
// whose first keyColumns are the key replace every other column.
func upsertTail(columns []string, keyColumns int) string {
	sets := make([]string, 0, len(columns)-keyColumns)
	for _, c := range columns[keyColumns:] {
		sets = append(sets, c+" = excluded."+c)
	}
	return " ON CONFLICT (" + strings.Join(columns[:keyColumns], ", ") + ") DO UPDATE SET " + strings.Join(sets, ", ")
}

// cachedRow is a row of a rowCache.
type cachedRow[V any] struct {
	val    V
	live   bool // the row exists (after the batch's changes so far)
	stored bool // the row exists in the database
	dirty  bool
}

// rowCache is a write-back cache of one table's rows by key: a batch
// changes rows in memory, and Flush writes each changed row once (a row
// created and deleted within the batch is never written). An interaction
// goes through half a dozen state changes, most of them in one batch
// during a rebuild, so this turns several UPDATEs into one INSERT.
//
// It holds rows across batches, up to max, so interactions spanning
// batches are not read back; the Runner resets it after a rollback.
type rowCache[V any] struct {
	max   int
	rows  map[string]*cachedRow[V]
	dirty []string // keys changed in the batch
	// load reads a row from the database; found is false if there is none.
	load func(ctx context.Context, tx *Tx, key string) (v V, found bool, err error)
	// save buffers an upsert of the row into buf.
	save   func(buf *rowBuffer, key string, v V)
	upsert *rowBuffer
	// delete is "DELETE FROM t WHERE key IN " for a one-column key; for
	// another key it deletes one row with the arguments keyArgs returns.
	delete  string
	keyArgs func(key string) []any
}

func newRowCache[V any](max int, upsert *rowBuffer, deleteStmt string,
	load func(context.Context, *Tx, string) (V, bool, error), save func(*rowBuffer, string, V)) *rowCache[V] {
	return &rowCache[V]{max: max, rows: make(map[string]*cachedRow[V]), load: load, save: save, upsert: upsert, delete: deleteStmt}
}

// get returns the row for key, reading it from the database the first
// time; a row that does not exist comes back with live false.
func (c *rowCache[V]) get(ctx context.Context, tx *Tx, key string) (*cachedRow[V], error) {
	if r, ok := c.rows[key]; ok {
		return r, nil
	}
	v, found, err := c.load(ctx, tx, key)
	if err != nil {
		return nil, err
	}
	r := &cachedRow[V]{val: v, live: found, stored: found}
	c.rows[key] = r
	return r, nil
}

// create returns a new live row for key, replacing whatever was there,
// without reading the database.
func (c *rowCache[V]) create(key string, v V) *cachedRow[V] {
	r, ok := c.rows[key]
	if !ok {
		// Whether the database has it is unknown: an upsert covers both.
		r = &cachedRow[V]{stored: true}
		c.rows[key] = r
	}
	r.val, r.live = v, true
	c.touch(key, r)
	return r
}

// touch marks a row changed.
func (c *rowCache[V]) touch(key string, r *cachedRow[V]) {
	if !r.dirty {
		r.dirty = true
		c.dirty = append(c.dirty, key)
	}
}

// remove deletes a row.
func (c *rowCache[V]) remove(key string, r *cachedRow[V]) {
	r.live = false
	c.touch(key, r)
}

// flush writes every changed row, in key order (see rowBuffer.sorted),
// and forgets rows beyond max.
func (c *rowCache[V]) flush(ctx context.Context, tx *Tx) error {
	var deletes []any
	slices.Sort(c.dirty)
	for _, key := range c.dirty {
		r := c.rows[key]
		switch {
		case r.live:
			c.save(c.upsert, key, r.val)
			r.stored = true
		case r.stored:
			deletes = append(deletes, key)
			r.stored = false
		}
		r.dirty = false
	}
	c.dirty = c.dirty[:0]
	if err := c.upsert.flush(ctx, tx); err != nil {
		return err
	}
	if c.keyArgs != nil {
		for _, key := range deletes {
			if err := tx.Exec(ctx, c.delete, c.keyArgs(key.(string))...); err != nil {
				return err
			}
		}
		deletes = nil
	}
	for len(deletes) > 0 {
		n := min(len(deletes), 64)
		if err := tx.Exec(ctx, c.delete+"("+placeholders(n)+")", deletes[:n]...); err != nil {
			return err
		}
		deletes = deletes[n:]
	}
	if len(c.rows) > c.max {
		clear(c.rows)
	}
	return nil
}

// forget drops the cached rows for which drop returns true, so that they
// are read again from the database; the caller flushed the cache first,
// and changed those rows in the database.
func (c *rowCache[V]) forget(drop func(*V) bool) error {
	if len(c.dirty) > 0 {
		return fmt.Errorf("projections: %d cached rows forgotten before they were written", len(c.dirty))
	}
	for key, r := range c.rows {
		if drop(&r.val) {
			delete(c.rows, key)
		}
	}
	return nil
}

// reset forgets everything, written or not.
func (c *rowCache[V]) reset() {
	clear(c.rows)
	c.dirty = c.dirty[:0]
	c.upsert.reset()
}
