package graphql

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/interactionledger/ledger/graphql/apierror"
	"github.com/interactionledger/ledger/graphql/auth"
)

// wsClient speaks graphql-transport-ws to the env's server.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
}

func (e *env) dialWS(protocols ...string) *wsClient {
	e.t.Helper()
	if protocols == nil {
		protocols = []string{subprotocol}
	}
	d := websocket.Dialer{Subprotocols: protocols, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(e.url, "http"), nil)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	resp.Body.Close()
	e.t.Cleanup(func() { conn.Close() })
	return &wsClient{t: e.t, conn: conn}
}

func (c *wsClient) send(m map[string]any) {
	c.t.Helper()
	if err := c.conn.WriteJSON(m); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next message, failing the test after 10 s.
func (c *wsClient) read() wsMessage {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m wsMessage
	if err := c.conn.ReadJSON(&m); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

// closed waits for the server to close the connection and returns the
// close code.
func (c *wsClient) closed() int {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := c.conn.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			c.t.Fatalf("connection ended without a close frame: %v", err)
		}
	}
}

func (c *wsClient) init(token string) {
	c.t.Helper()
	c.send(map[string]any{"type": msgConnectionInit, "payload": map[string]any{"Authorization": "Bearer " + token}})
	if m := c.read(); m.Type != msgConnectionAck {
		c.t.Fatalf("got %+v, want connection_ack", m)
	}
}

func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	c.t.Helper()
	c.send(map[string]any{"id": id, "type": msgSubscribe, "payload": map[string]any{"query": query, "variables": vars}})
}

func TestSubscriptionTicketUpdated(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	c := e.dialWS()
	c.init(e.token(auth.RoleAgent, f.agentID))
	c.subscribe("t1", `subscription($id: ID!) { ticketUpdated(id: $id) { id status assignee { id } noteCount } }`, map[string]any{"id": f.ticketID})
	// The subscription is registered once the server read the message;
	// a ping's pong, answered in order, proves that.
	c.send(map[string]any{"type": msgPing})
	if m := c.read(); m.Type != msgPong {
		t.Fatalf("got %+v, want pong", m)
	}
	supervisor := e.token(auth.RoleSupervisor, "s-1")
	e.post(supervisor, `mutation($t: ID!, $a: ID!) { assignTicket(ticketId: $t, agentId: $a) { position } }`,
		map[string]any{"t": f.ticketID, "a": f.agentID}).ok(t)
	m := c.read()
	if m.Type != msgNext || m.ID != "t1" {
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
	c.send(map[string]any{"id": "t1", "type": msgComplete})
	// A query over the same socket still answers, then completes.
	c.subscribe("q1", `{ me { subject } }`, nil)
	if m := c.read(); m.Type != msgNext || m.ID != "q1" || !strings.Contains(string(m.Payload), f.agentID) {
		t.Errorf("query over WebSocket: %+v", m)
	}
	if m := c.read(); m.Type != msgComplete || m.ID != "q1" {
		t.Errorf("got %+v, want complete for q1", m)
	}
}

func TestSubscriptionRefusals(t *testing.T) {
	e := newEnv(t)
	c := e.dialWS()
	c.init(e.token(auth.RoleAuditor, "aud"))
	c.subscribe("s1", `subscription { queueChanged(name: "general") { name } }`, nil)
	m := c.read()
	if m.Type != msgError || m.ID != "s1" || !strings.Contains(string(m.Payload), apierror.CodeForbidden) {
		t.Errorf("an auditor subscribing to queues: %+v, want error FORBIDDEN", m)
	}
	c.subscribe("s2", `subscription { ticketUpdated(id: "x") { colour } }`, nil)
	if m := c.read(); m.Type != msgError || !strings.Contains(string(m.Payload), apierror.CodeValidationFailed) {
		t.Errorf("an invalid subscription: %+v", m)
	}
}

func TestWebSocketProtocolErrors(t *testing.T) {
	e := newEnv(t)
	good := e.token(auth.RoleAgent, "a-001")
	for _, c := range []struct {
		name string
		do   func(c *wsClient)
		want int
	}{
		{"subscribe before init", func(c *wsClient) { c.subscribe("1", `{ me { role } }`, nil) }, closeUnauthorized},
		{"bad token", func(c *wsClient) {
			c.send(map[string]any{"type": msgConnectionInit, "payload": map[string]any{"Authorization": "Bearer nope"}})
		}, closeForbidden},
		{"no token", func(c *wsClient) { c.send(map[string]any{"type": msgConnectionInit}) }, closeForbidden},
		{"second init", func(c *wsClient) {
			c.init(good)
			c.send(map[string]any{"type": msgConnectionInit, "payload": map[string]any{"token": good}})
		}, closeTooManyInitRequest},
		{"duplicate id", func(c *wsClient) {
			c.init(good)
			c.subscribe("dup", `subscription { agentPresenceChanged { id } }`, nil)
			c.subscribe("dup", `subscription { agentPresenceChanged { id } }`, nil)
		}, closeSubscriberExists},
		{"invalid message", func(c *wsClient) {
			must(c.t, c.conn.WriteMessage(websocket.TextMessage, []byte(`{"type":`)), "write")
		}, closeInvalidMessage},
		{"unknown type", func(c *wsClient) { c.send(map[string]any{"type": "start", "id": "1"}) }, closeInvalidMessage},
		{"binary frame", func(c *wsClient) {
			must(c.t, c.conn.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"ping"}`)), "write")
		}, closeInvalidMessage},
	} {
		t.Run(c.name, func(t *testing.T) {
			client := e.dialWS()
			client.t = t
			c.do(client)
			if code := client.closed(); code != c.want {
				t.Errorf("close code %d, want %d", code, c.want)
			}
		})
	}
	t.Run("wrong subprotocol", func(t *testing.T) {
		client := e.dialWS("graphql-ws")
		client.t = t
		if code := client.closed(); code != closeSubprotocol {
			t.Errorf("close code %d, want %d", code, closeSubprotocol)
		}
	})
	t.Run("init timeout", func(t *testing.T) {
		quick := newEnv(t, withLimits(Limits{ConnectionInitTimeout: 50 * time.Millisecond}))
		client := quick.dialWS()
		client.t = t
		if code := client.closed(); code != closeInitTimeout {
			t.Errorf("close code %d, want %d", code, closeInitTimeout)
		}
	})
	t.Run("token in the upgrade request", func(t *testing.T) {
		d := websocket.Dialer{Subprotocols: []string{subprotocol}}
		conn, resp, err := d.Dial("ws"+strings.TrimPrefix(e.url, "http"), http.Header{"Authorization": {"Bearer " + good}})
		must(t, err, "dial")
		resp.Body.Close()
		defer conn.Close()
		client := &wsClient{t: t, conn: conn}
		client.send(map[string]any{"type": msgConnectionInit})
		if m := client.read(); m.Type != msgConnectionAck {
			t.Errorf("got %+v, want connection_ack", m)
		}
	})
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
	c.init(agent)
	c.subscribe("i", `subscription($id: ID!) { interactionUpdated(id: $id) { id messageCount messages { direction text } } }`,
		map[string]any{"id": f.interactionID})
	c.subscribe("q", `subscription { queueChanged(name: "general") { name waitingCount waiting { interaction { id } } } }`, nil)
	c.subscribe("a", `subscription { agentPresenceChanged { id presence } }`, nil)
	c.send(map[string]any{"type": msgPing}) // answered once the three are registered
	if m := c.read(); m.Type != msgPong {
		t.Fatalf("got %+v, want pong", m)
	}
	// next reads until an update of operation id arrives; updates of the
	// others (a change can touch several) are skipped.
	next := func(id string, v any) {
		t.Helper()
		for {
			m := c.read()
			if m.Type != msgNext {
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
