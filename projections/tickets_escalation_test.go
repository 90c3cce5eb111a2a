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

// TestTicketSlaClocks: the SLA clocks of a ticket on the read side, and
// a running clock past its deadline makes the ticket overdue.
func TestTicketSlaClocks(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	hour := at(60).Sub(at(0))
	h.emit(r,
		domain.TicketOpened{TicketID: "t1", Number: "T-0001", CustomerID: "c1", Category: domain.CategoryComplaint, Priority: domain.PriorityNormal, Subject: "s", At: at(0)},
		domain.SlaStarted{TicketID: "t1", Metric: domain.SlaResolution, Policy: "std", Target: 4 * hour, Deadline: at(240), WarningAt: at(120), At: at(0)},
		domain.SlaStarted{TicketID: "t1", Metric: domain.SlaFirstResponse, Policy: "std", Target: hour, Deadline: at(60), WarningAt: at(30), At: at(0)},
		domain.SlaWarning{TicketID: "t1", Metric: domain.SlaFirstResponse, Deadline: at(60), At: at(30)},
		domain.SlaBreached{TicketID: "t1", Metric: domain.SlaFirstResponse, Deadline: at(60), At: at(60)},
		domain.SlaFulfilled{TicketID: "t1", Metric: domain.SlaFirstResponse, Consumed: 70 * (hour / 60), Breached: true, At: at(70)},
		domain.SlaPaused{TicketID: "t1", Metric: domain.SlaResolution, Consumed: 80 * (hour / 60), At: at(80)},
	)
	clocks, err := h.db.TicketSla(h.ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if len(clocks) != 2 || clocks[0].Metric != domain.SlaFirstResponse || clocks[1].Metric != domain.SlaResolution {
		t.Fatalf("clocks %+v", clocks)
	}
	first, res := clocks[0], clocks[1]
	if first.State != SlaFulfilled || !first.Warned || !first.Breached || first.Consumed != 70*(hour/60) || !first.Deadline.IsZero() {
		t.Fatalf("first response %+v", first)
	}
	if res.State != SlaPaused || res.Breached || res.Consumed != 80*(hour/60) || !res.Deadline.IsZero() || res.Policy != "std" || res.Target != 4*hour {
		t.Fatalf("resolution %+v", res)
	}
	overdue := func(m float64) int {
		t.Helper()
		page, err := h.db.Tickets(h.ctx, TicketFilter{OverdueAt: at(m)}, TicketOrder{}, 10, "")
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Tickets)
	}
	if n := overdue(1000); n != 0 {
		t.Fatalf("a ticket with its clock paused is overdue (%d)", n)
	}
	h.emit(r, domain.SlaResumed{TicketID: "t1", Metric: domain.SlaResolution, Deadline: at(300), At: at(140)})
	if n := overdue(299); n != 0 {
		t.Fatalf("overdue before the deadline (%d)", n)
	}
	if n := overdue(301); n != 1 {
		t.Fatalf("not overdue after the deadline (%d)", n)
	}
	h.emit(r, domain.TicketResolved{TicketID: "t1", From: domain.TicketStatusNew, At: at(302)},
		domain.SlaFulfilled{TicketID: "t1", Metric: domain.SlaResolution, Consumed: 4 * hour, At: at(302)})
	if n := overdue(400); n != 0 {
		t.Fatalf("a resolved ticket is overdue (%d)", n)
	}
}
