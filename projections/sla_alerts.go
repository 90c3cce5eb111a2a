package projections

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// SLA alert subjects: what a running clock belongs to.
const (
	SlaSubjectTicket      = "TICKET"
	SlaSubjectInteraction = "INTERACTION"
)

// SlaAlert is a running SLA clock a supervisor should look at: at risk
// (its warning fired) or past its deadline (breached, or due before now
// although the policy has not recorded the breach yet), with what the
// supervisor needs to act on its subject.
type SlaAlert struct {
	SubjectKind string // SlaSubjectTicket or SlaSubjectInteraction
	SubjectID   string
	Metric      domain.SlaMetric
	Deadline    time.Time
	Warned      bool
	Breached    bool

	// Of a ticket (empty for an interaction).
	TicketNumber string
	// The ticket's or the interaction's subject.
	Subject string
	// The ticket's assignee or the interaction's agent; empty while none.
	AgentID string
	// Of an interaction (empty for a ticket).
	Channel      domain.Channel
	CustomerID   string
	CustomerName string
}

// slaAlertsSQL reads each table's running clocks in deadline order through
// its partial index (state = 'RUNNING' must stay literal for SQLite to use
// it), keeps those at risk or late, and merges both, most urgent first.
// Each side is bounded on its own so neither scans past the page. The
// subjects' details come from the tickets, interactions and customers read
// models by key; a subject a projection has not reached yet still shows,
// with empty details.
const slaAlertsSQL = `
SELECT * FROM (
	SELECT 'TICKET', s.ticket_id, s.metric, s.deadline, s.warned, s.breached,
		COALESCE(t.number, ''), COALESCE(t.subject, ''), COALESCE(t.assignee_id, ''), '', '', ''
	FROM ticket_sla s LEFT JOIN tickets t ON t.id = s.ticket_id
	WHERE s.state = 'RUNNING' AND (s.warned = 1 OR s.breached = 1 OR s.deadline < ?1)
	ORDER BY s.deadline LIMIT ?2)
UNION ALL
SELECT * FROM (
	SELECT 'INTERACTION', s.interaction_id, s.metric, s.deadline, s.warned, s.breached,
		'', COALESCE(i.subject, ''), COALESCE(i.agent_id, ''), COALESCE(i.channel, ''), COALESCE(i.customer_id, ''), COALESCE(c.display_name, '')
	FROM interaction_sla s LEFT JOIN interactions i ON i.id = s.interaction_id LEFT JOIN customers c ON c.id = i.customer_id
	WHERE s.state = 'RUNNING' AND (s.warned = 1 OR s.breached = 1 OR s.deadline < ?1)
	ORDER BY s.deadline LIMIT ?2)
ORDER BY 4, 2, 3 LIMIT ?2`

// SlaAlerts returns up to first running SLA clocks of tickets and
// interactions that are at risk or past their deadline at now, most
// urgent (earliest deadline) first.
func (db *ReadDB) SlaAlerts(ctx context.Context, now time.Time, first int) ([]SlaAlert, error) {
	if first <= 0 {
		return nil, nil
	}
	var out []SlaAlert
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, slaAlertsSQL, nanos(now), first)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanSlaAlert(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sla alerts: %w", err)
	}
	return out, nil
}

func scanSlaAlert(rows *sql.Rows) (SlaAlert, error) {
	var a SlaAlert
	var deadline int64
	err := rows.Scan(&a.SubjectKind, &a.SubjectID, &a.Metric, &deadline, &a.Warned, &a.Breached,
		&a.TicketNumber, &a.Subject, &a.AgentID, &a.Channel, &a.CustomerID, &a.CustomerName)
	a.Deadline = fromNanos(deadline)
	return a, err
}
