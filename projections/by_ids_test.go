package projections

import (
	"fmt"
	"slices"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestCustomersByID(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"}
	mail := domain.Identity{Kind: domain.IdentityEmail, Value: "wang@example.com"}
	h.emit(r,
		domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Wang Fang", Tier: domain.TierGold, At: at(0)},
		domain.IdentityLinked{CustomerID: "c1", Identity: phone, At: at(1)},
		domain.IdentityLinked{CustomerID: "c1", Identity: mail, At: at(2)},
		domain.CustomerTagged{CustomerID: "c1", Tag: "vip-line", At: at(3)},
		domain.CustomerRegistered{CustomerID: "c2", DisplayName: "Li Lei", Tier: domain.TierStandard, At: at(4)},
	)
	got, err := h.db.CustomersByID(h.ctx, []string{"c1", "c2", "missing", "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d customers, want 2 (the missing id is absent): %+v", len(got), got)
	}
	details, err := h.db.CustomerDetailsByID(h.ctx, []string{"c1", "c2", "missing"})
	if err != nil {
		t.Fatal(err)
	}
	if len(details) != 3 || details["missing"].ID != "missing" || details["missing"].Identities != nil {
		t.Fatalf("details: %+v, want an empty entry for every id asked", details)
	}
	for _, id := range []string{"c1", "c2"} {
		full, err := h.db.Customer(h.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c, d := got[id], details[id]
		if c.ID != full.ID || c.DisplayName != full.DisplayName || c.Tier != full.Tier || !c.CreatedAt.Equal(full.CreatedAt) ||
			!slices.Equal(d.Tags, full.Tags) || !slices.Equal(d.Identities, full.Identities) || c.MergedInto != full.MergedInto {
			t.Errorf("CustomersByID[%s] = %+v with details %+v, Customer = %+v", id, c, d, full)
		}
	}
	if len(details["c1"].Identities) != 2 || len(details["c1"].Tags) != 1 {
		t.Errorf("c1's details: %+v, want 2 identities and a tag", details["c1"])
	}
	if empty, err := h.db.CustomersByID(h.ctx, nil); err != nil || len(empty) != 0 {
		t.Errorf("no ids: %v, %v", empty, err)
	}
	tooMany := make([]string, MaxBatchIDs+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprint("c", i)
	}
	if _, err := h.db.CustomersByID(h.ctx, tooMany); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("%d ids: %v, want EINVALID", len(tooMany), err)
	}
}

func TestInteractionsByID(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"}
	h.emit(r, concat(
		interaction("i1", "c1", domain.ChannelWebchat, phone, 0, 5, "hello", "hi"),
		interaction("i2", "c1", domain.ChannelPhone, phone, 10, 0),
	)...)
	got, err := h.db.InteractionsByID(h.ctx, []string{"i2", "i1", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"i1", "i2"} {
		one, err := h.db.Interaction(h.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", got[id]) != fmt.Sprintf("%+v", one) {
			t.Errorf("InteractionsByID[%s] = %+v, Interaction = %+v", id, got[id], one)
		}
	}
	if _, ok := got["nope"]; ok || len(got) != 2 {
		t.Errorf("got %d interactions: %+v", len(got), got)
	}
}

func TestTicketsOverdue(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	collab := func(id string, due float64) domain.TicketCollaboratorAdded {
		return domain.TicketCollaboratorAdded{TicketID: id, Collaborator: domain.Collaborator{Department: "billing", DueAt: at(due)}, At: at(1)}
	}
	h.emit(r,
		ticketOpened("late", "T1", "c1", domain.PriorityNormal, 0), collab("late", 30),
		ticketOpened("early", "T2", "c1", domain.PriorityNormal, 0), collab("early", 90),
		ticketOpened("none", "T3", "c1", domain.PriorityNormal, 0),
		ticketOpened("done", "T4", "c1", domain.PriorityNormal, 0), collab("done", 30),
		domain.TicketResolved{TicketID: "done", From: domain.TicketStatusNew, Resolution: "ok", At: at(2)},
	)
	page, err := h.db.Tickets(h.ctx, TicketFilter{OverdueAt: at(60)}, TicketOrder{}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range page.Tickets {
		ids = append(ids, tk.ID)
	}
	if !slices.Equal(ids, []string{"late"}) {
		t.Errorf("overdue at minute 60: %v, want [late]", ids)
	}
}
