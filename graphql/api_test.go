package graphql

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

func TestCustomerQueries(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	agent := e.token(auth.RoleAgent, f.agentID)
	var byIdentity struct {
		CustomerByIdentity struct {
			ID          string
			DisplayName string
			Identities  []struct{ Kind, Value string }
			Timeline    struct {
				Nodes []struct {
					Kind, Summary string
					Channel       *string
					InteractionID *string
				}
				PageInfo struct{ HasNextPage bool }
			}
			OpenTickets []struct {
				ID       string
				Customer struct{ DisplayName string }
			}
			InteractionCount int
			PreferredChannel string
		}
	}
	// The phone number as a person types it, normalised by the lookup.
	e.post(agent, `{ customerByIdentity(kind: PHONE, value: "138 0013 8000") {
		id displayName identities { kind value } interactionCount preferredChannel
		timeline(first: 20) { nodes { kind summary channel interactionId } pageInfo { hasNextPage } }
		openTickets { id customer { displayName } } } }`, nil).ok(t).decode(t, &byIdentity)
	c := byIdentity.CustomerByIdentity
	if c.ID != f.customerID || c.DisplayName != seedName || len(c.Identities) != 1 || c.Identities[0].Value != seedPhone {
		t.Errorf("customer %+v", c)
	}
	if c.InteractionCount != 1 || c.PreferredChannel != "WEBCHAT" {
		t.Errorf("360 aggregates: %d interactions, preferred %q", c.InteractionCount, c.PreferredChannel)
	}
	kinds := []string{}
	for _, n := range c.Timeline.Nodes {
		kinds = append(kinds, n.Kind)
	}
	if !slices.Contains(kinds, "MESSAGE_IN") || !slices.Contains(kinds, "TICKET_OPENED") || c.Timeline.PageInfo.HasNextPage {
		t.Errorf("timeline kinds %v", kinds)
	}
	if len(c.OpenTickets) != 1 || c.OpenTickets[0].ID != f.ticketID || c.OpenTickets[0].Customer.DisplayName != seedName {
		t.Errorf("open tickets %+v", c.OpenTickets)
	}

	var none struct{ CustomerByIdentity *struct{ ID string } }
	e.post(agent, `{ customerByIdentity(kind: EMAIL, value: "nobody@example.com") { id } }`, nil).ok(t).decode(t, &none)
	if none.CustomerByIdentity != nil {
		t.Errorf("an identity nobody holds: %+v, want null without error", none.CustomerByIdentity)
	}

	var list struct {
		Customers struct {
			Nodes    []struct{ ID string }
			PageInfo struct {
				EndCursor   *string
				HasNextPage bool
			}
		}
	}
	e.post(agent, `{ customers(search: "wang", first: 5) { nodes { id } pageInfo { endCursor hasNextPage } } }`, nil).ok(t).decode(t, &list)
	if len(list.Customers.Nodes) != 1 || list.Customers.Nodes[0].ID != f.customerID || list.Customers.PageInfo.EndCursor == nil {
		t.Errorf("customers search: %+v", list)
	}
}

func TestTicketAndInteractionQueries(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	agent := e.token(auth.RoleAgent, f.agentID)
	var got struct {
		Ticket struct {
			Number       string
			Status       string
			Customer     struct{ ID string }
			Notes        []struct{ Text, AuthorID string }
			Interactions []struct{ ID string }
		}
		Interaction struct {
			Channel  string
			Identity struct{ Value string }
			Messages []struct{ Text, Direction string }
		}
		Tickets struct{ Nodes []struct{ ID string } }
	}
	e.post(agent, `query($t: ID!, $i: ID!, $c: ID) {
		ticket(id: $t) { number status customer { id } notes { text authorId } interactions { id } }
		interaction(id: $i) { channel identity { value } messages { text direction } }
		tickets(filter: {status: [NEW], customerId: $c}, orderBy: {field: OPENED_AT, direction: DESC}) { nodes { id } } }`,
		map[string]any{"t": f.ticketID, "i": f.interactionID, "c": f.customerID}).ok(t).decode(t, &got)
	if got.Ticket.Status != "NEW" || got.Ticket.Customer.ID != f.customerID || len(got.Ticket.Notes) != 1 || got.Ticket.Notes[0].Text != seedNote {
		t.Errorf("ticket %+v", got.Ticket)
	}
	if got.Interaction.Channel != "WEBCHAT" || len(got.Interaction.Messages) != 1 || got.Interaction.Messages[0].Text != seedText || got.Interaction.Messages[0].Direction != "IN" {
		t.Errorf("interaction %+v", got.Interaction)
	}
	if len(got.Tickets.Nodes) != 1 || got.Tickets.Nodes[0].ID != f.ticketID {
		t.Errorf("tickets %+v", got.Tickets)
	}
}

func TestMutationReadYourWrites(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	agent := e.token(auth.RoleAgent, f.agentID)
	var got struct {
		CommentOnTicket struct {
			Position int64
			Ticket   struct {
				NoteCount int
				Notes     []struct{ Text string }
			}
		}
	}
	e.post(agent, `mutation($t: ID!) { commentOnTicket(ticketId: $t, text: "called back", consistency: READ_YOUR_WRITES) {
		position ticket { noteCount notes { text } } } }`, map[string]any{"t": f.ticketID}).ok(t).decode(t, &got)
	p := got.CommentOnTicket
	if p.Position == 0 || p.Ticket.NoteCount != 2 || p.Ticket.Notes[1].Text != "called back" {
		t.Errorf("payload %+v: want the new note in the ticket returned", p)
	}
	var opened struct {
		OpenTicket struct {
			Position int64
			Ticket   struct{ ID, Number, Status, OpenedBy string }
		}
	}
	e.post(agent, `mutation($c: ID!) { openTicket(customerId: $c, category: FAULT_REPORT, subject: "No dial tone", consistency: READ_YOUR_WRITES) {
		position ticket { id number status openedBy } } }`, map[string]any{"c": f.customerID}).ok(t).decode(t, &opened)
	if o := opened.OpenTicket; o.Position == 0 || o.Ticket.ID == "" || o.Ticket.Status != "NEW" || o.Ticket.OpenedBy != f.agentID || !strings.HasPrefix(o.Ticket.Number, "T") {
		t.Errorf("openTicket payload %+v", o)
	}
}

func TestMutationEventualAndTimeout(t *testing.T) {
	var waits atomic.Int32
	stuck := waiterFunc(func(ctx context.Context, _ uint64) error {
		waits.Add(1)
		<-ctx.Done()
		return ctx.Err()
	})
	e := newEnv(t, withWaiter(stuck), withLimits(Limits{ConsistencyWait: 50 * time.Millisecond}))
	f := e.seed() // seed waits on the real runner, which still runs
	agent := e.token(auth.RoleAgent, f.agentID)
	r := e.post(agent, `mutation($i: ID!) { replyToInteraction(interactionId: $i, text: "on it", consistency: READ_YOUR_WRITES) {
		position interaction { id } } }`, map[string]any{"i": f.interactionID})
	var got struct {
		ReplyToInteraction struct {
			Position    int64
			Interaction *struct{ ID string }
		}
	}
	r.decode(t, &got)
	if got.ReplyToInteraction.Position == 0 || got.ReplyToInteraction.Interaction != nil || !slices.Equal(r.codes(), []string{apierror.CodeTimeout}) {
		t.Errorf("a wait that runs out: %+v, errors %+v; want the position, a null interaction and TIMEOUT", got, r.Errors)
	}
	if n := waits.Load(); n != 1 {
		t.Fatalf("READ_YOUR_WRITES waited %d times, want 1", n)
	}
	// EVENTUAL does not wait at all.
	e.post(agent, `mutation($i: ID!) { replyToInteraction(interactionId: $i, text: "still on it") { position interaction { id } } }`,
		map[string]any{"i": f.interactionID}).ok(t)
	if n := waits.Load(); n != 1 {
		t.Errorf("EVENTUAL waited for the read models")
	}
}

type waiterFunc func(ctx context.Context, position uint64) error

func (w waiterFunc) WaitFor(ctx context.Context, position uint64) error { return w(ctx, position) }

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	e.registerAgent("a-002", "Zhao Min")
	reply := func(token, key string) int64 {
		var got struct{ ReplyToInteraction struct{ Position int64 } }
		e.post(token, `mutation($i: ID!, $k: String) { replyToInteraction(interactionId: $i, text: "hello", idempotencyKey: $k) { position } }`,
			map[string]any{"i": f.interactionID, "k": key}).ok(t).decode(t, &got)
		return got.ReplyToInteraction.Position
	}
	one, other := e.token(auth.RoleAgent, f.agentID), e.token(auth.RoleAgent, "a-002")
	first := reply(one, "k-1")
	if again := reply(one, "k-1"); again != first {
		t.Errorf("a retry with the same key wrote at %d, the first at %d", again, first)
	}
	if theirs := reply(other, "k-1"); theirs == first {
		t.Errorf("another caller's request with the same key was taken for a retry")
	}
	e.settle()
	msgs, err := e.db.Messages(e.ctx, f.interactionID)
	must(t, err, "messages")
	if len(msgs) != 3 { // the customer's, one reply of each agent
		t.Errorf("%d messages, want 3", len(msgs))
	}
	r := e.post(one, `mutation($i: ID!) { replyToInteraction(interactionId: $i, text: "x", idempotencyKey: "") { position } }`, map[string]any{"i": f.interactionID})
	if !slices.Equal(r.codes(), []string{apierror.CodeBadUserInput}) {
		t.Errorf("empty key: %+v", r.Errors)
	}
}

func TestErrorCodes(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	agent := e.token(auth.RoleAgent, f.agentID)
	vars := map[string]any{"i": f.interactionID, "t": f.ticketID}
	e.post(agent, `mutation($i: ID!) { closeInteraction(interactionId: $i, disposition: RESOLVED) { position } }`, vars).ok(t)
	deep := "{ customers { nodes { mergedInto { mergedInto { mergedInto { mergedInto { mergedInto { mergedInto { mergedInto { mergedInto { mergedInto { mergedInto { mergedInto { id } } } } } } } } } } } } } }"
	for _, c := range []struct {
		name, query string
		want        string
	}{
		{"unknown ticket", `{ ticket(id: "nope") { id } }`, apierror.CodeNotFound},
		{"first too large", `{ customers(first: 1000) { nodes { id } } }`, apierror.CodeBadUserInput},
		{"bad cursor", `{ customers(after: "bogus") { nodes { id } } }`, apierror.CodeBadUserInput},
		{"closed interaction", `mutation($i: ID!) { replyToInteraction(interactionId: $i, text: "late") { position } }`, apierror.CodeConflict},
		{"bad status move", `mutation($t: ID!) { changeTicketStatus(ticketId: $t, status: CLOSED) { position } }`, apierror.CodeConflict},
		{"unknown field", `{ ticket(id: "x") { colour } }`, apierror.CodeValidationFailed},
		{"syntax", `{ ticket(id: "x") { id }`, apierror.CodeValidationFailed},
		{"too deep", deep, apierror.CodeValidationFailed},
		{"too complex", `{ tickets(first: 100) { nodes { customer { timeline(first: 100) { nodes { summary } } } } } }`, apierror.CodeValidationFailed},
		{"subscription over HTTP", `subscription { agentPresenceChanged { id } }`, apierror.CodeBadUserInput},
		{"forbidden", `{ verifyLedger { ok } }`, apierror.CodeForbidden},
		{"audit trail for an agent", `{ auditTrail(stream: "agent-a-001") { eventCount } }`, apierror.CodeForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.post(agent, c.query, vars)
			if len(r.Errors) == 0 || slices.ContainsFunc(r.codes(), func(code string) bool { return code != c.want }) {
				t.Errorf("errors %+v, want only %s", r.Errors, c.want)
			}
		})
	}
}

func TestReports(t *testing.T) {
	e := newEnv(t)
	analyst := e.token(auth.RoleAnalyst, "ana")
	var got struct {
		Reports []struct{ Name string }
		Report  struct {
			Columns []struct{ Name, Type string }
			Rows    [][]any
		}
	}
	e.post(analyst, `{ reports { name } report(name: "channel_volume", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", groupBy: ["channel"]) {
		columns { name type } rows } }`, nil).ok(t).decode(t, &got)
	if len(got.Reports) != 1 || len(got.Report.Rows) != 2 || got.Report.Rows[0][0] != "WEBCHAT" || got.Report.Rows[0][1] != float64(3) {
		t.Errorf("reports %+v", got)
	}
	r := e.post(analyst, `{ report(name: "nope", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { report } }`, nil)
	if !slices.Equal(r.codes(), []string{apierror.CodeBadUserInput}) {
		t.Errorf("unknown report: %+v", r.Errors)
	}
	r = e.post(analyst, `{ report(name: "channel_volume", from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { report } }`, nil)
	if !slices.Equal(r.codes(), []string{apierror.CodeBadUserInput}) {
		t.Errorf("from after to: %+v", r.Errors)
	}

	e.api.root.reporter = nil // no analytics component
	r = e.post(analyst, `{ reports { name } }`, nil)
	if !slices.Equal(r.codes(), []string{apierror.CodeUnavailable}) || !strings.Contains(r.Errors[0].Message, "analytics") {
		t.Errorf("without analytics: %+v", r.Errors)
	}
}

func TestAuditTrail(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	auditor := e.token(auth.RoleAuditor, "aud")
	var got struct {
		AuditTrail struct {
			EventCount int
			State      map[string]any
			Events     struct {
				Nodes []struct {
					Version    int64
					Type       string
					Data       map[string]any
					Metadata   struct{ Actor *string }
					Hash       string
					StateAfter map[string]any
				}
				PageInfo struct {
					EndCursor   *string
					HasNextPage bool
				}
			}
		}
	}
	stream := "ticket-" + f.ticketID
	e.post(auditor, `query($s: String!) { auditTrail(stream: $s) { eventCount state events(first: 1) {
		nodes { version type data metadata { actor } hash stateAfter } pageInfo { endCursor hasNextPage } } } }`,
		map[string]any{"s": stream}).ok(t).decode(t, &got)
	a := got.AuditTrail
	if a.EventCount != 2 || a.State["Notes"] != float64(1) || len(a.Events.Nodes) != 1 || !a.Events.PageInfo.HasNextPage {
		t.Fatalf("audit trail %+v", a)
	}
	first := a.Events.Nodes[0]
	if first.Type != "TicketOpened" || first.Data["subject"] != "Refund please" || first.Hash == "" || first.StateAfter["Notes"] != float64(0) ||
		first.Metadata.Actor == nil || *first.Metadata.Actor != "system:test" {
		t.Errorf("first event %+v", first)
	}
	var next struct {
		AuditTrail struct {
			Events struct{ Nodes []struct{ Type string } }
		}
	}
	e.post(auditor, `query($s: String!, $a: String) { auditTrail(stream: $s) { events(after: $a) { nodes { type } } } }`,
		map[string]any{"s": stream, "a": *a.Events.PageInfo.EndCursor}).ok(t).decode(t, &next)
	if n := next.AuditTrail.Events.Nodes; len(n) != 1 || n[0].Type != "TicketNoteAdded" {
		t.Errorf("second page %+v", n)
	}
	r := e.post(auditor, `query($s: String!) { auditTrail(stream: $s, asOf: "2000-01-01T00:00:00Z") { eventCount } }`, map[string]any{"s": stream})
	if !slices.Equal(r.codes(), []string{apierror.CodeNotFound}) {
		t.Errorf("as of before the ticket: %+v", r.Errors)
	}
	r = e.post(auditor, `{ auditTrail(stream: "$all") { eventCount } }`, nil)
	if !slices.Equal(r.codes(), []string{apierror.CodeBadUserInput}) {
		t.Errorf("$all is not a stream: %+v", r.Errors)
	}
	var v struct {
		VerifyLedger struct {
			Ok            bool
			CheckedEvents int64
			FirstBadEvent *struct{ Reason string }
		}
	}
	e.post(auditor, `{ verifyLedger { ok checkedEvents firstBadEvent { reason } } }`, nil).ok(t).decode(t, &v)
	head, err := e.store.HeadPosition(e.ctx)
	must(t, err, "head")
	if !v.VerifyLedger.Ok || v.VerifyLedger.CheckedEvents != int64(head) || v.VerifyLedger.FirstBadEvent != nil {
		t.Errorf("verify %+v, head %d", v, head)
	}
}

// TestListsAreBatched checks that the customers and assignees of a page of
// tickets are read in one batch each, not one query per ticket, even when
// the loaders' batch window is far too short to gather them one by one.
func TestListsAreBatched(t *testing.T) {
	e := newEnv(t, withLimits(Limits{LoaderWait: time.Nanosecond}))
	f := e.seed()
	const n = 30
	for i := range n {
		in := e.inbound(fmt.Sprint("batch-", i), fmt.Sprintf("+86139%08d", i), fmt.Sprint("Customer ", i), "hello")
		e.openTicket(in.CustomerID, "Problem")
	}
	e.settle()
	before := e.counter("ledger_graphql_loader_batches_total", map[string]string{"kind": "customer"})
	keysBefore := e.counter("ledger_graphql_loader_keys_total", map[string]string{"kind": "customer"})
	var got struct {
		Tickets struct {
			Nodes []struct {
				Customer struct{ DisplayName string }
				Assignee *struct{ Name string }
			}
		}
	}
	e.post(e.token(auth.RoleAgent, f.agentID), `{ tickets(first: 50) { nodes { customer { displayName } assignee { name } } } }`, nil).ok(t).decode(t, &got)
	if len(got.Tickets.Nodes) != n+1 {
		t.Fatalf("%d tickets, want %d", len(got.Tickets.Nodes), n+1)
	}
	batches := e.counter("ledger_graphql_loader_batches_total", map[string]string{"kind": "customer"}) - before
	keys := e.counter("ledger_graphql_loader_keys_total", map[string]string{"kind": "customer"}) - keysBefore
	if batches != 1 || keys != n+1 {
		t.Errorf("%v customer batches reading %v customers, want 1 batch of %d", batches, keys, n+1)
	}
}

// TestAnalystCannotLookUpByPersonalData: masking would be undone by
// lookups keyed on what it hides, so analysts get FORBIDDEN for them, and
// the same lists without the key still answer, masked.
func TestAnalystCannotLookUpByPersonalData(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	analyst := e.token(auth.RoleAnalyst, "ana")
	for _, q := range []string{
		`{ customerByIdentity(kind: PHONE, value: "138 0013 8000") { id } }`,
		`{ customerByIdentity(kind: EMAIL, value: "nobody@example.com") { id } }`,
		`{ customers(search: "W") { nodes { id } } }`,
		`{ customers(search: "+8613800138000") { nodes { id } } }`,
	} {
		if r := e.post(analyst, q, nil); !slices.Equal(r.codes(), []string{apierror.CodeForbidden}) {
			t.Errorf("%s: errors %+v, want FORBIDDEN", q, r.Errors)
		}
	}
	var list struct {
		Customers struct {
			Nodes []struct{ ID, DisplayName string }
		}
	}
	e.post(analyst, `{ customers(first: 5) { nodes { id displayName } } }`, nil).ok(t).decode(t, &list)
	if n := list.Customers.Nodes; len(n) != 1 || n[0].ID != f.customerID || n[0].DisplayName != auth.MaskName(seedName) {
		t.Errorf("customers for an analyst: %+v, want the one customer, masked", n)
	}
}

// TestTicketFilters drives every filter of tickets and an ordering through
// the API.
func TestTicketFilters(t *testing.T) {
	e := newEnv(t)
	f := e.seed() // f.ticketID: a NEW, NORMAL complaint
	supervisor := e.token(auth.RoleSupervisor, "s-1")
	open := func(category, priority, domain string) string {
		var r struct {
			OpenTicket struct{ Ticket struct{ ID string } }
		}
		e.post(supervisor, `mutation($c: ID!, $cat: TicketCategory!, $p: Priority, $d: String) {
			openTicket(customerId: $c, category: $cat, priority: $p, subject: "s", businessDomain: $d, consistency: READ_YOUR_WRITES) { ticket { id } } }`,
			map[string]any{"c": f.customerID, "cat": category, "p": priority, "d": domain}).ok(t).decode(t, &r)
		return r.OpenTicket.Ticket.ID
	}
	fault := open("FAULT_REPORT", "CRITICAL", "broadband")
	inquiry := open("INQUIRY", "URGENT", "billing")
	e.post(supervisor, `mutation($t: ID!, $a: ID!) { assignTicket(ticketId: $t, agentId: $a) { position } }`,
		map[string]any{"t": inquiry, "a": f.agentID}).ok(t)
	e.post(supervisor, `mutation($t: ID!) { addCollaborator(ticketId: $t, department: "field", dueAt: "2001-01-01T00:00:00Z") { position } }`,
		map[string]any{"t": fault}).ok(t)
	e.post(supervisor, `mutation($t: ID!) { changeTicketStatus(ticketId: $t, status: RESOLVED, reason: "refunded", consistency: READ_YOUR_WRITES) { position } }`,
		map[string]any{"t": f.ticketID}).ok(t)
	other := e.inbound("filters-2", "+8613900139000", "Zhao Lei", "hi").CustomerID
	e.settle()
	for _, c := range []struct {
		name, args string
		want       []string
	}{
		{"all, oldest first", ``, []string{f.ticketID, fault, inquiry}},
		{"newest first", `orderBy: {field: OPENED_AT, direction: DESC}`, []string{inquiry, fault, f.ticketID}},
		{"by priority", `orderBy: {field: PRIORITY, direction: DESC}`, []string{fault, inquiry, f.ticketID}},
		{"status", `filter: {status: [RESOLVED]}`, []string{f.ticketID}},
		{"priority", `filter: {priority: [URGENT, CRITICAL]}`, []string{fault, inquiry}},
		{"category", `filter: {category: [INQUIRY]}`, []string{inquiry}},
		{"assignee", `filter: {assigneeId: "` + f.agentID + `"}`, []string{inquiry}},
		{"customer", `filter: {customerId: "` + f.customerID + `"}`, []string{f.ticketID, fault, inquiry}},
		{"another customer", `filter: {customerId: "` + other + `"}`, []string{}},
		{"business domain", `filter: {businessDomain: "broadband"}`, []string{fault}},
		{"open", `filter: {open: true}`, []string{fault, inquiry}},
		{"overdue", `filter: {overdue: true}`, []string{fault}},
		{"fields together", `filter: {open: true, priority: [URGENT]}`, []string{inquiry}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var r struct {
				Tickets struct{ Nodes []struct{ ID string } }
			}
			q := `{ tickets(first: 10) { nodes { id } } }`
			if c.args != "" {
				q = `{ tickets(first: 10, ` + c.args + `) { nodes { id } } }`
			}
			e.post(supervisor, q, nil).ok(t).decode(t, &r)
			got := []string{}
			for _, n := range r.Tickets.Nodes {
				got = append(got, n.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

// optionsReporter is a catalogue of one report with an option, recording
// the request it is asked.
type optionsReporter struct{ got *analytics.Request }

func (optionsReporter) Definitions() []analytics.Definition {
	return []analytics.Definition{{Name: "service_level", Title: "Service level", GroupBy: []string{"channel"},
		Options: []analytics.Option{{Name: "threshold_seconds", Default: "0", Description: "one threshold for every channel"}}}}
}

func (r optionsReporter) Report(_ context.Context, req analytics.Request) (analytics.Table, error) {
	*r.got = req
	return analytics.Table{Report: req.Name, Columns: []analytics.Column{{Name: "offered", Type: "int"}}}, nil
}

// TestReportOptions: the catalogue lists each report's options with their
// defaults; report passes the options given to the analytics query and
// refuses, before running anything, a name the report does not take or a
// name given twice, saying which options it does take.
func TestReportOptions(t *testing.T) {
	e := newEnv(t)
	analyst := e.token(auth.RoleAnalyst, "ana")
	var got analytics.Request
	e.api.root.reporter = optionsReporter{got: &got}

	var defs struct {
		Reports []struct {
			Name    string
			Options []struct{ Name, DefaultValue, Description string }
		}
	}
	e.post(analyst, `{ reports { name options { name defaultValue description } } }`, nil).ok(t).decode(t, &defs)
	if len(defs.Reports) != 1 || len(defs.Reports[0].Options) != 1 || defs.Reports[0].Options[0].Name != "threshold_seconds" ||
		defs.Reports[0].Options[0].DefaultValue != "0" || defs.Reports[0].Options[0].Description == "" {
		t.Errorf("catalogue options %+v, want threshold_seconds with default 0 and a description", defs)
	}

	const q = `query($options: [ReportOptionInput!]) { report(name: "service_level", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", options: $options) { report } }`
	e.post(analyst, q, map[string]any{"options": []map[string]any{{"name": "threshold_seconds", "value": "20"}}}).ok(t)
	if !maps.Equal(got.Options, map[string]string{"threshold_seconds": "20"}) {
		t.Errorf("options passed to analytics %v, want threshold_seconds=20", got.Options)
	}
	got = analytics.Request{}
	e.post(analyst, q, nil).ok(t)
	if got.Name != "service_level" || len(got.Options) != 0 {
		t.Errorf("without options the request is %+v, want no options (the defaults)", got)
	}

	for name, c := range map[string]struct {
		options []map[string]any
		want    []string
	}{
		"unknown name": {[]map[string]any{{"name": "days", "value": "3"}}, []string{`no option "days"`, "it takes threshold_seconds"}},
		"given twice":  {[]map[string]any{{"name": "threshold_seconds", "value": "20"}, {"name": "threshold_seconds", "value": "30"}}, []string{"given twice"}},
	} {
		got = analytics.Request{}
		r := e.post(analyst, q, map[string]any{"options": c.options})
		if !slices.Equal(r.codes(), []string{apierror.CodeBadUserInput}) {
			t.Errorf("%s: %+v, want BAD_USER_INPUT", name, r.Errors)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(r.Errors[0].Message, w) {
				t.Errorf("%s: message %q, want it to say %q", name, r.Errors[0].Message, w)
			}
		}
		if got.Name != "" {
			t.Errorf("%s: the report ran (%+v)", name, got)
		}
	}
}
