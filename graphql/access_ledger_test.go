package graphql

import (
	"slices"
	"testing"
	"time"

	"github.com/interactionledger/ledger/graphql/auth"
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
