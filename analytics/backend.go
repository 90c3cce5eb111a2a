package analytics

import (
	"context"
	"errors"
	"fmt"

	"github.com/interactionledger/ledger/domain"
)

// Backend stores the fact tables and answers SQL over them. Two
// implementations: analytics/clickhouse and analytics/embedded (SQLite).
type Backend interface {
	// Dialect says how to write the few things the two SQL dialects
	// spell differently.
	Dialect() Dialect
	// Setup creates the tables that do not exist yet.
	Setup(ctx context.Context) error
	// Checkpoint returns the $all position the named sink has written
	// everything up to (0 when it has written nothing).
	Checkpoint(ctx context.Context, sink string) (uint64, error)
	// Begin starts writing one batch.
	Begin(ctx context.Context) (Writer, error)
	// Query runs a report query.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// Close releases the back end.
	Close() error
}

// Writer writes one batch of snapshot rows and then the checkpoint. A
// back end with transactions (SQLite) commits rows and checkpoint
// atomically; one without (ClickHouse) writes the rows first and the
// checkpoint last, so a crash in between leaves rows that the next run
// writes again and that queries collapse (see schema.go).
type Writer interface {
	// Insert writes rows.
	Insert(ctx context.Context, rows *Columns) error
	// Commit records that sink has written everything up to position.
	Commit(ctx context.Context, sink string, position uint64) error
	// Rollback abandons the batch (what was inserted may remain, as
	// after a crash).
	Rollback()
}

// Rows is a query's result, read like database/sql's.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Dialect renders the SQL that differs between ClickHouse and SQLite.
// Everything else the reports write is common SQL both accept.
type Dialect interface {
	// Name is "clickhouse" or "sqlite".
	Name() string
	// Final is what follows a table name so that only the highest
	// version of each key is read (" FINAL" on ClickHouse; SQLite keeps
	// one row per key anyway).
	Final() string
	// InnerJoin is the inner join keyword (ClickHouse 18.16 wants the
	// strictness spelt out).
	InnerJoin() string
	// Bucket returns an expression giving the start, in epoch seconds,
	// of the unit ("hour", "day", "week", "month") containing msExpr (epoch
	// milliseconds), cut in time zone tz (already validated).
	Bucket(unit, msExpr, tz string) string
	// Int returns an aggregate expression as a 64-bit integer, 0 over no
	// rows.
	Int(aggregate string) string
	// CountDistinctIf returns the number of distinct values of expr over
	// the rows where cond holds.
	CountDistinctIf(expr, cond string) string
}

// ErrUnknownReport is returned for a report name not in the catalogue.
var ErrUnknownReport = errors.New("unknown report")

// RequestError is a report request the catalogue refuses (unknown report,
// dimension, filter or option; bad time range or zone). It unwraps to a
// *domain.Error with code EINVALID, so the edges map it like any invalid
// input; errors.Is(err, ErrUnknownReport) tells an unknown name apart.
type RequestError struct {
	Report  string
	Reason  string
	unknown bool
}

func (e *RequestError) Error() string { return fmt.Sprintf("report %s: %s", e.Report, e.Reason) }

// Unwrap returns the error as a domain error (EINVALID).
func (e *RequestError) Unwrap() error { return domain.Errorf(domain.EINVALID, "%s", e.Error()) }

// Is reports whether target is ErrUnknownReport and the name was unknown.
func (e *RequestError) Is(target error) bool { return target == ErrUnknownReport && e.unknown }

// Batch is what one sink write holds: snapshot rows per table and the
// position they bring the sink to.
type Batch struct {
	Rows     map[*FactTable]*Columns
	Position uint64
	Events   int
}

// writeBatch writes b through w and commits the checkpoint.
func writeBatch(ctx context.Context, backend Backend, sink string, b *Batch) (err error) {
	w, err := backend.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin batch: %w", err)
	}
	defer func() {
		if err != nil {
			w.Rollback()
		}
	}()
	for _, t := range FactTables {
		if rows := b.Rows[t]; rows != nil && rows.Len() > 0 {
			if err := w.Insert(ctx, rows); err != nil {
				return fmt.Errorf("insert %d rows into %s: %w", rows.Len(), t.Name, err)
			}
		}
	}
	if err := w.Commit(ctx, sink, b.Position); err != nil {
		return fmt.Errorf("commit checkpoint %d: %w", b.Position, err)
	}
	return nil
}
