package graphql

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

const customerView = `{ id displayName tier identities { kind value } lastContactAt lastChannel interactionCount
	timeline(first: 50) { nodes { position at channel kind interactionId ticketId } }
	openTickets { id status priority subject assignee { id } }
	interactions(first: 20) { nodes { id status channel messageCount } } }`

// TestCustomerAsOfEqualsWhatTheReadModelsShowedThen captures the customer
// 360 through the live read models at three moments, then asks for it as
// of each: the answers are the same.
func TestCustomerAsOfEqualsWhatTheReadModelsShowedThen(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	auditor := e.token(auth.RoleAuditor, "aud")
	type moment struct {
		at   time.Time
		view string
	}
	var moments []moment
	capture := func() {
		t.Helper()
		e.settle()
		var got struct{ Customer json.RawMessage }
		e.post(auditor, `query($id: ID!) { customer(id: $id) `+customerView+` }`, map[string]any{"id": f.customerID}).ok(t).decode(t, &got)
		moments = append(moments, moment{at: time.Now().UTC(), view: string(got.Customer)})
		time.Sleep(5 * time.Millisecond) // the next events are recorded after this moment
	}
	capture()
	e.inbound("seed-2", seedPhone, seedName, "Any news on my refund?")
	second := e.openTicket(f.customerID, "Second complaint")
	capture()
	if _, err := e.cmds.Ticket(e.ctx, f.ticketID, domain.AssignTicket{AgentID: f.agentID}, commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cmds.Interaction(e.ctx, f.interactionID, commands.Meta{Actor: "agent:" + f.agentID},
		domain.SendMessage{MessageID: "reply-1", AgentID: f.agentID, Text: "Refunded today"}); err != nil {
		t.Fatal(err)
	}
	capture()
	if slices.IndexFunc(moments[1:], func(m moment) bool { return m.view == moments[0].view }) >= 0 {
		t.Fatal("the customer did not change between the moments: the test would prove nothing")
	}
	for i, m := range moments {
		var asOf struct{ CustomerAsOf json.RawMessage }
		e.post(auditor, `query($id: ID!, $at: Time!) { customerAsOf(id: $id, at: $at) `+customerView+` }`,
			map[string]any{"id": f.customerID, "at": m.at.Format(time.RFC3339Nano)}).ok(t).decode(t, &asOf)
		if got := string(asOf.CustomerAsOf); !jsonEqual(t, got, m.view) {
			t.Errorf("moment %d: as of %s\n got %s\nwant %s", i, m.at.Format(time.RFC3339Nano), got, m.view)
		}
	}
	// The second ticket as of before it was opened is null; after, open.
	var ticket struct{ TicketAsOf *struct{ Status string } }
	e.post(auditor, `query($id: ID!, $at: Time!) { ticketAsOf(id: $id, at: $at) { status } }`,
		map[string]any{"id": second, "at": moments[0].at.Format(time.RFC3339Nano)}).ok(t).decode(t, &ticket)
	if ticket.TicketAsOf != nil {
		t.Errorf("ticket as of before it was opened: %+v", ticket.TicketAsOf)
	}
	e.post(auditor, `query($id: ID!, $at: Time!) { ticketAsOf(id: $id, at: $at) { status } }`,
		map[string]any{"id": second, "at": moments[2].at.Format(time.RFC3339Nano)}).ok(t).decode(t, &ticket)
	if ticket.TicketAsOf == nil || ticket.TicketAsOf.Status != "NEW" {
		t.Errorf("ticket as of after it was opened: %+v", ticket.TicketAsOf)
	}
	// Agents may not ask.
	r := e.post(e.token(auth.RoleAgent, f.agentID), `query($id: ID!, $at: Time!) { customerAsOf(id: $id, at: $at) { id } }`,
		map[string]any{"id": f.customerID, "at": moments[0].at.Format(time.RFC3339Nano)})
	if !slices.Equal(r.codes(), []string{apierror.CodeForbidden}) {
		t.Errorf("an agent's customerAsOf: %+v", r.Errors)
	}
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
