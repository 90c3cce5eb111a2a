package projections

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// The personal data of the customer erased in the tests below (zelda, and
// bart, merged into her), each a literal that must leave the read
// database's files.
var (
	zeldaPhone  = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613912345678"}
	zeldaEmail  = domain.Identity{Kind: domain.IdentityEmail, Value: "zelda.quintero@example.org"}
	bartWeChat  = domain.Identity{Kind: domain.IdentityWeChat, Value: "oBartholomewWx77"}
	keeperPhone = domain.Identity{Kind: domain.IdentityPhone, Value: "+8613700137000"}

	erasureSecrets = []string{
		"Zelda Quintero-Okafor", "zelda quintero-okafor", zeldaPhone.Value, zeldaEmail.Value,
		"Bartholomew Sourceman", "bartholomew sourceman", bartWeChat.Value,
		"Lost passport near Elm Road", "I live at 12 Elm Road, flat 3", "Confirmed your flat 3 address",
		"passport-scan-zelda.pdf", "Zelda needs a new card", "Agent Li was very kind to Zelda",
		"Bart asks about his parcel", "Bart's parcel text",
		"Refund Zelda's double charge", "Charged twice on card ending 4242", "Called Zelda back at home",
		"Zelda Unlimited Family Plan", "Bart's phone IMEI 3544",
		"Refunded to card ending 4242", "Zelda says still charged", "Zelda follow-up subject",
	}
)

// erasureLedger is the ledger of the erasure tests: zelda (c1) with a name,
// a phone and an email, bart (c2) merged into her, and keeper (c3), who
// stays; interactions with messages, an attachment, a summary and a CSAT
// comment, an abandoned one, an open one with a late SLA clock; tickets
// with a description, a note, a resolution and a reopening. Then zelda is
// erased, with bart as her source. Each part is appended as one call.
func erasureLedger() (before, erasure, after []domain.Event) {
	received := domain.MessageReceived{InteractionID: "i1", MessageID: "i1-m0", Text: "I live at 12 Elm Road, flat 3",
		Attachments: []domain.Attachment{{Name: "passport-scan-zelda.pdf", ContentType: "application/pdf", Size: 1234, SHA256: "ab12"}}, At: at(11)}
	before = concat(
		registered("c1", "Zelda Quintero-Okafor", zeldaPhone, zeldaEmail),
		registered("c2", "Bartholomew Sourceman", bartWeChat),
		registered("c3", "Unrelated Keeper", keeperPhone),
		[]domain.Event{
			domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelWebchat, Identity: zeldaPhone,
				Subject: "Lost passport near Elm Road", At: at(10)},
			domain.InteractionQueued{InteractionID: "i1", Queue: "general", Priority: domain.PriorityNormal, At: at(10.1)},
			domain.InteractionAssigned{InteractionID: "i1", AgentID: "a1", Queue: "general", At: at(10.2)},
			received,
			domain.MessageSent{InteractionID: "i1", MessageID: "i1-m1", AgentID: "a1", Text: "Confirmed your flat 3 address", At: at(12)},
			domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, AgentID: "a1", Summary: "Zelda needs a new card", At: at(13)},
			domain.CsatRecorded{InteractionID: "i1", Score: 5, Comment: "Agent Li was very kind to Zelda", At: at(14)},

			domain.InteractionStarted{InteractionID: "i2", CustomerID: "c2", Channel: domain.ChannelWeChat, Identity: bartWeChat,
				Subject: "Bart asks about his parcel", At: at(15)},
			domain.MessageReceived{InteractionID: "i2", MessageID: "i2-m0", Text: "Bart's parcel text", At: at(16)},
			domain.InteractionAbandoned{InteractionID: "i2", Reason: "customer left the queue", At: at(17)},

			domain.InteractionStarted{InteractionID: "i3", CustomerID: "c1", Channel: domain.ChannelEmail, Identity: zeldaEmail,
				Subject: "Zelda follow-up subject", At: at(20)},
			domain.InteractionAssigned{InteractionID: "i3", AgentID: "a1", Queue: "general", At: at(20.1)},
			domain.SlaStarted{InteractionID: "i3", Metric: domain.SlaFirstResponse, Policy: "mail", Target: 5 * (at(1).Sub(at(0))), Deadline: at(25), At: at(20)},

			domain.TicketOpened{TicketID: "t1", Number: "T-1", CustomerID: "c1", Category: domain.CategoryComplaint, Priority: domain.PriorityUrgent,
				Subject: "Refund Zelda's double charge", Description: "Charged twice on card ending 4242", InteractionID: "i1", At: at(30)},
			domain.TicketNoteAdded{TicketID: "t1", AuthorID: "a1", Text: "Called Zelda back at home", At: at(31)},
			domain.TicketResolved{TicketID: "t1", From: domain.TicketStatusInProgress, Resolution: "Refunded to card ending 4242", ResolvedBy: "a1", At: at(32)},
			domain.TicketOpened{TicketID: "t2", Number: "T-2", CustomerID: "c1", Category: domain.CategoryInquiry, Priority: domain.PriorityNormal,
				Subject: "Zelda follow-up subject", At: at(33)},
			domain.TicketResolved{TicketID: "t2", From: domain.TicketStatusNew, Resolution: "Refunded to card ending 4242", At: at(34)},
			domain.TicketReopened{TicketID: "t2", Reason: "Zelda says still charged", At: at(35)},
			domain.SlaStarted{TicketID: "t2", Metric: domain.SlaResolution, Policy: "std", Target: 10 * (at(1).Sub(at(0))), Deadline: at(45), At: at(35)},
			domain.TicketOpened{TicketID: "t3", Number: "T-3", CustomerID: "c1", Category: domain.CategoryInquiry, Priority: domain.PriorityNormal, At: at(36)},

			domain.BusinessFactRecorded{CustomerID: "c1", Kind: domain.FactPlan, Source: "crm", ExternalID: "PL-1", Version: 1, Tier: domain.TierVIP,
				Attributes: map[string]string{"name": "Zelda Unlimited Family Plan"}, At: at(37)},
			domain.BusinessFactRecorded{CustomerID: "c2", Kind: domain.FactDevice, Source: "mdm", ExternalID: "D-1", Version: 2,
				Attributes: map[string]string{"model": "Bart's phone IMEI 3544", "color": ""}, At: at(38)},
			domain.BusinessFactRecorded{CustomerID: "c3", Kind: domain.FactOrder, Source: "shop", ExternalID: "O-9", Version: 1,
				Attributes: map[string]string{"total": "Keeper order 12.00"}, At: at(39)},
			domain.InteractionStarted{InteractionID: "i9", CustomerID: "c3", Channel: domain.ChannelSMS, Identity: keeperPhone,
				Subject: "Keeper question", At: at(40)},
			domain.MessageReceived{InteractionID: "i9", MessageID: "i9-m0", Text: "Keeper text", At: at(41)},
			ticketOpened("t9", "T-9", "c3", domain.PriorityNormal, 42),
		},
		merge("c2", "c1", bartWeChat),
	)
	erasure = []domain.Event{domain.CustomerErased{CustomerID: "c1", Sources: []string{"c2"}, Identities: 3, Reason: "Zelda asked by letter",
		ErasedBy: "dpo", At: at(100)}}
	after = []domain.Event{
		// A later change of an erased customer's cached interaction must
		// not write back what the cache held.
		domain.WrapUpExpired{InteractionID: "i1", AgentID: "a1", CallEndedAt: at(13), TimeoutSeconds: 60, At: at(101)},
		// The erased customer's phone, released, is linked to another.
		domain.IdentityLinked{CustomerID: "c3", Identity: zeldaPhone, At: at(102)},
	}
	return before, erasure, after
}

// sealedView is how the log reads once the data keys of the erased
// customers are destroyed: every personal field of their events (their
// customer, interaction and ticket streams) reads as "[erased]".
func sealedView(events []domain.Event, erased ...string) []domain.Event {
	owner := map[string]string{}
	out := make([]domain.Event, len(events))
	for i, e := range events {
		switch d := e.(type) {
		case domain.InteractionStarted:
			owner[d.InteractionID] = d.CustomerID
		case domain.TicketOpened:
			owner[d.TicketID] = d.CustomerID
		}
		customer := ""
		if s := streamOf(e); strings.HasPrefix(s, domain.CustomerStream("")) {
			customer = strings.TrimPrefix(s, domain.CustomerStream(""))
		} else {
			_, id, _ := strings.Cut(s, "-")
			customer = owner[id]
		}
		out[i] = e
		if slices.Contains(erased, customer) {
			out[i] = domain.MapPersonal(e, func(string, string) string { return domain.ErasedText })
		}
	}
	return out
}

// dbFiles returns the read database's files: the database, its WAL and
// its shared-memory index (those that exist).
func dbFiles(t *testing.T, path string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		files[path+suffix] = b
	}
	return files
}

func filesHold(t *testing.T, path, s string) bool {
	t.Helper()
	for _, b := range dbFiles(t, path) {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

func assertNoSecrets(t *testing.T, path string, secrets []string) {
	t.Helper()
	for name, b := range dbFiles(t, path) {
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s still holds %q", name, s)
			}
		}
	}
}

// TestCustomerErased: after CustomerErased every query of the read models
// shows "[erased]" for the personal fields of the customer and of the
// customer merged into it, their identities find nobody (and are free for
// another customer), every row a report counts is still there, the other
// customer is untouched, and none of the personal data is left anywhere
// in the read database's files.
func TestCustomerErased(t *testing.T) {
	h := newHarness(t)
	r := NewRunner(h.store, h.db, quietLogger, Standard()...)
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	stop := func() {
		if cancel != nil {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			cancel = nil
		}
	}
	defer stop()

	before, erasure, after := erasureLedger()
	h.emit(r, before...)
	// An access record names the customer: it is who read their data,
	// not their data, and stays.
	pos := appendAccess(t, h, domain.DataAccess{Subject: "agent:a1", Role: "AGENT", CustomerIDs: []string{"c1"},
		Fields: []string{"displayName", "identities"}, Operation: "Customer", ClientAddr: "10.0.0.7", At: at(50)})
	h.wait(r, pos)
	// The read models held the data to begin with (or the test proves
	// nothing).
	if c, err := h.db.Customer(h.ctx, "c1"); err != nil || c.DisplayName != "Zelda Quintero-Okafor" {
		t.Fatalf("before erasure: %+v, %v", c, err)
	}
	if !filesHold(t, h.db.Path(), "Zelda Quintero-Okafor") {
		t.Fatal("the read database's files do not hold the name to begin with")
	}
	counted := []string{"interactions", "messages", "tickets", "ticket_notes", "timeline", "customers", "customer_tickets",
		"ticket_interactions", "interaction_sla", "ticket_sla", "access_log", "customer_merges"}
	counts := map[string]int{}
	for _, table := range counted {
		counts[table] = count(t, h.db, table, "1")
	}

	h.emit(r, erasure...)

	const erased = domain.ErasedText
	customer, err := h.db.Customer(h.ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	source, err := h.db.Customer(h.ctx, "c2")
	if err != nil {
		t.Fatal(err)
	}
	byID, err := h.db.CustomersByID(h.ctx, []string{"c1", "c2"})
	if err != nil {
		t.Fatal(err)
	}
	details, err := h.db.CustomerDetailsByID(h.ctx, []string{"c1", "c2"})
	if err != nil {
		t.Fatal(err)
	}
	i1, err := h.db.Interaction(h.ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	i2, err := h.db.Interaction(h.ctx, "i2")
	if err != nil {
		t.Fatal(err)
	}
	inter, err := h.db.InteractionsByID(h.ctx, []string{"i1", "i3"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := h.db.CustomerInteractions(h.ctx, "c1", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	work, err := h.db.AgentWork(h.ctx, "a1")
	if err != nil || len(work) != 1 {
		t.Fatalf("agent work: %+v, %v", work, err)
	}
	msgs, err := h.db.Messages(h.ctx, "i1")
	if err != nil || len(msgs) != 2 {
		t.Fatalf("messages: %+v, %v", msgs, err)
	}
	bartMsgs, err := h.db.Messages(h.ctx, "i2")
	if err != nil || len(bartMsgs) != 1 {
		t.Fatalf("messages of i2: %+v, %v", bartMsgs, err)
	}
	t1, err := h.db.Ticket(h.ctx, "t1")
	if err != nil || len(t1.Notes) != 1 {
		t.Fatalf("ticket t1: %+v, %v", t1, err)
	}
	t2, err := h.db.TicketByNumber(h.ctx, "T-2")
	if err != nil {
		t.Fatal(err)
	}
	tickets, err := h.db.Tickets(h.ctx, TicketFilter{CustomerID: "c1"}, TicketOrder{}, 10, "")
	if err != nil || len(tickets.Tickets) != 3 {
		t.Fatalf("tickets: %+v, %v", tickets, err)
	}
	open, err := h.db.OpenTickets(h.ctx, "c1")
	if err != nil || len(open) != 2 {
		t.Fatalf("open tickets: %+v, %v", open, err)
	}
	alerts, err := h.db.SlaAlerts(h.ctx, at(60), 10)
	if err != nil || len(alerts) != 2 {
		t.Fatalf("sla alerts: %+v, %v", alerts, err)
	}
	timeline, err := h.db.Timeline(h.ctx, "c1", 100, "")
	if err != nil {
		t.Fatal(err)
	}
	summaries := map[TimelineKind][]string{}
	for _, e := range timeline.Entries {
		summaries[e.Kind] = append(summaries[e.Kind], e.Summary)
	}

	for _, tt := range []struct {
		field     string
		got, want any
	}{
		{"customer name", customer.DisplayName, erased},
		{"customer identities", customer.Identities, []domain.Identity(nil)},
		{"customer group", customer.MergedFrom, []string{"c2"}},
		{"customer interaction count", customer.InteractionCount, 3},
		{"source name", source.DisplayName, erased},
		{"source identities", source.Identities, []domain.Identity(nil)},
		{"by id name", byID["c1"].DisplayName, erased},
		{"by id source name", byID["c2"].DisplayName, erased},
		{"by id identities", details["c1"].Identities, []domain.Identity(nil)},
		{"interaction identity", i1.Identity, domain.Identity{Kind: domain.IdentityPhone, Value: erased}},
		{"interaction subject", i1.Subject, erased},
		{"interaction summary", i1.Summary, erased},
		{"interaction csat comment", i1.CsatComment, erased},
		{"interaction csat", i1.Csat, 5},
		{"interaction message count", i1.MessageCount, 2},
		{"source interaction subject", i2.Subject, erased},
		{"source interaction identity", i2.Identity.Value, erased},
		{"abandoned reason (the system's)", i2.Summary, "customer left the queue"},
		{"interaction by id subject", inter["i3"].Subject, erased},
		{"interaction by id identity", inter["i3"].Identity.Value, erased},
		{"interactions page", len(page.Interactions), 3},
		{"interactions page subject", page.Interactions[0].Subject, erased},
		{"agent work subject", work[0].Subject, erased},
		{"message in", msgs[0].Text, erased},
		{"message out", msgs[1].Text, erased},
		{"attachment name", msgs[0].Attachments[0].Name, erased},
		{"attachment rest", msgs[0].Attachments[0], domain.Attachment{Name: erased, ContentType: "application/pdf", Size: 1234, SHA256: "ab12"}},
		{"source message", bartMsgs[0].Text, erased},
		{"ticket subject", t1.Subject, erased},
		{"ticket description", t1.Description, erased},
		{"ticket resolution", t1.Resolution, erased},
		{"ticket note", t1.Notes[0].Text, erased},
		{"ticket interactions", t1.Interactions, []string{"i1"}},
		{"reopened ticket subject", t2.Subject, erased},
		{"reopened ticket resolution (cleared)", t2.Resolution, ""},
		{"ticket list subjects", []string{tickets.Tickets[0].Subject, tickets.Tickets[1].Subject, tickets.Tickets[2].Subject},
			[]string{erased, erased, ""}},
		{"ticket list descriptions", []string{tickets.Tickets[0].Description, tickets.Tickets[1].Description}, []string{erased, ""}},
		{"open ticket subject", open[0].Subject, erased},
		{"sla alert subjects", []string{alerts[0].Subject, alerts[1].Subject}, []string{erased, erased}},
		{"sla alert customer name", alerts[0].CustomerName, erased},
		{"timeline started", summaries[TimelineInteractionStarted], []string{erased, erased, erased}},
		{"timeline messages", append(summaries[TimelineMessageIn], summaries[TimelineMessageOut]...), []string{erased, erased, erased}},
		{"timeline closed", summaries[TimelineInteractionClosed], []string{"RESOLVED: " + erased}},
		{"timeline abandoned", summaries[TimelineAbandoned], []string{"ABANDONED"}},
		{"timeline csat", summaries[TimelineCsat], []string{"5/5 " + erased}},
		{"timeline ticket opened", summaries[TimelineTicketOpened], []string{"#T-3", "#T-2 " + erased, "#T-1 " + erased}},
		{"timeline ticket resolved", summaries[TimelineTicketResolved], []string{erased, erased}},
		{"timeline ticket reopened", summaries[TimelineTicketReopened], []string{erased}},
	} {
		if !equalish(tt.got, tt.want) {
			t.Errorf("%s = %#v, want %#v", tt.field, tt.got, tt.want)
		}
	}

	for _, id := range []domain.Identity{zeldaPhone, zeldaEmail, bartWeChat, {Kind: domain.IdentityPhone, Value: erased}} {
		if c, found, err := h.db.CustomerByIdentity(h.ctx, id); err != nil || found {
			t.Errorf("CustomerByIdentity(%s) = %q, %v, %v; want nobody", id.Value, c, found, err)
		}
	}
	for _, search := range []string{"zelda", "Bartholomew", zeldaPhone.Value, "139-1234-5678", zeldaEmail.Value, bartWeChat.Value} {
		if page, err := h.db.Customers(h.ctx, search, 10, ""); err != nil || len(page.Customers) != 0 {
			t.Errorf("Customers(%q) = %+v, %v; want none", search, page.Customers, err)
		}
	}
	for _, table := range counted {
		if n := count(t, h.db, table, "1"); n != counts[table] {
			t.Errorf("%s has %d rows after the erasure, %d before", table, n, counts[table])
		}
	}
	if n := count(t, h.db, "identities", "value = ? OR customer_id IN ('c1', 'c2')", erased); n != 0 {
		t.Errorf("%d identity rows of the erased customers left", n)
	}
	if log, err := h.db.AccessLog(h.ctx, "c1", t0, at(60), 10); err != nil || len(log) != 1 || log[0].Subject != "agent:a1" {
		t.Errorf("access log = %+v, %v; want the access kept", log, err)
	}

	// The other customer keeps everything.
	keeper, err := h.db.Customer(h.ctx, "c3")
	if err != nil || keeper.DisplayName != "Unrelated Keeper" || !slices.Equal(keeper.Identities, []domain.Identity{keeperPhone}) {
		t.Errorf("keeper = %+v, %v", keeper, err)
	}
	if i9, err := h.db.Interaction(h.ctx, "i9"); err != nil || i9.Subject != "Keeper question" || i9.Identity != keeperPhone {
		t.Errorf("keeper's interaction = %+v, %v", i9, err)
	}
	if m, err := h.db.Messages(h.ctx, "i9"); err != nil || len(m) != 1 || m[0].Text != "Keeper text" {
		t.Errorf("keeper's messages = %+v, %v", m, err)
	}
	if t9, err := h.db.Ticket(h.ctx, "t9"); err != nil || t9.Subject != "Refund for t9" {
		t.Errorf("keeper's ticket = %+v, %v", t9, err)
	}

	// The batch's checkpoint emptied the WAL: no byte of the data is
	// left in the files, the database open.
	if files := dbFiles(t, h.db.Path()); len(files[h.db.Path()+"-wal"]) != 0 {
		t.Errorf("WAL holds %d bytes after the erasure's checkpoint", len(files[h.db.Path()+"-wal"]))
	}
	assertNoSecrets(t, h.db.Path(), erasureSecrets)

	// Later events: the interaction cached with its old summary stays
	// erased, and the released phone goes to another customer.
	h.emit(r, after...)
	if i1, err := h.db.Interaction(h.ctx, "i1"); err != nil || i1.Summary != erased || i1.CsatComment != erased || i1.WrapUpExpiredAt.IsZero() {
		t.Errorf("i1 after a later change = %+v, %v", i1, err)
	}
	if c, found, err := h.db.CustomerByIdentity(h.ctx, zeldaPhone); err != nil || !found || c != "c3" {
		t.Errorf("released phone: CustomerByIdentity = %q, %v, %v; want c3", c, found, err)
	}

	// Closed, the files hold none of the rest either.
	stop()
	if err := h.db.Close(); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, h.db.Path(), slices.DeleteFunc(slices.Clone(erasureSecrets), func(s string) bool { return s == zeldaPhone.Value }))
}

// equalish compares test values, treating nil and empty slices alike.
func equalish(got, want any) bool {
	switch w := want.(type) {
	case []string:
		g, _ := got.([]string)
		return slices.Equal(g, w)
	case []domain.Identity:
		g, _ := got.([]domain.Identity)
		return slices.Equal(g, w)
	}
	return got == want
}

// appendAccess appends a CustomerDataAccessed (whose stream no field of
// the event names) and returns its position.
func appendAccess(t *testing.T, h *harness, a domain.DataAccess) uint64 {
	t.Helper()
	res, err := h.store.Append(h.ctx, "access-"+uuid.NewString(), eventstore.Any,
		[]eventstore.EventData{eventData(t, domain.CustomerDataAccessed{Accesses: []domain.DataAccess{a}})})
	if err != nil {
		t.Fatal(err)
	}
	return res.LastPosition
}

// TestCustomerErasedEqualsRebuild: the read models an erasure leaves equal,
// row for row, those built from the log as it reads once the keys are
// destroyed (personal fields "[erased]"), and those rebuilt from a log
// whose personal fields were never sealed (the erasure overwriting them).
func TestCustomerErasedEqualsRebuild(t *testing.T) {
	before, erasure, after := erasureLedger()

	live := newHarness(t)
	r := live.start(live.db)
	live.emit(r, before...)
	live.emit(r, erasure...)
	live.emit(r, after...)

	sealed := newHarness(t)
	sealed.append(sealedView(before, "c1", "c2")...)
	sealed.append(sealedView(erasure, "c1", "c2")...)
	sealed.append(sealedView(after, "c1", "c2")...)
	sealed.runToHead(sealed.db)
	compareDumps(t, live.db, sealed.db)

	rs := NewRunner(sealed.store, sealed.db, quietLogger, Standard()...)
	if err := rs.Rebuild(sealed.ctx, nil); err != nil {
		t.Fatal(err)
	}
	compareDumps(t, live.db, sealed.db)

	if err := r.Rebuild(live.ctx, nil); err != nil {
		t.Fatal(err)
	}
	compareDumps(t, live.db, sealed.db)
}

// TestRebuildErasedCustomers replays a log as it reads after two
// customers were erased: their names, identities and texts are all
// "[erased]", so their identities collide on every key; the rebuild
// succeeds, indexes none of them (nor those of a customer whose erasure
// destroyed the keys but did not get to record CustomerErased), and the
// other customers' identities still resolve.
func TestRebuildErasedCustomers(t *testing.T) {
	h := newHarness(t)
	erasedPhone := domain.Identity{Kind: domain.IdentityPhone, Value: domain.ErasedText}
	erasedEmail := domain.Identity{Kind: domain.IdentityEmail, Value: domain.ErasedText}
	events := concat(
		registered("e1", domain.ErasedText, erasedPhone, erasedEmail),
		registered("e2", domain.ErasedText, erasedPhone, erasedEmail),
		registered("k1", "Kept Customer", phone1),
		interaction("e1-i", "e1", domain.ChannelWebchat, erasedPhone, 10, 4, domain.ErasedText, domain.ErasedText),
		interaction("e2-i", "e2", domain.ChannelSMS, erasedPhone, 20, 0, domain.ErasedText),
		[]domain.Event{
			domain.TicketOpened{TicketID: "e1-t", Number: "T-E1", CustomerID: "e1", Category: domain.CategoryInquiry,
				Priority: domain.PriorityNormal, Subject: domain.ErasedText, Description: domain.ErasedText, At: at(30)},
			domain.TicketNoteAdded{TicketID: "e1-t", AuthorID: "a1", Text: domain.ErasedText, At: at(31)},
			domain.IdentityUnlinked{CustomerID: "e2", Identity: erasedEmail, Reason: domain.ErasedText, At: at(32)},
		},
		merge("e2", "e1", erasedPhone),
		[]domain.Event{
			domain.CustomerErased{CustomerID: "e1", Sources: []string{"e2"}, Identities: 2, Reason: domain.ErasedText, At: at(40)},
			domain.CustomerErased{CustomerID: "e2", Identities: 1, Reason: domain.ErasedText, At: at(41)},
		},
		registered("k2", "Second Kept", phone2),
		// e3's keys were destroyed, but the erasure stopped before it
		// recorded CustomerErased: its identities read "[erased]" all the
		// same.
		registered("e3", domain.ErasedText, erasedPhone),
		merge("e3", "k2", erasedPhone),
	)
	head := h.append(events...)

	incremental := h.openReadDB("incremental.db")
	h.runToHead(incremental)
	r := NewRunner(h.store, h.db, quietLogger, Standard()...)
	if err := r.Rebuild(h.ctx, nil); err != nil {
		t.Fatal(err)
	}
	if r.Position() != head {
		t.Fatalf("rebuilt to %d, want %d", r.Position(), head)
	}
	compareDumps(t, incremental, h.db)

	if n := count(t, h.db, "identities", "value = ?", domain.ErasedText); n != 0 {
		t.Errorf("%d identities of value %q indexed", n, domain.ErasedText)
	}
	for _, id := range []domain.Identity{erasedPhone, erasedEmail} {
		if c, found, err := h.db.CustomerByIdentity(h.ctx, id); err != nil || found {
			t.Errorf("CustomerByIdentity(%v) = %q, %v, %v; want nobody", id, c, found, err)
		}
	}
	for id, want := range map[domain.Identity]string{phone1: "k1", phone2: "k2"} {
		if c, found, err := h.db.CustomerByIdentity(h.ctx, id); err != nil || !found || c != want {
			t.Errorf("CustomerByIdentity(%v) = %q, %v, %v; want %s", id, c, found, err, want)
		}
	}
	for _, c := range []struct {
		table string
		want  int
	}{{"customers", 5}, {"interactions", 2}, {"messages", 3}, {"tickets", 1}, {"ticket_notes", 1}} {
		if n := count(t, h.db, c.table, "1"); n != c.want {
			t.Errorf("%s: %d rows, want %d", c.table, n, c.want)
		}
	}
	if e1, err := h.db.Customer(h.ctx, "e1"); err != nil || e1.DisplayName != domain.ErasedText || len(e1.Identities) != 0 || e1.InteractionCount != 2 {
		t.Errorf("e1 = %+v, %v", e1, err)
	}
}

// TestCustomerErasedGeneratedLedger erases some customers of a generated
// ledger: following the log in small batches and rebuilding it give the
// same read models, and those customers keep no name, identity or
// subject.
func TestCustomerErasedGeneratedLedger(t *testing.T) {
	h := newHarness(t)
	g := h.generated(2500)
	var erased []string
	var events []domain.Event
	for i, c := range g.customers {
		if i%7 != 0 || c.merged {
			continue
		}
		erased = append(erased, c.id)
		events = append(events, domain.CustomerErased{CustomerID: c.id, Identities: len(c.identities), Reason: "asked", At: g.now})
	}
	if len(erased) < 3 {
		t.Fatalf("only %d customers to erase", len(erased))
	}
	head := h.append(events...)

	incremental := h.openReadDB("incremental.db")
	r := NewRunner(h.store, incremental, quietLogger, Standard()...)
	r.catchUpPage, r.maxBatchEvents = 50, 120
	runUntil(t, h, r, head)

	rr := NewRunner(h.store, h.db, quietLogger, Standard()...)
	if err := rr.Rebuild(h.ctx, nil); err != nil {
		t.Fatal(err)
	}
	compareDumps(t, incremental, h.db)

	list, err := idList(erased)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, incremental, "customers", "id "+inIDList+" AND display_name NOT IN ('', ?)", list, domain.ErasedText); n != 0 {
		t.Errorf("%d erased customers keep their names", n)
	}
	if n := count(t, incremental, "identities", "customer_id "+inIDList, list); n != 0 {
		t.Errorf("%d identities of erased customers indexed", n)
	}
	if n := count(t, incremental, "interactions", "customer_id "+inIDList+" AND subject NOT IN ('', ?)", list, domain.ErasedText); n != 0 {
		t.Errorf("%d interactions of erased customers keep their subjects", n)
	}
}
