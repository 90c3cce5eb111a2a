package graphql

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/transport/transporttest"
)

// dialWS opens a graphql-transport-ws connection to the env's server.
func (e *env) dialWS() *transporttest.Client {
	e.t.Helper()
	return transporttest.Dial(e.t, e.url, nil)
}

func TestSubscriptionTicketUpdated(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	c := e.dialWS()
	c.Init(e.token(auth.RoleAgent, f.agentID))
	c.Subscribe("t1", `subscription($id: ID!) { ticketUpdated(id: $id) { id status assignee { id } noteCount } }`, map[string]any{"id": f.ticketID})
	// The subscription is registered once the server read the message;
	// a ping's pong, answered in order, proves that.
	c.Send(map[string]any{"type": transporttest.Ping})
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}
	supervisor := e.token(auth.RoleSupervisor, "s-1")
	e.post(supervisor, `mutation($t: ID!, $a: ID!) { assignTicket(ticketId: $t, agentId: $a) { position } }`,
		map[string]any{"t": f.ticketID, "a": f.agentID}).ok(t)
	m := c.Read()
	if m.Type != transporttest.Next || m.ID != "t1" {
		t.Fatalf("got %+v, want next for t1", m)
	}
	var resp struct {
		Data struct {
			TicketUpdated struct {
				ID, Status string
				Assignee   struct{ ID string }
			}
		}
		Errors []gqlError
	}
	must(t, json.Unmarshal(m.Payload, &resp), "payload %s", m.Payload)
	if u := resp.Data.TicketUpdated; u.ID != f.ticketID || u.Status != "ASSIGNED" || u.Assignee.ID != f.agentID || len(resp.Errors) > 0 {
		t.Errorf("update %s: want the ticket assigned to %s", m.Payload, f.agentID)
	}
	c.Send(map[string]any{"id": "t1", "type": transporttest.Complete})
	// A query over the same socket still answers, then completes.
	c.Subscribe("q1", `{ me { subject } }`, nil)
	if m := c.Read(); m.Type != transporttest.Next || m.ID != "q1" || !strings.Contains(string(m.Payload), f.agentID) {
		t.Errorf("query over WebSocket: %+v", m)
	}
	if m := c.Read(); m.Type != transporttest.Complete || m.ID != "q1" {
		t.Errorf("got %+v, want complete for q1", m)
	}
}

func TestSubscriptionRefusals(t *testing.T) {
	e := newEnv(t)
	c := e.dialWS()
	c.Init(e.token(auth.RoleAuditor, "aud"))
	c.Subscribe("s1", `subscription { queueChanged(name: "general") { name } }`, nil)
	m := c.Read()
	if m.Type != transporttest.Error || m.ID != "s1" || !strings.Contains(string(m.Payload), apierror.CodeForbidden) {
		t.Errorf("an auditor subscribing to queues: %+v, want error FORBIDDEN", m)
	}
	c.Subscribe("s2", `subscription { ticketUpdated(id: "x") { colour } }`, nil)
	if m := c.Read(); m.Type != transporttest.Error || !strings.Contains(string(m.Payload), apierror.CodeValidationFailed) {
		t.Errorf("an invalid subscription: %+v", m)
	}
}

// TestSlowSubscriberIsDropped checks the hub's fan-out: a subscriber that
// stops reading is dropped once its buffer is full, while another
// subscriber of the same topic gets every update and is never held up.
func TestSlowSubscriberIsDropped(t *testing.T) {
	e := newEnv(t, withLimits(Limits{SubscriberBuffer: 2}))
	f := e.seed()
	h := e.api.root.hub
	topic := topicTicket + f.ticketID
	slow, err := h.subscribe(e.ctx, topic)
	must(t, err, "subscribe")
	fast, err := h.subscribe(e.ctx, topic)
	must(t, err, "subscribe")
	head, err := e.store.HeadPosition(e.ctx)
	must(t, err, "head")
	const updates = 6
	for i := range uint64(updates) {
		h.publish(topic, head+1+i, i) // never blocks, whoever does not read
		select {
		case v := <-fast:
			if v != i {
				t.Fatalf("update %d: got %v", i, v)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("update %d never reached the reading subscriber", i)
		}
	}
	var got []any
	for v := range slow { // closed once dropped: the loop ends
		got = append(got, v)
	}
	if len(got) != 2 || got[0] != uint64(0) || got[1] != uint64(1) {
		t.Errorf("the slow subscriber got %v, want its buffer's worth [0 1]", got)
	}
	if dropped := e.counter("ledger_graphql_subscribers_dropped_total", nil); dropped != 1 {
		t.Errorf("%v subscribers dropped, want 1", dropped)
	}
	// An update caused by an event from before subscribing is not sent.
	h.publish(topic, head, "old")
	select {
	case v := <-fast:
		t.Errorf("got %v from before the subscription", v)
	default:
	}
}

// TestSubscriptionsOfEveryKind: interactionUpdated, queueChanged and
// agentPresenceChanged, on one socket, each get the update of the change
// made after subscribing, read after the read models applied it.
func TestSubscriptionsOfEveryKind(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	agent := e.token(auth.RoleAgent, f.agentID)
	c := e.dialWS()
	c.Init(agent)
	c.Subscribe("i", `subscription($id: ID!) { interactionUpdated(id: $id) { id messageCount messages { direction text } } }`,
		map[string]any{"id": f.interactionID})
	c.Subscribe("q", `subscription { queueChanged(name: "general") { name waitingCount waiting { interaction { id } } } }`, nil)
	c.Subscribe("a", `subscription { agentPresenceChanged { id presence } }`, nil)
	c.Send(map[string]any{"type": transporttest.Ping}) // answered once the three are registered
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}
	// next reads until an update of operation id arrives; updates of the
	// others (a change can touch several) are skipped.
	next := func(id string, v any) {
		t.Helper()
		for {
			m := c.Read()
			if m.Type != transporttest.Next {
				t.Fatalf("got %+v, want next", m)
			}
			if m.ID == id {
				must(t, json.Unmarshal(m.Payload, v), "payload %s", m.Payload)
				return
			}
		}
	}

	newcomer := e.inbound("sub-1", "+8613900139000", "Zhao Lei", "Is anyone there?")
	var queue struct {
		Data struct {
			QueueChanged struct {
				Name    string
				Waiting []struct{ Interaction struct{ ID string } }
			}
		}
	}
	next("q", &queue)
	waiting := []string{}
	for _, w := range queue.Data.QueueChanged.Waiting {
		waiting = append(waiting, w.Interaction.ID)
	}
	if queue.Data.QueueChanged.Name != "general" || !slices.Contains(waiting, newcomer.InteractionID) {
		t.Errorf("queue update %+v, want the newcomer's interaction waiting in general", queue.Data.QueueChanged)
	}

	e.post(agent, `mutation { setPresence(presence: AVAILABLE) { position } }`, nil).ok(t)
	var presence struct {
		Data struct{ AgentPresenceChanged struct{ ID, Presence string } }
	}
	next("a", &presence)
	if p := presence.Data.AgentPresenceChanged; p.ID != f.agentID || p.Presence != "AVAILABLE" {
		t.Errorf("presence update %+v, want %s AVAILABLE", p, f.agentID)
	}

	e.post(agent, `mutation($i: ID!) { replyToInteraction(interactionId: $i, text: "Checking now") { position } }`,
		map[string]any{"i": f.interactionID}).ok(t)
	var interaction struct {
		Data struct {
			InteractionUpdated struct {
				ID           string
				MessageCount int
				Messages     []struct{ Direction, Text string }
			}
		}
	}
	next("i", &interaction)
	u := interaction.Data.InteractionUpdated
	if u.ID != f.interactionID || u.MessageCount != 2 || len(u.Messages) != 2 || u.Messages[1].Direction != "OUT" || u.Messages[1].Text != "Checking now" {
		t.Errorf("interaction update %+v, want the reply as its second message", u)
	}
}

// TestSubscriptionAgentUpdated: an agent's inbox subscription gets the agent
// with the interaction in openInteractions once it is assigned to them, and
// without it once it is closed.
func TestSubscriptionAgentUpdated(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	agent := e.token(auth.RoleAgent, f.agentID)
	c := e.dialWS()
	c.Init(agent)
	c.Subscribe("w", `subscription($id: ID!) { agentUpdated(id: $id) { id presence openInteractions { id channel } } }`,
		map[string]any{"id": f.agentID})
	c.Send(map[string]any{"type": transporttest.Ping})
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}
	type update struct {
		Data struct {
			AgentUpdated struct {
				ID, Presence     string
				OpenInteractions []struct{ ID, Channel string }
			}
		}
		Errors []gqlError
	}
	read := func() update {
		t.Helper()
		m := c.Read()
		if m.Type != transporttest.Next || m.ID != "w" {
			t.Fatalf("got %+v, want next for w", m)
		}
		var u update
		must(t, json.Unmarshal(m.Payload, &u), "payload %s", m.Payload)
		if len(u.Errors) > 0 {
			t.Fatalf("errors: %s", m.Payload)
		}
		return u
	}
	if _, err := e.cmds.Interaction(e.ctx, f.interactionID, commands.Meta{Actor: "system:test"}, domain.AssignInteraction{AgentID: f.agentID}); err != nil {
		t.Fatal(err)
	}
	u := read().Data.AgentUpdated
	if u.ID != f.agentID || len(u.OpenInteractions) != 1 || u.OpenInteractions[0].ID != f.interactionID || u.OpenInteractions[0].Channel != "WEBCHAT" {
		t.Errorf("after assignment: %+v, want %s open", u, f.interactionID)
	}
	e.post(agent, `mutation($id: ID!) { closeInteraction(interactionId: $id, disposition: RESOLVED) { position } }`,
		map[string]any{"id": f.interactionID}).ok(t)
	for {
		u = read().Data.AgentUpdated
		if len(u.OpenInteractions) == 0 {
			break // the close may come after a presence change (after-call work)
		}
	}
	// The query answers the same.
	var q struct {
		Data struct {
			Agent struct{ OpenInteractions []struct{ ID string } }
		}
	}
	e.post(agent, `query($id: ID!) { agent(id: $id) { openInteractions { id } } }`, map[string]any{"id": f.agentID}).decode(t, &q)
	if n := len(q.Data.Agent.OpenInteractions); n != 0 {
		t.Errorf("agent query lists %d open interactions after the close", n)
	}
}

// TestSubscriptionCallOffered: an agent's screen pop subscription gets the
// call's interaction, with its caller, when the call is offered to the
// agent's phone and again when it rings; another agent's gets nothing.
func TestSubscriptionCallOffered(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	e.registerAgent("a-002", "Han Meimei")
	agent := e.token(auth.RoleAgent, f.agentID)
	c := e.dialWS()
	c.Init(agent)
	c.Subscribe("other", `subscription($id: ID!) { callOffered(agentId: $id) { id } }`, map[string]any{"id": "a-002"})
	c.Subscribe("pop", `subscription($id: ID!) { callOffered(agentId: $id) { id channel answeredAt identity { value } customer { id } } }`,
		map[string]any{"id": f.agentID})
	c.Send(map[string]any{"type": transporttest.Ping})
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}
	call, err := e.cmds.ReceiveInbound(e.ctx, commands.InboundMessage{
		Channel: domain.ChannelPhone, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613900139000"},
		ProviderMessageID: "call-1@test", ConversationKey: "call-1@test",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	meta := commands.Meta{Actor: "system:test"}
	if _, err := e.cmds.Interaction(e.ctx, call.InteractionID, meta, domain.AssignInteraction{AgentID: f.agentID}, domain.OfferCall{AgentID: f.agentID}); err != nil {
		t.Fatal(err)
	}
	type update struct {
		Data struct {
			CallOffered struct {
				ID, Channel string
				AnsweredAt  *string
				Identity    struct{ Value string }
				Customer    struct{ ID string }
			}
		}
		Errors []gqlError
	}
	read := func() update {
		t.Helper()
		m := c.Read()
		if m.Type != transporttest.Next || m.ID != "pop" {
			t.Fatalf("got %+v, want next for pop", m)
		}
		var u update
		must(t, json.Unmarshal(m.Payload, &u), "payload %s", m.Payload)
		if len(u.Errors) > 0 {
			t.Fatalf("errors: %s", m.Payload)
		}
		return u
	}
	u := read().Data.CallOffered
	if u.ID != call.InteractionID || u.Channel != "PHONE" || u.AnsweredAt != nil || u.Identity.Value != "+8613900139000" || u.Customer.ID != call.CustomerID {
		t.Errorf("offer: %+v, want call %s of customer %s, unanswered", u, call.InteractionID, call.CustomerID)
	}
	if _, err := e.cmds.Interaction(e.ctx, call.InteractionID, meta, domain.RingCall{AgentID: f.agentID}); err != nil {
		t.Fatal(err)
	}
	if u := read().Data.CallOffered; u.ID != call.InteractionID {
		t.Errorf("ringing: %+v, want call %s", u, call.InteractionID)
	}
}

// TestSubscriptionTicketUpdatedBySla: a change to the ticket's SLA clocks
// (events on sla-<ticket id>) is a change of the ticket: ticketUpdated
// sends it with the new slaClocks.
func TestSubscriptionTicketUpdatedBySla(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	c := e.dialWS()
	c.Init(e.token(auth.RoleAgent, f.agentID))
	c.Subscribe("t1", `subscription($id: ID!) { ticketUpdated(id: $id) { id slaClocks { metric state } } }`, map[string]any{"id": f.ticketID})
	c.Send(map[string]any{"type": transporttest.Ping})
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}
	if _, _, err := e.cmds.Sla(e.ctx, f.ticketID, commands.Meta{Actor: "system:sla"},
		domain.StartSla{TicketID: f.ticketID, Metric: domain.SlaResolution, Policy: "std", Target: 8 * time.Hour, Calendar: domain.AlwaysOpen()},
	); err != nil {
		t.Fatal(err)
	}
	m := c.Read()
	if m.Type != transporttest.Next || m.ID != "t1" {
		t.Fatalf("got %+v, want next for t1", m)
	}
	var resp struct {
		Data struct {
			TicketUpdated struct {
				ID        string
				SlaClocks []struct{ Metric, State string }
			}
		}
	}
	must(t, json.Unmarshal(m.Payload, &resp), "payload %s", m.Payload)
	if u := resp.Data.TicketUpdated; u.ID != f.ticketID || len(u.SlaClocks) != 1 || u.SlaClocks[0].Metric != "RESOLUTION" || u.SlaClocks[0].State != "RUNNING" {
		t.Errorf("update %s: want the ticket with its running resolution clock", m.Payload)
	}
}
