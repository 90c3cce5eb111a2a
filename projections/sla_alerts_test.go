package projections

import (
	"reflect"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestSlaAlerts: the running clocks of tickets and interactions that are
// at risk or late, most urgent first and bounded, with their subjects'
// details; clocks in time, paused or fulfilled stay out. The same after a
// rebuild.
func TestSlaAlerts(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	minute := at(1).Sub(at(0))
	h.emit(r,
		domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Wang Fang", Tier: domain.TierGold, At: at(0)},
		ticketOpened("t1", "T-1", "c1", domain.PriorityUrgent, 0),
		domain.TicketAssigned{TicketID: "t1", AgentID: "a1", At: at(0)},
		ticketOpened("t2", "T-2", "c1", domain.PriorityNormal, 0),
		ticketOpened("t3", "T-3", "c1", domain.PriorityNormal, 0),
		domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelWebchat, Subject: "Where is my parcel", At: at(0)},
		domain.InteractionAssigned{InteractionID: "i1", AgentID: "a2", At: at(0)},
		domain.InteractionStarted{InteractionID: "i2", CustomerID: "c1", Channel: domain.ChannelEmail, At: at(0)},

		// t1: breached (recorded) at minute 10.
		domain.SlaStarted{TicketID: "t1", Metric: domain.SlaResolution, Policy: "std", Target: 10 * minute, Deadline: at(10), At: at(0)},
		domain.SlaBreached{TicketID: "t1", Metric: domain.SlaResolution, Deadline: at(10), At: at(10)},
		// t1's first response: in time, no warning: no alert.
		domain.SlaStarted{TicketID: "t1", Metric: domain.SlaFirstResponse, Policy: "std", Target: 60 * minute, Deadline: at(60), At: at(0)},
		// t2: warned, due at minute 40: at risk.
		domain.SlaStarted{TicketID: "t2", Metric: domain.SlaFirstResponse, Policy: "std", Target: 40 * minute, Deadline: at(40), WarningAt: at(30), At: at(0)},
		domain.SlaWarning{TicketID: "t2", Metric: domain.SlaFirstResponse, Deadline: at(40), At: at(30)},
		// t3: warned, then paused: no alert while it does not run.
		domain.SlaStarted{TicketID: "t3", Metric: domain.SlaResolution, Policy: "std", Target: 20 * minute, Deadline: at(20), WarningAt: at(15), At: at(0)},
		domain.SlaWarning{TicketID: "t3", Metric: domain.SlaResolution, Deadline: at(20), At: at(15)},
		domain.SlaPaused{TicketID: "t3", Metric: domain.SlaResolution, Consumed: 16 * minute, At: at(16)},
		// i1: past its deadline (minute 25) with no breach recorded yet.
		domain.SlaStarted{InteractionID: "i1", Metric: domain.SlaFirstResponse, Policy: "chat", Target: 25 * minute, Deadline: at(25), At: at(0)},
		// i2: breached, then fulfilled: no alert.
		domain.SlaStarted{InteractionID: "i2", Metric: domain.SlaFirstResponse, Policy: "mail", Target: 5 * minute, Deadline: at(5), At: at(0)},
		domain.SlaBreached{InteractionID: "i2", Metric: domain.SlaFirstResponse, Deadline: at(5), At: at(5)},
		domain.SlaFulfilled{InteractionID: "i2", Metric: domain.SlaFirstResponse, Consumed: 6 * minute, Breached: true, At: at(6)},
	)
	now := at(35)
	got, err := h.db.SlaAlerts(h.ctx, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []SlaAlert{
		{SubjectKind: SlaSubjectTicket, SubjectID: "t1", Metric: domain.SlaResolution, Deadline: at(10), Breached: true,
			TicketNumber: "T-1", Subject: "Refund for t1", AgentID: "a1"},
		{SubjectKind: SlaSubjectInteraction, SubjectID: "i1", Metric: domain.SlaFirstResponse, Deadline: at(25),
			Subject: "Where is my parcel", AgentID: "a2", Channel: domain.ChannelWebchat, CustomerID: "c1", CustomerName: "Wang Fang"},
		{SubjectKind: SlaSubjectTicket, SubjectID: "t2", Metric: domain.SlaFirstResponse, Deadline: at(40), Warned: true,
			TicketNumber: "T-2", Subject: "Refund for t2"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("alerts at minute 35\n got %+v\nwant %+v", got, want)
	}

	// Bounded: the most urgent first.
	if two, err := h.db.SlaAlerts(h.ctx, now, 2); err != nil || !reflect.DeepEqual(two, want[:2]) {
		t.Fatalf("first 2: %+v, %v", two, err)
	}
	// Before i1's deadline, i1 is neither late nor at risk.
	if early, err := h.db.SlaAlerts(h.ctx, at(20), 10); err != nil || len(early) != 2 || early[1].SubjectID != "t2" {
		t.Fatalf("alerts at minute 20: %+v, %v", early, err)
	}

	// Fulfilling t1's clock takes it off.
	h.emit(r, domain.SlaFulfilled{TicketID: "t1", Metric: domain.SlaResolution, Consumed: 36 * minute, Breached: true, At: at(36)})
	if after, err := h.db.SlaAlerts(h.ctx, now, 10); err != nil || !reflect.DeepEqual(after, want[1:]) {
		t.Fatalf("after t1's fulfilment: %+v, %v", after, err)
	}

	rebuilt := h.openReadDB("rebuilt.db")
	if err := NewRunner(h.store, rebuilt, quietLogger, Standard()...).Rebuild(h.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if again, err := rebuilt.SlaAlerts(h.ctx, now, 10); err != nil || !reflect.DeepEqual(again, want[1:]) {
		t.Fatalf("rebuilt: %+v, %v", again, err)
	}
}

// TestSlaAlertsUseTheRunningIndexes: both sides of the alert query are
// range scans of the partial indexes of running clocks, not table scans.
func TestSlaAlertsUseTheRunningIndexes(t *testing.T) {
	h := newHarness(t)
	h.runToHead(h.db)
	rows, err := h.db.r.QueryContext(h.ctx, "EXPLAIN QUERY PLAN "+slaAlertsSQL, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "\n"
	}
	for _, index := range []string{"ticket_sla_running", "interaction_sla_running"} {
		if !strings.Contains(plan, index) {
			t.Errorf("the plan does not use %s:\n%s", index, plan)
		}
	}
}
