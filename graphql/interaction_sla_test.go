package graphql

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/internal/document"
	"github.com/interactionledger/ledger/graphql/transport/transporttest"
)

// startChatClock starts the seeded chat's first-response clock, as the
// SLA policy does when the chat is queued.
func startChatClock(t *testing.T, e *env, interactionID string) {
	t.Helper()
	if _, _, err := e.cmds.Sla(e.ctx, interactionID, commands.Meta{Actor: "system:sla"},
		domain.StartSla{InteractionID: interactionID, Metric: domain.SlaFirstResponse, Policy: "webchat", Target: 2 * time.Minute, WarnShare: 0.8, Calendar: domain.AlwaysOpen()},
	); err != nil {
		t.Fatal(err)
	}
}

func TestInteractionSlaClocks(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	startChatClock(t, e, f.interactionID)
	e.settle()
	type clocks struct {
		Interaction struct {
			SlaClocks []struct {
				Metric, Policy, State string
				TargetSeconds         float64
				Deadline              *time.Time
				Warned, Breached      bool
			}
		}
	}
	// Every role that reads the interaction reads its clocks, analysts
	// (who see it masked) included: the clocks hold no personal data.
	for _, role := range []auth.Role{auth.RoleAgent, auth.RoleAnalyst} {
		var got clocks
		e.post(e.token(role, "u1"), `query($id: ID!) { interaction(id: $id) { slaClocks { metric policy state targetSeconds deadline warned breached } } }`,
			map[string]any{"id": f.interactionID}).ok(t).decode(t, &got)
		c := got.Interaction.SlaClocks
		if len(c) != 1 || c[0].Metric != "FIRST_RESPONSE" || c[0].State != "RUNNING" || c[0].Policy != "webchat" ||
			c[0].TargetSeconds != 120 || c[0].Deadline == nil || c[0].Warned || c[0].Breached {
			t.Fatalf("%s: slaClocks %+v", role, c)
		}
	}
	// The ticket's clocks are its own.
	var ticket struct {
		Ticket struct{ SlaClocks []struct{ Metric string } }
	}
	e.post(e.token(auth.RoleAgent, f.agentID), `query($id: ID!) { ticket(id: $id) { slaClocks { metric } } }`,
		map[string]any{"id": f.ticketID}).ok(t).decode(t, &ticket)
	if len(ticket.Ticket.SlaClocks) != 0 {
		t.Fatalf("the ticket shows the interaction's clocks: %+v", ticket.Ticket.SlaClocks)
	}
}

// TestSubscriptionsSendInteractionSlaChanges: a change to an interaction's
// clocks (sla-<interaction id>) re-delivers the interaction to
// interactionUpdated, and its agent to agentUpdated: the inbox counts down
// to the new clocks.
func TestSubscriptionsSendInteractionSlaChanges(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	if _, err := e.cmds.Interaction(e.ctx, f.interactionID, commands.Meta{Actor: "system:test"}, domain.AssignInteraction{AgentID: f.agentID}); err != nil {
		t.Fatal(err)
	}
	e.settle()
	c := e.dialWS()
	c.Init(e.token(auth.RoleAgent, f.agentID))
	c.Subscribe("i", `subscription($id: ID!) { interactionUpdated(id: $id) { id slaClocks { metric state } } }`, map[string]any{"id": f.interactionID})
	c.Subscribe("a", `subscription($id: ID!) { agentUpdated(id: $id) { id openInteractions { id slaClocks { metric state } } } }`, map[string]any{"id": f.agentID})
	c.Send(map[string]any{"type": transporttest.Ping})
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}
	startChatClock(t, e, f.interactionID)
	type clock struct{ Metric, State string }
	var sawInteraction, sawAgent bool
	for !sawInteraction || !sawAgent {
		m := c.Read()
		if m.Type != transporttest.Next {
			t.Fatalf("got %+v, want next", m)
		}
		var resp struct {
			Data struct {
				InteractionUpdated struct {
					ID        string
					SlaClocks []clock
				}
				AgentUpdated struct {
					OpenInteractions []struct {
						ID        string
						SlaClocks []clock
					}
				}
			}
		}
		must(t, json.Unmarshal(m.Payload, &resp), "payload %s", m.Payload)
		switch m.ID {
		case "i":
			u := resp.Data.InteractionUpdated
			if u.ID != f.interactionID || len(u.SlaClocks) != 1 || u.SlaClocks[0] != (clock{"FIRST_RESPONSE", "RUNNING"}) {
				t.Fatalf("interactionUpdated %s: want the running first-response clock", m.Payload)
			}
			sawInteraction = true
		case "a":
			open := resp.Data.AgentUpdated.OpenInteractions
			if len(open) != 1 || open[0].ID != f.interactionID || len(open[0].SlaClocks) != 1 || open[0].SlaClocks[0].State != "RUNNING" {
				t.Fatalf("agentUpdated %s: want the interaction with its running clock", m.Payload)
			}
			sawAgent = true
		default:
			t.Fatalf("got %+v", m)
		}
	}
}

// TestInboxQueryCost keeps the desktop's inbox documents, with the SLA
// clocks they count down to, within the API's complexity limit, with room
// to spare.
func TestInboxQueryCost(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "ui", "app", "src", "components", "Inbox", "inbox.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseSchema(&resolver{}, DefaultLimits(), quietLogger)
	must(t, err, "schema")
	m := costModel{schema: s.AST(), maxFirst: DefaultLimits().MaxFirst}
	doc, err := document.Parse(string(raw))
	must(t, err, "parse inbox.graphql")
	for _, name := range []string{"Inbox", "InboxUpdated", "InboxItemUpdated"} {
		op, err := doc.Operation(name)
		must(t, err, "operation %s", name)
		cost, limit := m.cost(doc, op, map[string]any{"id": "a1"}), DefaultLimits().MaxComplexity
		t.Logf("%s costs %d (limit %d)", name, cost, limit)
		if cost > limit/4 {
			t.Errorf("%s costs %d, more than a quarter of the limit %d", name, cost, limit)
		}
	}
}
