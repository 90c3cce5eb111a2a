package domain_test

import (
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestEscalateTicket(t *testing.T) {
	opened := domain.TicketOpened{TicketID: "t1", Number: "T1", CustomerID: "c1", Category: domain.CategoryComplaint, Priority: domain.PriorityNormal, Subject: "late", At: ago(hour)}
	urgent := domain.TicketPriorityChanged{TicketID: "t1", From: domain.PriorityNormal, To: domain.PriorityUrgent, Reason: "breach", At: now}
	critical := domain.TicketPriorityChanged{TicketID: "t1", From: domain.PriorityNormal, To: domain.PriorityCritical, At: ago(minute)}
	escalated := domain.TicketEscalated{TicketID: "t1", Queue: "supervisors", Priority: domain.PriorityUrgent, Metric: domain.SlaResolution, Reason: "breach", At: now}
	resolved := domain.TicketResolved{TicketID: "t1", From: domain.TicketStatusNew, At: ago(minute)}
	cmd := domain.EscalateTicket{Queue: "supervisors", Metric: domain.SlaResolution, Reason: "breach"}
	runDecide(t, domain.Ticket{ID: "t1"}, domain.EvolveTicket, domain.DecideTicket, []decideCase[domain.Ticket, domain.TicketCommand]{
		{name: "priority up one step and into the queue", given: []domain.Event{opened}, cmd: cmd, want: []domain.Event{urgent, escalated},
			check: func(t *testing.T, s domain.Ticket) {
				if s.Queue != "supervisors" || s.Priority != domain.PriorityUrgent || s.Escalations != 1 {
					t.Fatalf("ticket after escalation: %+v", s)
				}
			}},
		{name: "a critical ticket stays critical but is still escalated", given: []domain.Event{opened, critical}, cmd: cmd,
			want: []domain.Event{domain.TicketEscalated{TicketID: "t1", Queue: "supervisors", Priority: domain.PriorityCritical, Metric: domain.SlaResolution, Reason: "breach", At: now}}},
		{name: "a resolved ticket is not escalated", given: []domain.Event{opened, resolved}, cmd: cmd},
		{name: "no queue", given: []domain.Event{opened}, cmd: domain.EscalateTicket{}, code: domain.EINVALID},
		{name: "unknown metric", given: []domain.Event{opened}, cmd: domain.EscalateTicket{Queue: "q", Metric: "SOON"}, code: domain.EINVALID},
		{name: "unknown ticket", cmd: cmd, code: domain.ENOTFOUND},
	})
}

func TestNextPriority(t *testing.T) {
	for from, want := range map[domain.Priority]domain.Priority{
		domain.PriorityNormal: domain.PriorityUrgent, domain.PriorityUrgent: domain.PriorityCritical,
		domain.PriorityCritical: domain.PriorityCritical, "": domain.PriorityUrgent,
	} {
		if got := domain.NextPriority(from); got != want {
			t.Errorf("NextPriority(%q) = %q, want %q", from, got, want)
		}
	}
}
