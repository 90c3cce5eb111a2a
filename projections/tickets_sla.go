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

// SlaClock is one SLA clock of a ticket or an interaction as the read
// model has it.
type SlaClock struct {
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

// slaSQL is the statements of one table of SLA clocks: ticket_sla (keyed
// by ticket_id) or interaction_sla (by interaction_id), alike but for
// their key.
type slaSQL struct {
	table, key                                            string
	start, pause, resume, warn, breach, fulfil, selectAll string
}

func newSlaSQL(table, key string) slaSQL {
	where := ` WHERE ` + key + ` = ? AND metric = ?`
	return slaSQL{
		table: table, key: key,
		start: `INSERT INTO ` + table + ` (` + key + `, metric, cycle, policy, target_ns, state, deadline, warning_at, consumed_ns,
			warned, breached, updated_at) VALUES (?, ?, ?, ?, ?, 'RUNNING', ?, ?, 0, 0, 0, ?)
		ON CONFLICT (` + key + `, metric) DO UPDATE SET cycle = excluded.cycle, policy = excluded.policy, target_ns = excluded.target_ns,
			state = 'RUNNING', deadline = excluded.deadline, warning_at = excluded.warning_at, consumed_ns = 0, warned = 0,
			breached = 0, updated_at = excluded.updated_at`,
		pause:     `UPDATE ` + table + ` SET state = 'PAUSED', deadline = 0, warning_at = 0, consumed_ns = ?, updated_at = ?` + where,
		resume:    `UPDATE ` + table + ` SET state = 'RUNNING', deadline = ?, warning_at = ?, updated_at = ?` + where,
		warn:      `UPDATE ` + table + ` SET warned = 1, updated_at = ?` + where,
		breach:    `UPDATE ` + table + ` SET breached = 1, updated_at = ?` + where,
		fulfil:    `UPDATE ` + table + ` SET state = 'FULFILLED', deadline = 0, warning_at = 0, consumed_ns = ?, breached = MAX(breached, ?), updated_at = ?` + where,
		selectAll: `SELECT metric, cycle, policy, target_ns, state, deadline, warning_at, consumed_ns, warned, breached, updated_at FROM ` + table + ` WHERE ` + key + ` = ?`,
	}
}

var (
	ticketSlaSQL      = newSlaSQL("ticket_sla", "ticket_id")
	interactionSlaSQL = newSlaSQL("interaction_sla", "interaction_id")
)

// slaSubject returns the statements of the table a clock event's subject
// keeps its clocks in, and the subject's id.
func slaSubject(ticketID, interactionID string) (slaSQL, string) {
	if ticketID == "" && interactionID != "" {
		return interactionSlaSQL, interactionID
	}
	return ticketSlaSQL, ticketID
}

// applySla applies an event of a ticket's or an interaction's SLA clocks;
// ok is false for any other event.
func applySla(ctx context.Context, tx *Tx, e Event) (ok bool, err error) {
	switch d := e.Data.(type) {
	case domain.SlaStarted:
		q, id := slaSubject(d.TicketID, d.InteractionID)
		return true, tx.Exec(ctx, q.start, id, d.Metric, d.Cycle, d.Policy, int64(d.Target), nanos(d.Deadline), nanos(d.WarningAt), eventTime(d.At, e))
	case domain.SlaPaused:
		q, id := slaSubject(d.TicketID, d.InteractionID)
		return true, tx.Exec(ctx, q.pause, int64(d.Consumed), eventTime(d.At, e), id, d.Metric)
	case domain.SlaResumed:
		q, id := slaSubject(d.TicketID, d.InteractionID)
		return true, tx.Exec(ctx, q.resume, nanos(d.Deadline), nanos(d.WarningAt), eventTime(d.At, e), id, d.Metric)
	case domain.SlaWarning:
		q, id := slaSubject(d.TicketID, d.InteractionID)
		return true, tx.Exec(ctx, q.warn, eventTime(d.At, e), id, d.Metric)
	case domain.SlaBreached:
		q, id := slaSubject(d.TicketID, d.InteractionID)
		return true, tx.Exec(ctx, q.breach, eventTime(d.At, e), id, d.Metric)
	case domain.SlaFulfilled:
		q, id := slaSubject(d.TicketID, d.InteractionID)
		return true, tx.Exec(ctx, q.fulfil, int64(d.Consumed), d.Breached, eventTime(d.At, e), id, d.Metric)
	}
	return false, nil
}

// TicketSla returns a ticket's SLA clocks (the latest cycle of each
// metric), in metric order; none when no clock was started.
func (db *ReadDB) TicketSla(ctx context.Context, ticketID string) ([]SlaClock, error) {
	clocks, err := db.slaClocks(ctx, ticketSlaSQL, ticketID)
	if err != nil {
		return nil, fmt.Errorf("sla clocks of ticket %s: %w", ticketID, err)
	}
	return clocks, nil
}

// InteractionSla returns an interaction's response clocks (the latest
// cycle of each metric), in metric order; none when no clock was started.
func (db *ReadDB) InteractionSla(ctx context.Context, interactionID string) ([]SlaClock, error) {
	clocks, err := db.slaClocks(ctx, interactionSlaSQL, interactionID)
	if err != nil {
		return nil, fmt.Errorf("sla clocks of interaction %s: %w", interactionID, err)
	}
	return clocks, nil
}

func (db *ReadDB) slaClocks(ctx context.Context, q slaSQL, id string) ([]SlaClock, error) {
	var out []SlaClock
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q.selectAll, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c SlaClock
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
		return nil, err
	}
	slices.SortFunc(out, func(a, b SlaClock) int {
		return slices.Index(domain.SlaMetrics, a.Metric) - slices.Index(domain.SlaMetrics, b.Metric)
	})
	return out, nil
}
