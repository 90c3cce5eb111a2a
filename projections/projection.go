package projections

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// Projection maintains one read model from the event feed. The Runner calls
// Apply for every event after the projection's checkpoint, inside the
// batch's write transaction; the projection must make its change only
// through that transaction, so that the change and the checkpoint commit or
// roll back together.
//
// Apply must be deterministic given the events (no clocks, no I/O outside
// tx): that is what makes a rebuild equal to incremental processing. It
// should ignore event types it does not use.
type Projection interface {
	// Name identifies the projection in checkpoints, metrics and
	// Rebuild. It must be unique and stable.
	Name() string
	// Create creates the projection's tables and indexes that do not
	// exist yet.
	Create(ctx context.Context, tx *sql.Tx) error
	// Drop drops every table of the projection.
	Drop(ctx context.Context, tx *sql.Tx) error
	// Apply applies one event.
	Apply(ctx context.Context, tx *Tx, e Event) error
}

// Flusher is implemented by projections that buffer changes in memory
// during a batch; Flush writes them, in the batch's transaction, after the
// batch's last Apply.
type Flusher interface {
	Flush(ctx context.Context, tx *Tx) error
}

// Resetter is implemented by projections that cache what they wrote; the
// Runner calls Reset when a batch rolls back and when the projection is
// dropped, so the cache never describes rows that do not exist.
type Resetter interface {
	Reset()
}

// Versioned is implemented by projections whose tables carry a schema
// version; when the version changes, the read database drops and rebuilds
// the projection.
type Versioned interface {
	SchemaVersion() string
}

// Event is a stored event decoded for the projections.
type Event struct {
	Position   uint64
	Stream     string
	Version    int64
	Type       string
	RecordedAt time.Time
	Metadata   []byte // JSON, see eventstore.Metadata
	Data       domain.Event
}

// Tx is the write transaction a batch is applied in. It embeds the
// *sql.Tx and keeps the batch's prepared statements, so each distinct
// statement is prepared once per batch however many events use it.
type Tx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func newTx(tx *sql.Tx) *Tx {
	return &Tx{Tx: tx, stmts: make(map[string]*sql.Stmt, 64)}
}

// Stmt returns query prepared in the transaction, preparing it on first use.
func (t *Tx) Stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.Tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", shortQuery(query), err)
	}
	t.stmts[query] = st
	return st, nil
}

// Exec runs the prepared form of query with args.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) error {
	st, err := t.Stmt(ctx, query)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("exec %q: %w", shortQuery(query), err)
	}
	return nil
}

// QueryRow runs the prepared form of query, which returns at most one row.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := t.Stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

// shortQuery cuts a statement (multi-row INSERTs are long) for messages.
func shortQuery(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 100 {
		return q[:100] + "..."
	}
	return q
}

// Standard returns new instances of every read model the ledger serves, in
// the order the Runner applies them.
func Standard() []Projection {
	return []Projection{
		NewIdentityIndex(),
		NewCustomer360(),
		NewInteractions(),
		NewTickets(),
		NewQueues(),
		NewAgents(),
		NewAccessLog(),
		NewKnowledge(),
	}
}
