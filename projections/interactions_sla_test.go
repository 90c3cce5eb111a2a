package projections

import (
	"reflect"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestInteractionSlaClocks: an interaction's response clocks on the read
// side, apart from a ticket's clocks, and the same after a rebuild.
func TestInteractionSlaClocks(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	minute := at(1).Sub(at(0))
	h.emit(r,
		// A ticket with the same metric: its clock must stay its own.
		domain.SlaStarted{TicketID: "t1", Metric: domain.SlaFirstResponse, Policy: "std", Target: 60 * minute, Deadline: at(60), At: at(0)},
		domain.SlaStarted{InteractionID: "i1", Metric: domain.SlaFirstResponse, Policy: "chat", Target: 2 * minute, Deadline: at(2), WarningAt: at(1.6), At: at(0)},
		domain.SlaFulfilled{InteractionID: "i1", Metric: domain.SlaFirstResponse, Consumed: minute, At: at(1)},
		domain.SlaStarted{InteractionID: "i1", Metric: domain.SlaNextResponse, Policy: "chat", Target: 5 * minute, Deadline: at(8), WarningAt: at(7), At: at(3)},
		domain.SlaWarning{InteractionID: "i1", Metric: domain.SlaNextResponse, Deadline: at(8), At: at(7)},
		domain.SlaBreached{InteractionID: "i1", Metric: domain.SlaNextResponse, Deadline: at(8), At: at(8)},
	)
	clocks, err := h.db.InteractionSla(h.ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	if len(clocks) != 2 || clocks[0].Metric != domain.SlaFirstResponse || clocks[1].Metric != domain.SlaNextResponse {
		t.Fatalf("clocks %+v", clocks)
	}
	first, next := clocks[0], clocks[1]
	if first.State != SlaFulfilled || first.Breached || first.Consumed != minute || !first.Deadline.IsZero() || first.Policy != "chat" {
		t.Fatalf("first response %+v", first)
	}
	if next.State != SlaRunning || !next.Warned || !next.Breached || !next.Deadline.Equal(at(8)) || next.Target != 5*minute {
		t.Fatalf("next response %+v", next)
	}
	ticket, err := h.db.TicketSla(h.ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ticket) != 1 || ticket[0].State != SlaRunning || ticket[0].Policy != "std" {
		t.Fatalf("ticket clocks %+v", ticket)
	}
	if none, err := h.db.TicketSla(h.ctx, "i1"); err != nil || len(none) != 0 {
		t.Fatalf("the interaction's clocks read as a ticket's: %+v, %v", none, err)
	}

	// A new cycle replaces the breached one.
	h.emit(r, domain.SlaFulfilled{InteractionID: "i1", Metric: domain.SlaNextResponse, Consumed: 6 * minute, Breached: true, At: at(9)},
		domain.SlaStarted{InteractionID: "i1", Metric: domain.SlaNextResponse, Cycle: 1, Policy: "chat", Target: 5 * minute, Deadline: at(15), At: at(10)})
	clocks, err = h.db.InteractionSla(h.ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	if next := clocks[1]; next.Cycle != 1 || next.State != SlaRunning || next.Breached || next.Warned || !next.Deadline.Equal(at(15)) {
		t.Fatalf("next cycle %+v", next)
	}

	rebuilt := h.openReadDB("rebuilt.db")
	if err := NewRunner(h.store, rebuilt, quietLogger, Standard()...).Rebuild(h.ctx, nil); err != nil {
		t.Fatal(err)
	}
	again, err := rebuilt.InteractionSla(h.ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, clocks) {
		t.Fatalf("rebuilt clocks\n got %+v\nwant %+v", again, clocks)
	}
}
