package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// AccessLog is the projection of the access ledger by customer: who read
// a customer's personal data, when, which fields, through which
// operation, from where, and masked or not.
type AccessLog struct{ sqlSchema }

// NewAccessLog returns the access log projection.
func NewAccessLog() *AccessLog { return &AccessLog{sqlSchema: loadSchema("accesslog")} }

// Name implements Projection.
func (*AccessLog) Name() string { return "access_log" }

const sqlAccessInsert = `INSERT OR IGNORE INTO access_log (customer_id, position, seq, at, subject, role, fields, operation, masked, client_addr)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// Apply implements Projection.
func (p *AccessLog) Apply(ctx context.Context, tx *Tx, e Event) error {
	ev, ok := e.Data.(domain.CustomerDataAccessed)
	if !ok {
		return nil
	}
	stmt, err := tx.Stmt(ctx, sqlAccessInsert)
	if err != nil {
		return err
	}
	for seq, a := range ev.Accesses {
		fields, err := json.Marshal(a.Fields)
		if err != nil {
			return err
		}
		for _, c := range a.CustomerIDs {
			if _, err := stmt.ExecContext(ctx, c, e.Position, seq, a.At.UnixNano(), a.Subject, a.Role, string(fields), a.Operation, a.Masked, a.ClientAddr); err != nil {
				return fmt.Errorf("access log of %s: %w", c, err)
			}
		}
	}
	return nil
}

// AccessLog returns the reads of a customer's personal data recorded
// from from to to (zero: open), oldest first, limit at most.
func (db *ReadDB) AccessLog(ctx context.Context, customerID string, from, to time.Time, limit int) ([]domain.DataAccess, error) {
	hi := int64(1<<63 - 1)
	if !to.IsZero() {
		hi = to.UnixNano()
	}
	lo := int64(0)
	if !from.IsZero() {
		lo = from.UnixNano()
	}
	var out []domain.DataAccess
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT at, subject, role, fields, operation, masked, client_addr FROM access_log
			WHERE customer_id = ? AND at BETWEEN ? AND ? ORDER BY at, position, seq LIMIT ?`, customerID, lo, hi, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a domain.DataAccess
			var at int64
			var fields string
			if err := rows.Scan(&at, &a.Subject, &a.Role, &fields, &a.Operation, &a.Masked, &a.ClientAddr); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(fields), &a.Fields); err != nil {
				return err
			}
			a.At, a.CustomerIDs = time.Unix(0, at).UTC(), []string{customerID}
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("access log of %s: %w", customerID, err)
	}
	return out, nil
}
