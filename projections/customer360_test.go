package projections

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// interaction returns the events of an interaction on ch that starts at
// minute start, is answered by agent a1, exchanges texts (customer first,
// one minute apart), is closed, and rated csat (0: not rated).
func interaction(id, customer string, ch domain.Channel, ident domain.Identity, start float64, csat int, texts ...string) []domain.Event {
	events := []domain.Event{
		domain.InteractionStarted{InteractionID: id, CustomerID: customer, Channel: ch, Identity: ident, At: at(start)},
		domain.InteractionQueued{InteractionID: id, Queue: "general", Priority: domain.PriorityNormal, At: at(start + 0.1)},
		domain.InteractionAssigned{InteractionID: id, AgentID: "a1", Queue: "general", At: at(start + 0.2)},
	}
	if ch == domain.ChannelPhone {
		events = append(events, domain.CallAnswered{InteractionID: id, AgentID: "a1", At: at(start + 0.3)})
	}
	m := start + 1
	for i, text := range texts {
		if i%2 == 0 {
			events = append(events, domain.MessageReceived{InteractionID: id, MessageID: fmt.Sprintf("%s-m%d", id, i), Text: text, At: at(m)})
		} else {
			events = append(events, domain.MessageSent{InteractionID: id, MessageID: fmt.Sprintf("%s-m%d", id, i), AgentID: "a1", Text: text, At: at(m)})
		}
		m++
	}
	if ch == domain.ChannelPhone {
		events = append(events, domain.CallEnded{InteractionID: id, EndedBy: "CUSTOMER", TalkSeconds: 120, At: at(m)})
	}
	events = append(events, domain.InteractionClosed{InteractionID: id, Disposition: domain.DispositionResolved, AgentID: "a1", At: at(m + 0.5)})
	if csat > 0 {
		events = append(events, domain.CsatRecorded{InteractionID: id, Score: csat, At: at(m + 1)})
	}
	return events
}

func ticketOpened(id, number, customer string, priority domain.Priority, minute float64) domain.TicketOpened {
	return domain.TicketOpened{TicketID: id, Number: number, CustomerID: customer, Category: domain.CategoryComplaint,
		Priority: priority, Subject: "Refund for " + id, At: at(minute)}
}

func kinds(entries []TimelineEntry) []TimelineKind {
	out := make([]TimelineKind, len(entries))
	for i, e := range entries {
		out[i] = e.Kind
	}
	return out
}

func TestCustomer360Profile(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	long := strings.Repeat("很长的消息", 40) // 200 runes
	h.emit(r, concat(
		registered("c1", "Ann Lee", phone1),
		[]domain.Event{
			domain.CustomerTierChanged{CustomerID: "c1", From: domain.TierStandard, To: domain.TierGold, At: at(1)},
			domain.CustomerTagged{CustomerID: "c1", Tag: "vip-candidate", At: at(1)},
			domain.CustomerTagged{CustomerID: "c1", Tag: "complainer", At: at(1)},
			domain.CustomerUntagged{CustomerID: "c1", Tag: "complainer", At: at(2)},
			domain.IdentityLinked{CustomerID: "c1", Identity: email1, At: at(2)},
		},
		interaction("i1", "c1", domain.ChannelPhone, phone1, 10, 2),
		interaction("i2", "c1", domain.ChannelWebchat, phone1, 20, 0, "hello", "hi, how can I help?"),
		interaction("i3", "c1", domain.ChannelWebchat, phone1, 30, 5, long),
		[]domain.Event{
			ticketOpened("t1", "T-1", "c1", domain.PriorityUrgent, 40),
			domain.TicketStatusChanged{TicketID: "t1", From: domain.TicketStatusAssigned, To: domain.TicketStatusInProgress, At: at(41)},
			ticketOpened("t2", "T-2", "c1", domain.PriorityNormal, 42),
			domain.TicketResolved{TicketID: "t2", From: domain.TicketStatusNew, Resolution: "refunded", At: at(43)},
		},
	)...)

	c, err := h.db.Customer(h.ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	want := Customer{
		ID: "c1", DisplayName: "Ann Lee", Tier: domain.TierGold, Tags: []string{"vip-candidate"},
		MergedFrom: []string{}, Identities: []domain.Identity{email1, phone1},
		CreatedAt: at(0), LastContactAt: at(33), LastChannel: domain.ChannelWebchat, // the CSAT answer is the last contact
		PreferredChannel: domain.ChannelWebchat, InteractionCount: 3, LastCsat: 5, LastCsatAt: at(33),
	}
	if fmt.Sprintf("%+v", c) != fmt.Sprintf("%+v", want) {
		t.Errorf("Customer:\n got %+v\nwant %+v", c, want)
	}

	page, err := h.db.Timeline(h.ctx, "c1", 100, "")
	if err != nil {
		t.Fatal(err)
	}
	wantKinds := []TimelineKind{
		TimelineTicketResolved, TimelineTicketOpened, TimelineTicketStatus, TimelineTicketOpened,
		TimelineCsat, TimelineInteractionClosed, TimelineMessageIn, TimelineInteractionStarted,
		TimelineInteractionClosed, TimelineMessageOut, TimelineMessageIn, TimelineInteractionStarted,
		TimelineCsat, TimelineInteractionClosed, TimelineCallEnded, TimelineCallAnswered, TimelineInteractionStarted,
	}
	if got := kinds(page.Entries); !slices.Equal(got, wantKinds) {
		t.Errorf("timeline kinds:\n got %v\nwant %v", got, wantKinds)
	}
	if page.HasNextPage {
		t.Error("HasNextPage on the only page")
	}
	for _, e := range page.Entries {
		switch {
		case e.Kind == TimelineMessageIn && e.InteractionID == "i3":
			if e.Summary != strings.Repeat("很长的消息", 28) || e.Channel != domain.ChannelWebchat {
				t.Errorf("long message summary %q (%d runes) on %s", e.Summary, len([]rune(e.Summary)), e.Channel)
			}
		case e.Kind == TimelineTicketOpened && e.TicketID == "t1":
			if e.Summary != "#T-1 Refund for t1" || e.Channel != "" {
				t.Errorf("ticket entry %+v", e)
			}
		case e.Kind == TimelineCsat && e.InteractionID == "i1":
			if e.Summary != "2/5" || e.Channel != domain.ChannelPhone {
				t.Errorf("csat entry %+v", e)
			}
		}
	}

	open, err := h.db.OpenTickets(h.ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 || open[0].ID != "t1" || open[0].Status != domain.TicketStatusInProgress {
		t.Errorf("OpenTickets = %+v, want t1 in progress", open)
	}

	if _, err := h.db.Customer(h.ctx, "nobody"); !isNotFound(err) {
		t.Errorf("Customer(nobody) = %v, want not found", err)
	}
}

// TestTimelinePaginationIsStable pages through a timeline while new events
// arrive: every entry that existed when paging started is seen exactly
// once, newest first.
func TestTimelinePaginationIsStable(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	var events []domain.Event
	events = append(events, registered("c1", "Ann", phone1)...)
	for i := range 6 {
		events = append(events, interaction(fmt.Sprintf("i%d", i), "c1", domain.ChannelWebchat, phone1, float64(10*i), 0, "a", "b", "c")...)
	}
	h.emit(r, events...)
	all, err := h.db.Timeline(h.ctx, "c1", 500, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Entries) != 6*5 { // started, three messages, closed
		t.Fatalf("%d entries, want 30", len(all.Entries))
	}

	var seen []uint64
	after := ""
	for page := 0; ; page++ {
		p, err := h.db.Timeline(h.ctx, "c1", 5, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			seen = append(seen, e.Position)
		}
		if !p.HasNextPage {
			break
		}
		after = p.EndCursor
		// Newer activity arrives between pages.
		h.emit(r, interaction(fmt.Sprintf("new%d", page), "c1", domain.ChannelSMS, phone1, 1000+float64(page), 0, "new")...)
	}
	want := make([]uint64, len(all.Entries))
	for i, e := range all.Entries {
		want[i] = e.Position
	}
	if !slices.Equal(seen, want) {
		t.Errorf("paged positions\n got %v\nwant %v", seen, want)
	}
	if _, err := h.db.Timeline(h.ctx, "c1", 5, "garbage"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("bad cursor: %v, want invalid", err)
	}
}

func TestCustomer360MergeAndUndo(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	h.emit(r, concat(
		registered("c1", "Ann", phone1),
		registered("c2", "Ann Lee", email1),
		interaction("i1", "c1", domain.ChannelPhone, phone1, 10, 0),
		interaction("i2", "c2", domain.ChannelEmail, email1, 20, 3, "where is my parcel"),
		interaction("i3", "c2", domain.ChannelEmail, email1, 25, 0, "any news?"),
		[]domain.Event{ticketOpened("t1", "T-1", "c1", domain.PriorityCritical, 30), ticketOpened("t2", "T-2", "c2", domain.PriorityNormal, 31)},
	)...)
	c1Timeline := timelinePositions(t, h.db, "c1")
	c2Timeline := timelinePositions(t, h.db, "c2")

	h.emit(r, merge("c1", "c2", phone1)...)
	target, err := h.db.Customer(h.ctx, "c2")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(target.MergedFrom, []string{"c1"}) || target.InteractionCount != 3 ||
		!slices.Equal(target.Identities, []domain.Identity{email1, phone1}) || target.PreferredChannel != domain.ChannelEmail {
		t.Errorf("merge target: %+v", target)
	}
	source, err := h.db.Customer(h.ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if source.MergedInto != "c2" || len(source.Identities) != 0 {
		t.Errorf("merged source: %+v", source)
	}
	merged := timelinePositions(t, h.db, "c2")
	if !slices.Equal(merged, sortedDesc(append(slices.Clone(c1Timeline), c2Timeline...))) {
		t.Errorf("merged timeline %v, want the union of %v and %v", merged, c1Timeline, c2Timeline)
	}
	if got := ticketIDs(t, h.db, "c2"); !slices.Equal(got, []string{"t1", "t2"}) {
		t.Errorf("merged open tickets %v, want [t1 t2]", got)
	}
	page, err := h.db.CustomerInteractions(h.ctx, "c2", 10, "")
	if err != nil || len(page.Interactions) != 3 || page.Interactions[0].ID != "i3" || page.Interactions[2].ID != "i1" {
		t.Errorf("merged interactions %+v, %v", page.Interactions, err)
	}

	h.emit(r, undoMerge("c1", "c2", phone1)...)
	target, err = h.db.Customer(h.ctx, "c2")
	if err != nil {
		t.Fatal(err)
	}
	if len(target.MergedFrom) != 0 || target.InteractionCount != 2 || !slices.Equal(target.Identities, []domain.Identity{email1}) || target.LastCsat != 3 {
		t.Errorf("target after undo: %+v", target)
	}
	source, err = h.db.Customer(h.ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if source.MergedInto != "" || !slices.Equal(source.Identities, []domain.Identity{phone1}) {
		t.Errorf("source after undo: %+v", source)
	}
	if got := timelinePositions(t, h.db, "c2"); !slices.Equal(got, c2Timeline) {
		t.Errorf("timeline after undo %v, want %v", got, c2Timeline)
	}
	if got := ticketIDs(t, h.db, "c2"); !slices.Equal(got, []string{"t2"}) {
		t.Errorf("open tickets after undo %v, want [t2]", got)
	}
}

func timelinePositions(t *testing.T, db *ReadDB, customer string) []uint64 {
	t.Helper()
	page, err := db.Timeline(t.Context(), customer, MaxPageSize, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, e := range page.Entries {
		out = append(out, e.Position)
	}
	return out
}

func sortedDesc(s []uint64) []uint64 {
	slices.Sort(s)
	slices.Reverse(s)
	return s
}

func ticketIDs(t *testing.T, db *ReadDB, customer string) []string {
	t.Helper()
	list, err := db.OpenTickets(t.Context(), customer)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range list {
		ids = append(ids, tk.ID)
	}
	return ids
}

func TestCustomersSearch(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	var events []domain.Event
	for i := range 25 {
		events = append(events, registered(fmt.Sprintf("c%02d", i), fmt.Sprintf("Zhang Wei %02d", i))...)
	}
	events = append(events, registered("x1", "zhao lei", phone1)...)
	events = append(events, registered("x2", "李娜", email1)...)
	h.emit(r, events...)

	tests := []struct {
		search string
		want   []string
	}{
		{"zhang wei 1", []string{"c10", "c11", "c12", "c13", "c14", "c15", "c16", "c17", "c18", "c19"}},
		{"ZHAO", []string{"x1"}},
		{"李", []string{"x2"}},
		{"138-0013-8000", []string{"x1"}}, // a phone number, typed the local way
		{"ann@example.com", []string{"x2"}},
		{"x2", []string{"x2"}},
		{"nobody", nil},
	}
	for _, tt := range tests {
		page, err := h.db.Customers(h.ctx, tt.search, 50, "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range page.Customers {
			got = append(got, c.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Customers(%q) = %v, want %v", tt.search, got, tt.want)
		}
	}

	// Paging through everyone visits each customer once, in name order.
	var names []string
	after := ""
	for {
		page, err := h.db.Customers(h.ctx, "", 4, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Customers {
			names = append(names, c.DisplayName)
		}
		if !page.HasNextPage {
			break
		}
		after = page.EndCursor
	}
	if len(names) != 27 || !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(nameKey(a), nameKey(b)) }) {
		t.Errorf("paged %d customers, sorted %v: %v", len(names), slices.IsSorted(names), names)
	}
}

func TestCustomerInteractionsPages(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	events := registered("c1", "Ann", phone1)
	for i := range 7 {
		events = append(events, interaction(fmt.Sprintf("i%d", i), "c1", domain.ChannelSMS, phone1, float64(i), 0, "hi")...)
	}
	h.emit(r, events...)
	var got []string
	after := ""
	for {
		page, err := h.db.CustomerInteractions(h.ctx, "c1", 3, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range page.Interactions {
			got = append(got, i.ID)
		}
		if !page.HasNextPage {
			break
		}
		after = page.EndCursor
	}
	if want := []string{"i6", "i5", "i4", "i3", "i2", "i1", "i0"}; !slices.Equal(got, want) {
		t.Errorf("interactions %v, want %v", got, want)
	}
}
