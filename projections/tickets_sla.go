package projections

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// SLA clock states on the read side.
const (
	SlaRunning   = "RUNNING"
	SlaPaused    = "PAUSED"
	SlaFulfilled = "FULFILLED"
)

// TicketSlaClock is one SLA clock of a ticket as the read model has it.
type TicketSlaClock struct {
	Metric    domain.SlaMetric
	Cycle     int
	Policy    string
	Target    time.Duration
	State     string    // SlaRunning, SlaPaused or SlaFulfilled
	Deadline  time.Time // zero unless running
	WarningAt time.Time // zero when no warning is due
	Consumed  time.Duration
	Warned    bool
	Breached  bool
	UpdatedAt time.Time
}

const (
	sqlSlaStart = `INSERT INTO ticket_sla (ticket_id, metric, cycle, policy, target_ns, state, deadline, warning_at, consumed_ns,
			warned, breached, updated_at) VALUES (?, ?, ?, ?, ?, 'RUNNING', ?, ?, 0, 0, 0, ?)
		ON CONFLICT (ticket_id, metric) DO UPDATE SET cycle = excluded.cycle, policy = excluded.policy, target_ns = excluded.target_ns,
			state = 'RUNNING', deadline = excluded.deadline, warning_at = excluded.warning_at, consumed_ns = 0, warned = 0,
			breached = 0, updated_at = excluded.updated_at`
	sqlSlaPause   = `UPDATE ticket_sla SET state = 'PAUSED', deadline = 0, warning_at = 0, consumed_ns = ?, updated_at = ? WHERE ticket_id = ? AND metric = ?`
	sqlSlaResume  = `UPDATE ticket_sla SET state = 'RUNNING', deadline = ?, warning_at = ?, updated_at = ? WHERE ticket_id = ? AND metric = ?`
	sqlSlaWarn    = `UPDATE ticket_sla SET warned = 1, updated_at = ? WHERE ticket_id = ? AND metric = ?`
	sqlSlaBreach  = `UPDATE ticket_sla SET breached = 1, updated_at = ? WHERE ticket_id = ? AND metric = ?`
	sqlSlaFulfil  = `UPDATE ticket_sla SET state = 'FULFILLED', deadline = 0, warning_at = 0, consumed_ns = ?, breached = MAX(breached, ?), updated_at = ? WHERE ticket_id = ? AND metric = ?`
	sqlSlaColumns = `metric, cycle, policy, target_ns, state, deadline, warning_at, consumed_ns, warned, breached, updated_at`
)

// applySla applies an event of a ticket's SLA clocks; ok is false for any
// other event.
func applySla(ctx context.Context, tx *Tx, e Event) (ok bool, err error) {
	switch d := e.Data.(type) {
	case domain.SlaStarted:
		return true, tx.Exec(ctx, sqlSlaStart, d.TicketID, d.Metric, d.Cycle, d.Policy, int64(d.Target), nanos(d.Deadline), nanos(d.WarningAt), eventTime(d.At, e))
	case domain.SlaPaused:
		return true, tx.Exec(ctx, sqlSlaPause, int64(d.Consumed), eventTime(d.At, e), d.TicketID, d.Metric)
	case domain.SlaResumed:
		return true, tx.Exec(ctx, sqlSlaResume, nanos(d.Deadline), nanos(d.WarningAt), eventTime(d.At, e), d.TicketID, d.Metric)
	case domain.SlaWarning:
		return true, tx.Exec(ctx, sqlSlaWarn, eventTime(d.At, e), d.TicketID, d.Metric)
	case domain.SlaBreached:
		return true, tx.Exec(ctx, sqlSlaBreach, eventTime(d.At, e), d.TicketID, d.Metric)
	case domain.SlaFulfilled:
		return true, tx.Exec(ctx, sqlSlaFulfil, int64(d.Consumed), d.Breached, eventTime(d.At, e), d.TicketID, d.Metric)
	}
	return false, nil
}

// TicketSla returns a ticket's SLA clocks (the latest cycle of each
// metric), in metric order; none when no clock was started.
func (db *ReadDB) TicketSla(ctx context.Context, ticketID string) ([]TicketSlaClock, error) {
	var out []TicketSlaClock
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+sqlSlaColumns+` FROM ticket_sla WHERE ticket_id = ?`, ticketID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c TicketSlaClock
			var target, deadline, warning, consumed, updated int64
			if err := rows.Scan(&c.Metric, &c.Cycle, &c.Policy, &target, &c.State, &deadline, &warning, &consumed, &c.Warned, &c.Breached, &updated); err != nil {
				return err
			}
			c.Target, c.Consumed = time.Duration(target), time.Duration(consumed)
			c.Deadline, c.WarningAt, c.UpdatedAt = fromNanos(deadline), fromNanos(warning), fromNanos(updated)
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sla clocks of ticket %s: %w", ticketID, err)
	}
	slices.SortFunc(out, func(a, b TicketSlaClock) int {
		return slices.Index(domain.SlaMetrics, a.Metric) - slices.Index(domain.SlaMetrics, b.Metric)
	})
	return out, nil
}
