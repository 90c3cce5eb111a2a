package projections

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// placeholders returns "?, ?, ?" for n parameters.
func placeholders(n int) string {
	if n <= 0 {
		return "NULL"
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// anys converts a string slice into query arguments.
func anys[T ~string](values []T) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// readTx runs fn in a read-only transaction on the query pool, so that a
// query made of several statements sees one consistent snapshot: the
// request's, when ctx carries one (WithSnapshot), else one of its own.
func (db *ReadDB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s := db.snapshotOf(ctx); s != nil {
		tx, err := s.begin()
		if err != nil {
			return err
		}
		return fn(tx)
	}
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(tx)
}

// reader is what a single-statement read under ctx runs on: the request's
// snapshot when ctx carries one (WithSnapshot), else the pool. A read that
// took a pool connection of its own while its request held the snapshot's
// would wait for the pool while holding part of it: as many such requests
// as the pool has connections wait for each other until they time out (the
// soak saw GraphQL stall for 30 s).
func (db *ReadDB) reader(ctx context.Context) (querier, error) {
	if s := db.snapshotOf(ctx); s != nil {
		tx, err := s.begin()
		if err != nil {
			return nil, err
		}
		return db.cached(tx), nil
	}
	return db.r, nil
}

// writeTx runs fn in a transaction on the write connection and commits it;
// on any error the transaction is rolled back and the error names what.
func (db *ReadDB) writeTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", what, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	return nil
}

// queryStrings runs a query returning one text column.
func queryStrings(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// querier is what queries need of *sql.DB and *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
