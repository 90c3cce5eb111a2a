package graphql

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/graphql/transport/transporttest"
)

type loggedAccess struct {
	Subject, Role, Operation string
	Fields                   []string
	Masked                   bool
	ClientAddress            *string
}

func (e *env) accessLog(customerID string, want int) []loggedAccess {
	e.t.Helper()
	auditor := e.token(auth.RoleAuditor, "aud-log")
	var got struct{ AccessLog []loggedAccess }
	deadline := time.Now().Add(20 * time.Second)
	for {
		e.settle()
		e.post(auditor, `query AccessLog($c: ID!) { accessLog(customerId: $c) { subject role operation fields masked clientAddress } }`,
			map[string]any{"c": customerID}).ok(e.t).decode(e.t, &got)
		if len(got.AccessLog) >= want || time.Now().After(deadline) {
			return got.AccessLog
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAccessLedgerRecordsWhoReadWhat: an agent's, an analyst's (masked)
// and an auditor's reads of a customer's personal data are each recorded,
// with the fields and the operation; a query without personal data is
// not.
func TestAccessLedgerRecordsWhoReadWhat(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	agent := e.token(auth.RoleAgent, f.agentID)
	vars := map[string]any{"c": f.customerID, "i": f.interactionID}
	e.post(agent, `query ScreenPop($c: ID!) { customer(id: $c) { displayName identities { value } } }`, vars).ok(t)
	e.post(e.token(auth.RoleAnalyst, "ana"), `query Review($c: ID!) { customer(id: $c) { displayName } }`, vars).ok(t)
	e.post(e.token(auth.RoleAuditor, "aud"), `query Transcript($i: ID!) { interaction(id: $i) { messages { text } } }`, vars).ok(t)
	e.post(agent, `query Wallboard { queues { name } agents { id name } }`, nil).ok(t)
	e.post(agent, `query JustIDs($c: ID!) { customer(id: $c) { id tier } }`, vars).ok(t)

	log := e.accessLog(f.customerID, 3)
	want := []loggedAccess{
		{Subject: f.agentID, Role: "agent", Operation: "ScreenPop", Fields: []string{"displayName", "identities"}},
		{Subject: "ana", Role: "analyst", Operation: "Review", Fields: []string{"displayName"}, Masked: true},
		{Subject: "aud", Role: "auditor", Operation: "Transcript", Fields: []string{"message.text"}},
	}
	if len(log) != len(want) {
		t.Fatalf("access log %+v; want %d records", log, len(want))
	}
	for i, w := range want {
		g := log[i]
		if g.Subject != w.Subject || g.Role != w.Role || g.Operation != w.Operation || !slices.Equal(g.Fields, w.Fields) || g.Masked != w.Masked {
			t.Errorf("record %d: %+v, want %+v", i, g, w)
		}
		if g.ClientAddress == nil || *g.ClientAddress != "127.0.0.1" {
			t.Errorf("record %d has client address %v, want 127.0.0.1", i, g.ClientAddress)
		}
	}
	// The auditor's own read of the access log returns no personal data:
	// asking again adds nothing.
	time.Sleep(3 * accessFlushEvery) // a record of that read would be appended by now
	if again := e.accessLog(f.customerID, 0); len(again) != 3 {
		t.Errorf("after reading the access log it holds %d records, want 3", len(again))
	}
}

// TestAccessLedgerRecordsSubscriptionUpdates: an update a subscription
// pushes with personal data is a read like a query's, recorded with the
// subscription's name; the subscription's start, before any update, is
// not.
func TestAccessLedgerRecordsSubscriptionUpdates(t *testing.T) {
	e := newEnv(t)
	f := e.seed()
	c := e.dialWS()
	c.Init(e.token(auth.RoleAgent, f.agentID))
	c.Subscribe("t1", `subscription WatchTicket($id: ID!) { ticketUpdated(id: $id) { id subject } }`, map[string]any{"id": f.ticketID})
	c.Send(map[string]any{"type": transporttest.Ping})
	if m := c.Read(); m.Type != transporttest.Pong {
		t.Fatalf("got %+v, want pong", m)
	}
	e.post(e.token(auth.RoleSupervisor, "s-1"), `mutation($t: ID!, $a: ID!) { assignTicket(ticketId: $t, agentId: $a) { position } }`,
		map[string]any{"t": f.ticketID, "a": f.agentID}).ok(t)
	if m := c.Read(); m.Type != transporttest.Next || !strings.Contains(string(m.Payload), "Refund please") {
		t.Fatalf("got %+v, want the update with the subject", m)
	}
	var found *loggedAccess
	for _, a := range e.accessLog(f.customerID, 1) {
		if a.Operation == "WatchTicket" {
			found = &a
		}
	}
	if found == nil || found.Subject != f.agentID || found.Role != "agent" || !slices.Contains(found.Fields, "ticket.subject") ||
		found.ClientAddress == nil || *found.ClientAddress == "" {
		t.Fatalf("the subscription's update is recorded as %+v, want WatchTicket by %s with ticket.subject and the client's address", found, f.agentID)
	}
}
