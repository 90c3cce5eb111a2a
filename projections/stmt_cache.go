package projections

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStmts bounds the statement cache: queries whose text varies
// (a list of placeholders per id) beyond it are prepared per call.
const maxCachedStmts = 256

// stmtCache keeps the read pool's prepared statements by query text, so a
// hot query is parsed and planned once per connection instead of on every
// call: for the timeline, a union of seven selects, parsing cost about as
// much as running it.
//
// A statement is prepared in the background the first time its query is
// asked for, and that call runs the query unprepared. Preparing on the pool
// needs a connection of its own: a caller inside a read transaction that
// waited for it would hold one connection while asking for another, and as
// many such callers as the pool has connections would wait for each other
// forever.
type stmtCache struct {
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt // nil for a query that failed to prepare: it runs unprepared
	pending map[string]bool
	closed  bool
	preps   sync.WaitGroup
}

// get returns the prepared statement for query, or nil when it is not
// prepared (yet, or ever: the cache is full or preparing failed); then the
// caller runs the query unprepared. It never waits for a connection.
func (c *stmtCache) get(db *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s
	}
	if c.closed || c.pending[query] || len(c.stmts)+len(c.pending) >= maxCachedStmts {
		return nil
	}
	if c.pending == nil {
		c.pending = map[string]bool{}
	}
	c.pending[query] = true
	c.preps.Add(1)
	go c.prepare(db, query)
	return nil
}

// prepare prepares query on the pool, waiting for a free connection, and
// caches the statement.
func (c *stmtCache) prepare(db *sql.DB, query string) {
	defer c.preps.Done()
	s, err := db.Prepare(query)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if c.closed {
		if err == nil {
			_ = s.Close()
		}
		return
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	if err != nil {
		s = nil // the query runs unprepared, and is not tried again
	}
	c.stmts[query] = s
}

// close waits for the preparations in flight, then closes every cached
// statement and empties the cache; later gets return nil.
func (c *stmtCache) close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.preps.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, s := range c.stmts {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	c.stmts = nil
	return errors.Join(errs...)
}

// cachedTx is a read transaction whose queries run as the read pool's
// cached prepared statements (database/sql prepares each once on each
// connection it meets).
type cachedTx struct {
	db *ReadDB
	tx *sql.Tx
}

// cached wraps a read transaction of db.
func (db *ReadDB) cached(tx *sql.Tx) cachedTx { return cachedTx{db: db, tx: tx} }

func (q cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s := q.db.stmts.get(q.db.r, query)
	if s == nil {
		return q.tx.QueryContext(ctx, query, args...)
	}
	return q.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
}

func (q cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s := q.db.stmts.get(q.db.r, query)
	if s == nil {
		return q.tx.QueryRowContext(ctx, query, args...)
	}
	return q.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
}

// queryRow runs a one-row query as a cached prepared statement: in the
// request's snapshot when ctx carries one (see reader), else outside a
// transaction.
func (db *ReadDB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s := db.snapshotOf(ctx); s != nil {
		if tx, err := s.begin(); err == nil {
			return db.cached(tx).QueryRowContext(ctx, query, args...)
		}
	}
	s := db.stmts.get(db.r, query)
	if s == nil {
		return db.r.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}
