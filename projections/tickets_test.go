package projections

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestTicketLifecycle(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	due := at(60 * 24)
	h.emit(r,
		domain.TicketOpened{TicketID: "t1", Number: "T-0001", CustomerID: "c1", Category: domain.CategoryFaultReport,
			Priority: domain.PriorityNormal, BusinessDomain: "broadband", Subject: "No internet", Description: "since 8am",
			InteractionID: "i1", OpenedBy: "a1", At: at(0)},
		domain.TicketAssigned{TicketID: "t1", AgentID: "a1", At: at(1)},
		domain.TicketStatusChanged{TicketID: "t1", From: domain.TicketStatusAssigned, To: domain.TicketStatusInProgress, At: at(2)},
		domain.TicketPriorityChanged{TicketID: "t1", From: domain.PriorityNormal, To: domain.PriorityCritical, Reason: "outage", At: at(3)},
		domain.TicketNoteAdded{TicketID: "t1", AuthorID: "a1", Text: "checked the line", At: at(4)},
		domain.TicketCollaboratorAdded{TicketID: "t1", Collaborator: domain.Collaborator{Department: "field", AgentID: "f7", DueAt: due}, At: at(5)},
		domain.TicketCollaboratorAdded{TicketID: "t1", Collaborator: domain.Collaborator{Department: "field", AgentID: "f7", DueAt: due}, At: at(5.5)},
		domain.TicketInteractionLinked{TicketID: "t1", InteractionID: "i2", At: at(6)},
		domain.TicketResolved{TicketID: "t1", From: domain.TicketStatusInProgress, Resolution: "replaced modem", ResolvedBy: "f7", At: at(7)},
		domain.TicketReopened{TicketID: "t1", Reason: "down again", At: at(8)},
		domain.TicketAssigned{TicketID: "t1", AgentID: "a2", PreviousID: "a1", At: at(9)},
		domain.TicketNoteAdded{TicketID: "t1", AuthorID: "a2", Text: "escalating", At: at(10)},
	)
	tk, err := h.db.TicketByNumber(h.ctx, "T-0001")
	if err != nil {
		t.Fatal(err)
	}
	want := Ticket{
		ID: "t1", Number: "T-0001", CustomerID: "c1", Category: domain.CategoryFaultReport, Priority: domain.PriorityCritical,
		BusinessDomain: "broadband", Subject: "No internet", Description: "since 8am", Status: domain.TicketStatusAssigned,
		// The reopen cleared the first resolution: resolution, resolver and time.
		AssigneeID: "a2", OpenedBy: "a1", Resolution: "", ResolvedBy: "", OpenedAt: at(0), UpdatedAt: at(10),
		NoteCount:     2,
		Collaborators: []domain.Collaborator{{Department: "field", AgentID: "f7", DueAt: due}},
		Interactions:  []string{"i1", "i2"},
	}
	notes := tk.Notes
	tk.Notes = nil
	if fmt.Sprintf("%+v", tk) != fmt.Sprintf("%+v", want) {
		t.Errorf("Ticket:\n got %+v\nwant %+v", tk, want)
	}
	if len(notes) != 2 || notes[0].Text != "checked the line" || notes[1].AuthorID != "a2" || !notes[1].At.Equal(at(10)) {
		t.Errorf("notes %+v", notes)
	}

	h.emit(r,
		domain.TicketResolved{TicketID: "t1", From: domain.TicketStatusAssigned, Resolution: "fibre fixed", At: at(11)},
		domain.TicketClosed{TicketID: "t1", At: at(12)},
	)
	tk, err = h.db.Ticket(h.ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Status != domain.TicketStatusClosed || !tk.ResolvedAt.Equal(at(11)) || !tk.ClosedAt.Equal(at(12)) || tk.Resolution != "fibre fixed" {
		t.Errorf("closed ticket %+v", tk)
	}
	if open, err := h.db.OpenTickets(h.ctx, "c1"); err != nil || len(open) != 0 {
		t.Errorf("OpenTickets after close = %v, %v", open, err)
	}
	if _, err := h.db.Ticket(h.ctx, "nope"); !isNotFound(err) {
		t.Errorf("Ticket(nope) = %v, want not found", err)
	}
}

// ticketSpec is a ticket of the pagination test and what its events make
// of it.
type ticketSpec struct {
	id, customer, assignee string
	category               domain.TicketCategory
	priority               domain.Priority
	status                 domain.TicketStatus
	opened, updated        time.Time
}

// ticketFixture opens n tickets with ties in every sort key and takes
// them through different workflows.
func ticketFixture(n int) ([]ticketSpec, []domain.Event) {
	var specs []ticketSpec
	var events []domain.Event
	for i := range n {
		s := ticketSpec{
			id: fmt.Sprintf("t%03d", (i*37)%n), customer: fmt.Sprintf("c%d", i%3),
			category: domain.TicketCategories[i%4], priority: domain.Priorities[i%3],
			status: domain.TicketStatusNew, opened: at(float64(i / 3)),
		}
		s.updated = s.opened
		add := func(minutes float64, e domain.Event) {
			events = append(events, e)
			s.updated = s.opened.Add(time.Duration(minutes * float64(time.Minute)))
		}
		events = append(events, domain.TicketOpened{TicketID: s.id, Number: "N" + s.id, CustomerID: s.customer,
			Category: s.category, Priority: s.priority, Subject: "subject " + s.id, At: s.opened})
		switch i % 5 {
		case 0:
			add(1, domain.TicketAssigned{TicketID: s.id, AgentID: "a1", At: s.opened.Add(time.Minute)})
			s.assignee, s.status = "a1", domain.TicketStatusAssigned
		case 1:
			add(1, domain.TicketAssigned{TicketID: s.id, AgentID: "a2", At: s.opened.Add(time.Minute)})
			m := time.Duration(2+i%7) * time.Minute
			add(m.Minutes(), domain.TicketStatusChanged{TicketID: s.id, From: domain.TicketStatusAssigned, To: domain.TicketStatusInProgress, At: s.opened.Add(m)})
			s.assignee, s.status = "a2", domain.TicketStatusInProgress
		case 2:
			add(3, domain.TicketResolved{TicketID: s.id, From: domain.TicketStatusNew, At: s.opened.Add(3 * time.Minute)})
			s.status = domain.TicketStatusResolved
		case 3:
			add(3, domain.TicketResolved{TicketID: s.id, From: domain.TicketStatusNew, At: s.opened.Add(3 * time.Minute)})
			add(4, domain.TicketClosed{TicketID: s.id, At: s.opened.Add(4 * time.Minute)})
			s.status = domain.TicketStatusClosed
		case 4:
			add(5, domain.TicketPriorityChanged{TicketID: s.id, From: s.priority, To: domain.PriorityCritical, At: s.opened.Add(5 * time.Minute)})
			s.priority = domain.PriorityCritical
		}
		specs = append(specs, s)
	}
	return specs, events
}

func (s ticketSpec) matches(f TicketFilter) bool {
	return (len(f.Statuses) == 0 || slices.Contains(f.Statuses, s.status)) &&
		(len(f.Priorities) == 0 || slices.Contains(f.Priorities, s.priority)) &&
		(len(f.Categories) == 0 || slices.Contains(f.Categories, s.category)) &&
		(f.AssigneeID == "" || f.AssigneeID == s.assignee) &&
		(f.CustomerID == "" || f.CustomerID == s.customer) &&
		(!f.OpenOnly || s.status.Open())
}

func (s ticketSpec) key(field TicketSortField) int64 {
	switch field {
	case TicketsByUpdatedAt:
		return s.updated.UnixNano()
	case TicketsByPriority:
		return int64(s.priority.Rank())
	}
	return s.opened.UnixNano()
}

func expectedTickets(specs []ticketSpec, f TicketFilter, o TicketOrder) []string {
	var list []ticketSpec
	for _, s := range specs {
		if s.matches(f) {
			list = append(list, s)
		}
	}
	slices.SortFunc(list, func(a, b ticketSpec) int {
		c := cmp.Or(cmp.Compare(a.key(o.Field), b.key(o.Field)), cmp.Compare(a.id, b.id))
		if o.Desc {
			return -c
		}
		return c
	})
	ids := make([]string, len(list))
	for i, s := range list {
		ids[i] = s.id
	}
	return ids
}

// TestTicketsPagination pages through tickets under every order and several
// filters and checks each ticket is visited exactly once, in order.
func TestTicketsPagination(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	specs, events := ticketFixture(120)
	h.emit(r, events...)

	filters := map[string]TicketFilter{
		"all":                   {},
		"open":                  {OpenOnly: true},
		"statuses":              {Statuses: []domain.TicketStatus{domain.TicketStatusAssigned, domain.TicketStatusInProgress}},
		"urgent":                {Priorities: []domain.Priority{domain.PriorityUrgent}},
		"open complaints":       {Categories: []domain.TicketCategory{domain.CategoryComplaint, domain.CategoryInquiry}, OpenOnly: true},
		"assignee":              {AssigneeID: "a2"},
		"customer critical":     {CustomerID: "c1", Priorities: []domain.Priority{domain.PriorityCritical}},
		"nothing":               {AssigneeID: "nobody"},
		"resolved for customer": {CustomerID: "c2", Statuses: []domain.TicketStatus{domain.TicketStatusResolved}},
	}
	for name, f := range filters {
		for _, field := range []TicketSortField{TicketsByOpenedAt, TicketsByUpdatedAt, TicketsByPriority} {
			for _, desc := range []bool{false, true} {
				o := TicketOrder{Field: field, Desc: desc}
				want := expectedTickets(specs, f, o)
				got := pageTickets(t, h.db, f, o, 7)
				if !slices.Equal(got, want) {
					t.Errorf("%s by %s desc=%v:\n got %v\nwant %v", name, field, desc, got, want)
				}
			}
		}
	}
}

// TestTicketsPaginationWhileTicketsChange pins down what Tickets' doc
// promises when tickets change between pages: in OPENED_AT order every
// ticket still shows exactly once; in UPDATED_AT order a ticket updated
// after it was listed moves past the cursor and shows again.
func TestTicketsPaginationWhileTicketsChange(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	specs, events := ticketFixture(60)
	h.emit(r, events...)
	minute := 24 * 60.0 // later than every fixture event
	touch := func(ids ...string) {
		for _, id := range ids {
			minute++
			h.emit(r, domain.TicketNoteAdded{TicketID: id, AuthorID: "a9", Text: "bump", At: at(minute)},
				domain.TicketPriorityChanged{TicketID: id, From: domain.PriorityNormal, To: domain.PriorityCritical, At: at(minute)})
		}
	}

	var seen []string
	after := ""
	for page := 0; ; page++ {
		p, err := h.db.Tickets(h.ctx, TicketFilter{}, TicketOrder{Field: TicketsByOpenedAt}, 7, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range p.Tickets {
			seen = append(seen, tk.ID)
		}
		if !p.HasNextPage {
			break
		}
		after = p.EndCursor
		// Change a ticket already listed and one not listed yet.
		touch(seen[len(seen)-1], specs[(page*11)%len(specs)].id)
	}
	want := expectedTickets(specs, TicketFilter{}, TicketOrder{Field: TicketsByOpenedAt})
	if !slices.Equal(seen, want) {
		t.Errorf("OPENED_AT pages while tickets change:\n got %v\nwant %v", seen, want)
	}

	first, err := h.db.Tickets(h.ctx, TicketFilter{}, TicketOrder{Field: TicketsByUpdatedAt}, 5, "")
	if err != nil {
		t.Fatal(err)
	}
	touch(first.Tickets[0].ID)
	rest := pageTickets(t, h.db, TicketFilter{}, TicketOrder{Field: TicketsByUpdatedAt}, 500, first.EndCursor)
	if !slices.Contains(rest, first.Tickets[0].ID) {
		t.Errorf("in UPDATED_AT order a ticket updated after it was listed should show again (as documented); it did not")
	}
}

// pageTickets pages through a ticket list, from the start or from the
// cursor from if one is given, and returns the ids in the order shown.
func pageTickets(t *testing.T, db *ReadDB, f TicketFilter, o TicketOrder, size int, from ...string) []string {
	t.Helper()
	var ids []string
	after := ""
	if len(from) > 0 {
		after = from[0]
	}
	for range 1000 {
		page, err := db.Tickets(t.Context(), f, o, size, after)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tickets) > size {
			t.Fatalf("page of %d tickets, asked for %d", len(page.Tickets), size)
		}
		for _, tk := range page.Tickets {
			ids = append(ids, tk.ID)
		}
		if !page.HasNextPage {
			return ids
		}
		after = page.EndCursor
	}
	t.Fatal("pagination does not end")
	return nil
}

func TestTicketsRejectsBadInput(t *testing.T) {
	h := newHarness(t)
	page, err := h.db.Tickets(h.ctx, TicketFilter{}, TicketOrder{Field: TicketsByOpenedAt}, 5, "")
	if err != nil || len(page.Tickets) != 0 || page.HasNextPage {
		t.Fatalf("empty list: %+v, %v", page, err)
	}
	cur := cursor{Kind: "tickets:OPENED_AT:ASC", Num: 1, ID: "x"}.encode()
	for name, call := range map[string]func() error{
		"unknown field": func() error {
			_, err := h.db.Tickets(h.ctx, TicketFilter{}, TicketOrder{Field: "COLOUR"}, 5, "")
			return err
		},
		"unknown status": func() error {
			_, err := h.db.Tickets(h.ctx, TicketFilter{Statuses: []domain.TicketStatus{"LOST"}}, TicketOrder{}, 5, "")
			return err
		},
		"cursor of another order": func() error {
			_, err := h.db.Tickets(h.ctx, TicketFilter{}, TicketOrder{Field: TicketsByOpenedAt, Desc: true}, 5, cur)
			return err
		},
		"garbage cursor": func() error {
			_, err := h.db.Tickets(h.ctx, TicketFilter{}, TicketOrder{}, 5, "!!!")
			return err
		},
	} {
		if err := call(); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: %v, want an invalid-input error", name, err)
		}
	}
}
