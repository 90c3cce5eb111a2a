package projections

import (
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestTicketEscalationMovesItToTheQueue: an SLA breach's escalation shows
// on the read side as the raised priority and the supervisors' queue.
func TestTicketEscalationMovesItToTheQueue(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	h.emit(r,
		domain.TicketOpened{TicketID: "t1", Number: "T-0001", CustomerID: "c1", Category: domain.CategoryComplaint,
			Priority: domain.PriorityNormal, Subject: "late", At: at(0)},
		domain.TicketAssigned{TicketID: "t1", AgentID: "a1", At: at(1)},
		domain.TicketPriorityChanged{TicketID: "t1", From: domain.PriorityNormal, To: domain.PriorityUrgent, Reason: "SLA breach", At: at(60)},
		domain.TicketEscalated{TicketID: "t1", Queue: "supervisors", Priority: domain.PriorityUrgent, Metric: domain.SlaFirstResponse, Reason: "SLA breach", At: at(60)},
	)
	tk, err := h.db.Ticket(h.ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Queue != "supervisors" || tk.Priority != domain.PriorityUrgent || tk.AssigneeID != "a1" || !tk.UpdatedAt.Equal(at(60)) {
		t.Fatalf("escalated ticket: queue %q priority %s assignee %q updated %v", tk.Queue, tk.Priority, tk.AssigneeID, tk.UpdatedAt)
	}
}
