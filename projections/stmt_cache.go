package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// maxCachedStmts bounds the statement cache: queries whose text varies
// (a list of placeholders per id) beyond it are prepared per call.
const maxCachedStmts = 256

// stmtCache keeps the read pool's prepared statements by query text, so a
// hot query is parsed and planned once per connection instead of on every
// call: for the timeline, a union of seven selects, parsing cost about as
// much as running it.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// get returns the prepared statement for query, preparing it on first
// use; nil (and no error) when the cache is full.
func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[query]; ok {
		return s, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil, nil
	}
	s, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = s
	return s, nil
}

// close closes every cached statement and empties the cache.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, s := range c.stmts {
		errs = append(errs, s.Close())
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
	s, err := q.db.stmts.get(ctx, q.db.r, query)
	if err != nil || s == nil {
		return q.tx.QueryContext(ctx, query, args...)
	}
	return q.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
}

func (q cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := q.db.stmts.get(ctx, q.db.r, query)
	if err != nil || s == nil {
		return q.tx.QueryRowContext(ctx, query, args...)
	}
	return q.tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
}

// queryRow runs a one-row query outside a transaction, as a cached
// prepared statement.
func (db *ReadDB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := db.stmts.get(ctx, db.r, query)
	if err != nil || s == nil {
		return db.r.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}
