package graphql

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// introspectionQuery is what GraphiQL and code generators ask for.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`

// TestIntrospectionCosts: introspection is counted, so many aliased
// __schema are refused, while one full introspection still runs.
func TestIntrospectionCosts(t *testing.T) {
	e := newEnv(t)
	agent := e.token(auth.RoleAgent, "a-001")
	var b strings.Builder
	b.WriteString("{")
	for i := range 300 {
		fmt.Fprintf(&b, " s%d: __schema { types { name fields { name } } }", i)
	}
	b.WriteString(" }")
	r := e.post(agent, b.String(), nil)
	if !slices.Equal(r.codes(), []string{apierror.CodeValidationFailed}) || !strings.Contains(r.Errors[0].Message, "estimated cost") {
		t.Errorf("300 aliased __schema: %+v, want refused for its cost", r.Errors)
	}
	var got struct {
		Schema struct{ Types []struct{ Name string } } `json:"__schema"`
	}
	e.post(agent, introspectionQuery, nil).ok(t).decode(t, &got)
	if len(got.Schema.Types) < 10 {
		t.Errorf("full introspection returned %d types", len(got.Schema.Types))
	}
}

// TestBoundedLists: an interaction's messages, a ticket's notes and a
// queue's waiting entries return at most `first` (MaxFirst by default),
// read on with `after`, and refuse a `first` beyond the limit.
func TestBoundedLists(t *testing.T) {
	limits := DefaultLimits()
	limits.MaxFirst = 3
	e := newEnv(t, withLimits(limits))
	f := e.seed()
	for i := range 4 {
		e.inbound(fmt.Sprintf("more-%d", i), seedPhone, seedName, fmt.Sprintf("message %d", i))
	}
	for i := range 3 {
		if _, err := e.cmds.Ticket(e.ctx, f.ticketID, domain.AddTicketNote{AuthorID: f.agentID, Text: fmt.Sprintf("note %d", i)}, commands.Meta{Actor: "agent:" + f.agentID}); err != nil {
			t.Fatal(err)
		}
	}
	e.settle()
	agent := e.token(auth.RoleAgent, f.agentID)
	type item struct {
		Text     string
		Position int64
	}
	var got struct {
		Interaction struct {
			MessageCount int
			All          []item
			Two          []item
		}
		Ticket struct {
			NoteCount int
			Notes     []item
		}
	}
	e.post(agent, `query($i: ID!, $t: ID!) {
		interaction(id: $i) { messageCount all: messages { text position } two: messages(first: 2) { text position } }
		ticket(id: $t) { noteCount notes { text position } } }`,
		map[string]any{"i": f.interactionID, "t": f.ticketID}).ok(t).decode(t, &got)
	in := got.Interaction
	if in.MessageCount != 5 || len(in.All) != 3 || len(in.Two) != 2 || in.All[0].Text != seedText {
		t.Fatalf("messages: %+v, want 3 of 5 by default and 2 with first: 2", in)
	}
	if got.Ticket.NoteCount != 4 || len(got.Ticket.Notes) != 3 {
		t.Errorf("notes: %+v, want 3 of 4", got.Ticket)
	}
	var next struct {
		Interaction struct{ Messages []item }
		Ticket      struct{ Notes []item }
	}
	e.post(agent, `query($i: ID!, $t: ID!, $m: Long, $n: Long) {
		interaction(id: $i) { messages(after: $m) { text } } ticket(id: $t) { notes(after: $n) { text } } }`,
		map[string]any{"i": f.interactionID, "t": f.ticketID, "m": in.All[2].Position, "n": got.Ticket.Notes[2].Position}).ok(t).decode(t, &next)
	if m := next.Interaction.Messages; len(m) != 2 || m[0].Text != "message 2" || m[1].Text != "message 3" {
		t.Errorf("messages after the third: %+v", m)
	}
	if n := next.Ticket.Notes; len(n) != 1 || n[0].Text != "note 2" {
		t.Errorf("notes after the third: %+v", n)
	}
	r := e.post(agent, `query($i: ID!) { interaction(id: $i) { messages(first: 4) { text } } }`, map[string]any{"i": f.interactionID})
	if !slices.Equal(r.codes(), []string{apierror.CodeBadUserInput}) {
		t.Errorf("first beyond the limit: %+v", r.Errors)
	}
	r = e.post(agent, `{ queues { waiting(first: 0) { interaction { id } } } }`, nil)
	if len(r.Errors) == 0 {
		t.Error("waiting(first: 0) was accepted")
	}
}

// TestAuditTrailFoldsOnce: a page of events with stateAfter folds the
// stream once, not once per event.
func TestAuditTrailFoldsOnce(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	for i := range 29 {
		if _, err := e.cmds.Ticket(e.ctx, f.ticketID, domain.AddTicketNote{AuthorID: f.agentID, Text: fmt.Sprintf("note %d", i)}, commands.Meta{Actor: "agent:" + f.agentID}); err != nil {
			t.Fatal(err)
		}
	}
	var applied atomic.Int64
	defer func(orig func(*domain.StreamFolder, domain.Event)) { applyEvent = orig }(applyEvent)
	applyEvent = func(f *domain.StreamFolder, ev domain.Event) {
		applied.Add(1)
		f.Apply(ev)
	}
	var got struct {
		AuditTrail struct {
			EventCount int
			Events     struct {
				Nodes []struct{ StateAfter map[string]any }
			}
		}
	}
	auditor := e.token(auth.RoleAuditor, "u-1")
	e.post(auditor, `query($s: String!) { auditTrail(stream: $s) { eventCount events(first: 31) { nodes { stateAfter } } } }`,
		map[string]any{"s": "ticket-" + f.ticketID}).ok(t).decode(t, &got)
	a := got.AuditTrail
	if a.EventCount != 31 || len(a.Events.Nodes) != 31 {
		t.Fatalf("trail of %d events, %d nodes", a.EventCount, len(a.Events.Nodes))
	}
	for i, n := range a.Events.Nodes {
		if n.StateAfter["Notes"] != float64(i) {
			t.Fatalf("stateAfter of event %d: %v notes, want %d", i, n.StateAfter["Notes"], i)
		}
	}
	if n := applied.Load(); n > 31 {
		t.Errorf("%d events applied to answer 31 states; want one fold (31)", n)
	}
}
