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

// slaCommands runs SLA commands on a subject's clocks, as the SLA policy
// does.
func slaCommands(t *testing.T, e *env, subjectID string, cmds ...domain.SlaCommand) {
	t.Helper()
	if _, _, err := e.cmds.Sla(e.ctx, subjectID, commands.Meta{Actor: "system:sla"}, cmds...); err != nil {
		t.Fatal(err)
	}
}

// breachTicketClock starts a ticket's resolution clock with a target so
// short it is past by the check that follows, which records the breach.
func breachTicketClock(t *testing.T, e *env, ticketID string) {
	t.Helper()
	slaCommands(t, e, ticketID,
		domain.StartSla{TicketID: ticketID, Metric: domain.SlaResolution, Policy: "std", Target: time.Nanosecond, Calendar: domain.AlwaysOpen()})
	slaCommands(t, e, ticketID, domain.CheckSla{})
}

type slaAlertOut struct {
	SubjectKind, SubjectID, Metric, Subject string
	Deadline                                time.Time
	Warned, Breached                        bool
	TicketNumber, AgentID, Channel          *string
	CustomerID, CustomerName                *string
}

const slaAlertFields = `subjectKind subjectId metric deadline warned breached ticketNumber subject agentId channel customerId customerName`

// TestSlaAlerts: a breached ticket clock and an interaction's clock at
// risk, most urgent first with what a supervisor acts on; clocks in time
// stay out; supervisors and admins only.
func TestSlaAlerts(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	if _, err := e.cmds.Ticket(e.ctx, f.ticketID, domain.AssignTicket{AgentID: f.agentID}, commands.Meta{Actor: "system:test"}); err != nil {
		t.Fatal(err)
	}
	breachTicketClock(t, e, f.ticketID)
	// The interaction's clock warns almost at once and breaches in an hour: at risk.
	slaCommands(t, e, f.interactionID, domain.StartSla{InteractionID: f.interactionID, Metric: domain.SlaFirstResponse, Policy: "webchat",
		Target: time.Hour, WarnShare: 1e-9, Calendar: domain.AlwaysOpen()})
	slaCommands(t, e, f.interactionID, domain.CheckSla{})
	// A second ticket's clock in time: no alert.
	other := e.openTicket(f.customerID, "Just a question")
	slaCommands(t, e, other, domain.StartSla{TicketID: other, Metric: domain.SlaFirstResponse, Policy: "std", Target: time.Hour, Calendar: domain.AlwaysOpen()})
	e.settle()

	var got struct{ SlaAlerts []slaAlertOut }
	e.post(e.token(auth.RoleSupervisor, "sup"), `{ slaAlerts { `+slaAlertFields+` } }`, nil).ok(t).decode(t, &got)
	a := got.SlaAlerts
	if len(a) != 2 {
		t.Fatalf("slaAlerts %+v, want the ticket's breached clock and the interaction's at risk", a)
	}
	tk, it := a[0], a[1]
	if tk.SubjectKind != "TICKET" || tk.SubjectID != f.ticketID || tk.Metric != "RESOLUTION" || !tk.Breached || tk.Subject != "Refund please" ||
		tk.TicketNumber == nil || *tk.TicketNumber == "" || tk.AgentID == nil || *tk.AgentID != f.agentID || tk.Channel != nil || tk.CustomerName != nil {
		t.Errorf("ticket alert %+v", tk)
	}
	if it.SubjectKind != "INTERACTION" || it.SubjectID != f.interactionID || it.Metric != "FIRST_RESPONSE" || !it.Warned || it.Breached ||
		it.Channel == nil || *it.Channel != "WEBCHAT" || it.CustomerID == nil || *it.CustomerID != f.customerID ||
		it.CustomerName == nil || *it.CustomerName != seedName || it.AgentID != nil || it.TicketNumber != nil {
		t.Errorf("interaction alert %+v", it)
	}
	if !tk.Deadline.Before(it.Deadline) {
		t.Errorf("deadlines %v then %v: want the most urgent first", tk.Deadline, it.Deadline)
	}

	// Bounded by first.
	var one struct{ SlaAlerts []slaAlertOut }
	e.post(e.token(auth.RoleAdmin, "adm"), `{ slaAlerts(first: 1) { subjectId } }`, nil).ok(t).decode(t, &one)
	if len(one.SlaAlerts) != 1 || one.SlaAlerts[0].SubjectID != f.ticketID {
		t.Errorf("slaAlerts(first: 1) %+v", one.SlaAlerts)
	}
	if r := e.post(e.token(auth.RoleSupervisor, "sup"), `{ slaAlerts(first: 0) { subjectId } }`, nil); !slices.Equal(r.codes(), []string{apierror.CodeBadUserInput}) {
		t.Errorf("first: 0: errors %+v, want BAD_INPUT", r.Errors)
	}

	// The wallboard's, across every agent's work: not for agents, analysts or auditors.
	for _, role := range []auth.Role{auth.RoleAgent, auth.RoleAnalyst, auth.RoleAuditor} {
		if r := e.post(e.token(role, "u1"), `{ slaAlerts { subjectId } }`, nil); !slices.Equal(r.codes(), []string{apierror.CodeForbidden}) {
			t.Errorf("%s: errors %+v, want FORBIDDEN", role, r.Errors)
		}
	}
}

// TestSlaAlertsChanged: an SLA event re-delivers the alerts to
// slaAlertsChanged; an agent may not subscribe.
func TestSlaAlertsChanged(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	breachTicketClock(t, e, f.ticketID)
	e.settle()

	agent := e.dialWS()
	agent.Init(e.token(auth.RoleAgent, f.agentID))
	agent.Subscribe("x", `subscription { slaAlertsChanged { subjectId } }`, nil)
	if m := agent.Read(); m.Type != transporttest.Error || m.ID != "x" || !strings.Contains(string(m.Payload), apierror.CodeForbidden) {
		t.Fatalf("an agent's subscription: got %+v, want a FORBIDDEN error", m)
	}

	c := e.dialWS()
	c.Init(e.token(auth.RoleSupervisor, "sup"))
	c.Subscribe("s", `subscription { slaAlertsChanged(first: 5) { subjectKind subjectId breached } }`, nil)
	c.Send(map[string]any{"type": transporttest.Ping})
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}
	// The interaction's first-response clock breaches: both alerts.
	slaCommands(t, e, f.interactionID, domain.StartSla{InteractionID: f.interactionID, Metric: domain.SlaFirstResponse, Policy: "webchat",
		Target: time.Nanosecond, Calendar: domain.AlwaysOpen()})
	slaCommands(t, e, f.interactionID, domain.CheckSla{})
	type alert struct {
		SubjectKind, SubjectID string
		Breached               bool
	}
	want := []alert{{"TICKET", f.ticketID, true}, {"INTERACTION", f.interactionID, true}}
	for {
		m := c.Read()
		if m.Type != transporttest.Next || m.ID != "s" {
			t.Fatalf("got %+v, want next", m)
		}
		var resp struct {
			Data struct{ SlaAlertsChanged []alert }
		}
		must(t, json.Unmarshal(m.Payload, &resp), "payload %s", m.Payload)
		got := resp.Data.SlaAlertsChanged
		if slices.Equal(got, want) {
			return
		}
		// The start alone (late, not yet recorded as breached) may come first.
		if len(got) != 2 || got[1].SubjectID != f.interactionID || got[1].Breached {
			t.Fatalf("slaAlertsChanged %s, want %+v", m.Payload, want)
		}
	}
}
