package domain

import (
	"strings"
	"time"
)

// SupervisorQueue is the queue escalated tickets go to unless the SLA
// configuration names another.
const SupervisorQueue = "supervisors"

// TicketEscalated records that a ticket was moved to a queue of people who
// can act on it (supervisors), because a clock breached or someone asked.
// It names the priority it left the ticket at, so a reader needs no other
// event to know how urgent the ticket became.
type TicketEscalated struct {
	TicketID string    `json:"ticketId"`
	Queue    string    `json:"queue"`
	Priority Priority  `json:"priority"`
	Metric   SlaMetric `json:"metric,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	At       time.Time `json:"at"`
}

// EventType implements Event.
func (TicketEscalated) EventType() string { return "TicketEscalated" }

func init() { register[TicketEscalated]() }

// EscalateTicket raises the ticket's priority one step (a critical ticket
// stays critical) and hands it to Queue. Every escalation is recorded, even
// when the priority cannot rise further: each breach is a fact a supervisor
// should see.
type EscalateTicket struct {
	Queue  string
	Metric SlaMetric // the breached clock, "" for a manual escalation
	Reason string
}

func (EscalateTicket) ticketCommand() {}

// NextPriority is the priority one step above p (CRITICAL stays CRITICAL).
func NextPriority(p Priority) Priority {
	r := p.Rank()
	if r < 0 {
		return PriorityUrgent
	}
	return Priorities[min(r+1, len(Priorities)-1)]
}

func decideEscalate(t Ticket, cmd EscalateTicket, now time.Time) ([]Event, error) {
	queue := strings.TrimSpace(cmd.Queue)
	if queue == "" {
		return nil, invalid("an escalation needs a queue")
	}
	if cmd.Metric != "" && !cmd.Metric.Valid() {
		return nil, invalid("unknown SLA metric %q", cmd.Metric)
	}
	if !t.Status.Open() {
		return nil, nil // resolved meanwhile: nothing left to escalate
	}
	reason, err := cleanText(cmd.Reason, "reason", 1024, true)
	if err != nil {
		return nil, err
	}
	var events []Event
	to := NextPriority(t.Priority)
	if to != t.Priority {
		events = append(events, TicketPriorityChanged{TicketID: t.ID, From: t.Priority, To: to, Reason: reason, At: now})
	}
	return append(events, TicketEscalated{TicketID: t.ID, Queue: queue, Priority: to, Metric: cmd.Metric, Reason: reason, At: now}), nil
}
