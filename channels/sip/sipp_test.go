package sip

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// serviceNumber is the number callers dial in these tests.
const serviceNumber = "4008001234"

// callInteraction returns the events of the interaction the call with
// callID opened.
func (l *testLedger) callInteraction(t testing.TB, callID string) []recorded {
	t.Helper()
	return l.streamEvents(t, domain.InteractionStream(firstInteractionID(domain.StreamNames{}, callID)))
}

// sippTransports are the transports the phone channel serves, with the
// sipp -t mode that speaks each (one socket per sipp process).
var sippTransports = []struct{ name, mode string }{
	{"udp", "u1"},
	{"tcp", "t1"},
}

// TestSippAnsweredCall: a caller (sipp UAC) dials the service number; the
// agent's phone (sipp) registered with digest auth answers; the caller
// hangs up. The ledger holds one interaction on channel PHONE for the
// caller's number with every step of the call, in order, with its
// durations. It runs over UDP and over TCP: the caller, the registration
// and the agent's phone all use the transport under test.
func TestSippAnsweredCall(t *testing.T) {
	for _, tr := range sippTransports {
		t.Run(tr.name, func(t *testing.T) {
			l := newTestLedger(t)
			var creds []Credential
			l.agent(t, &creds, "agent-001", "s3cret-001", domain.PresenceAvailable)
			s := startServer(t, l, creds, l.storeDirectory("agent-001"), nil)

			phonePort := freePort(t)
			phone := startSipp(t, "agent phone", "agent_answer.xml", "-t", tr.mode, "-p", strconv.Itoa(phonePort), "-m", "1", "-timeout", "60s", "-timeout_error")
			registerPhoneOver(t, s, tr.mode, "agent-001", "s3cret-001", phonePort)
			if b, _ := s.registrar.lookup("agent-001"); b.transport != tr.name {
				t.Fatalf("binding transport %q, want %q", b.transport, tr.name)
			}

			callID := "answered-" + tr.name + "-1@test"
			caller := startSipp(t, "caller", "caller_answered.xml", "127.0.0.1:"+s.testPort(), "-t", tr.mode, "-s", serviceNumber,
				"-key", "caller", "+86-138-0013-8000", "-cid_str", "answered-"+tr.name+"-%u@test", "-m", "1", "-timeout", "60s", "-timeout_error")
			caller.wait(t)
			phone.wait(t)
			waitIdle(t, s)

			evs := l.callInteraction(t, callID)
			want := []string{"InteractionStarted", "InteractionQueued", "InteractionAssigned", "CallOffered", "CallRingingStarted", "CallAnswered", "CallEnded"}
			if got := types(evs); !reflect.DeepEqual(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
			started := evs[0].Event.(domain.InteractionStarted)
			if started.Channel != domain.ChannelPhone || started.Identity != (domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"}) {
				t.Fatalf("started %+v: want channel PHONE and the caller's number in E.164", started)
			}
			if a := evs[2].Event.(domain.InteractionAssigned); a.AgentID != "agent-001" || a.WaitSeconds < 0 {
				t.Fatalf("assigned %+v: want agent-001 and a wait", a)
			}
			for _, i := range []int{3, 4} {
				if agent := agentOf(evs[i].Event); agent != "agent-001" {
					t.Fatalf("%s for agent %q, want agent-001", evs[i].Type, agent)
				}
			}
			// Durations are taken when each step is appended (the command
			// layer stamps its own clock), in order: positive, though not
			// exactly the scenarios' 500 ms of ringing and 300 ms of talk.
			answered := evs[5].Event.(domain.CallAnswered)
			if answered.AgentID != "agent-001" || answered.RingSeconds <= 0 {
				t.Fatalf("answered %+v: want agent-001 after some ringing", answered)
			}
			ended := evs[6].Event.(domain.CallEnded)
			if ended.EndedBy != "CUSTOMER" || ended.TalkSeconds <= 0 {
				t.Fatalf("ended %+v: want ended by the customer after some talk", ended)
			}
			for _, e := range evs {
				if e.Meta.Channel != string(domain.ChannelPhone) || e.Meta.SourceMessageID != callID {
					t.Fatalf("%s metadata %+v: want channel PHONE and the Call-ID as source", e.Type, e.Meta)
				}
			}
			if actor := evs[5].Meta.Actor; actor != "agent:agent-001" {
				t.Fatalf("CallAnswered actor %q", actor)
			}
			if actor := evs[6].Meta.Actor; actor != "customer:"+started.CustomerID {
				t.Fatalf("CallEnded actor %q, want the customer", actor)
			}
		})
	}
}

// agentOf returns the agent a call step names.
func agentOf(e domain.Event) string {
	switch e := e.(type) {
	case domain.CallOffered:
		return e.AgentID
	case domain.CallRingingStarted:
		return e.AgentID
	case domain.CallAnswered:
		return e.AgentID
	}
	return ""
}

// TestSippAbandonedCalls: callers hang up (CANCEL) before any agent
// answers, once while waiting in the queue (no agent is registered) and
// once while an agent's phone rings. The caller gets 487, a ringing phone
// gets CANCEL, and the ledger records the abandonment with what happened
// before it.
func TestSippAbandonedCalls(t *testing.T) {
	cases := []struct {
		name      string
		caller    string
		withPhone bool
		want      []string
	}{
		{
			name: "in the queue", caller: "caller_cancel_queued.xml",
			want: []string{"InteractionStarted", "InteractionQueued", "InteractionAbandoned"},
		},
		{
			name: "while the agent's phone rings", caller: "caller_cancel_ringing.xml", withPhone: true,
			want: []string{"InteractionStarted", "InteractionQueued", "InteractionAssigned", "CallOffered", "CallRingingStarted", "InteractionAbandoned"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newTestLedger(t)
			var creds []Credential
			l.agent(t, &creds, "agent-001", "s3cret-001", domain.PresenceAvailable)
			s := startServer(t, l, creds, l.storeDirectory("agent-001"), nil)
			var phone *sipp
			if tc.withPhone {
				port := freePort(t)
				phone = startSipp(t, "agent phone", "agent_ring_no_answer.xml", "-p", strconv.Itoa(port), "-m", "1", "-timeout", "60s", "-timeout_error")
				registerPhone(t, s, "agent-001", "s3cret-001", port)
			}
			caller := startSipp(t, "caller", tc.caller, "127.0.0.1:"+s.testPort(), "-s", serviceNumber,
				"-key", "caller", "13800138000", "-cid_str", "abandoned-%u@test", "-m", "1", "-timeout", "60s", "-timeout_error")
			caller.wait(t)
			if phone != nil {
				phone.wait(t)
			}
			waitIdle(t, s)

			evs := l.callInteraction(t, "abandoned-1@test")
			if got := types(evs); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("events %v, want %v", got, tc.want)
			}
			abandoned := evs[len(evs)-1]
			if e := abandoned.Event.(domain.InteractionAbandoned); e.Reason != "CALLER_CANCELLED" {
				t.Fatalf("abandoned %+v: want reason CALLER_CANCELLED", e)
			}
			if started := evs[0].Event.(domain.InteractionStarted); abandoned.Meta.Actor != "customer:"+started.CustomerID {
				t.Fatalf("abandonment actor %q, want the customer %s", abandoned.Meta.Actor, started.CustomerID)
			}
		})
	}
}

// TestSippTransferredCall: agent A answers, then REFERs the call to agent
// B. The ledger offers the call to B's phone, re-INVITEs the caller with
// B's SDP (media moves to B, not through us), NOTIFYs A of the outcome;
// A hangs up, the caller later hangs up on B.
func TestSippTransferredCall(t *testing.T) {
	l := newTestLedger(t)
	var creds []Credential
	l.agent(t, &creds, "agent-a", "pw-a", domain.PresenceAvailable)
	l.agent(t, &creds, "agent-b", "pw-b", domain.PresenceBreak)
	s := startServer(t, l, creds, l.storeDirectory("agent-a", "agent-b"), nil)

	portA, portB := freePort(t), freePort(t)
	phoneA := startSipp(t, "agent A phone", "agent_refer.xml", "-p", strconv.Itoa(portA), "-key", "transfer_to", "agent-b", "-m", "1", "-timeout", "60s", "-timeout_error")
	phoneB := startSipp(t, "agent B phone", "agent_answer.xml", "-p", strconv.Itoa(portB), "-m", "1", "-timeout", "60s", "-timeout_error")
	registerPhone(t, s, "agent-a", "pw-a", portA)
	registerPhone(t, s, "agent-b", "pw-b", portB)

	caller := startSipp(t, "caller", "caller_transferred.xml", "127.0.0.1:"+s.testPort(), "-s", serviceNumber,
		"-key", "caller", "+8613900139000", "-cid_str", "transferred-%u@test", "-m", "1", "-timeout", "60s", "-timeout_error")
	caller.wait(t)
	phoneA.wait(t)
	phoneB.wait(t)
	waitIdle(t, s)

	evs := l.callInteraction(t, "transferred-1@test")
	want := []string{
		"InteractionStarted", "InteractionQueued", "InteractionAssigned", "CallOffered", "CallRingingStarted", "CallAnswered",
		"InteractionTransferred", "CallOffered", "CallRingingStarted", "CallEnded",
	}
	if got := types(evs); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if a := evs[2].Event.(domain.InteractionAssigned); a.AgentID != "agent-a" {
		t.Fatalf("assigned to %q: agent B is on a break, A must take the call", a.AgentID)
	}
	tr := evs[6].Event.(domain.InteractionTransferred)
	if tr.FromAgentID != "agent-a" || tr.ToAgentID != "agent-b" || tr.Reason != "REFER" || evs[6].Meta.Actor != "agent:agent-a" {
		t.Fatalf("transfer %+v by %q: want agent-a to agent-b by REFER, by agent-a", tr, evs[6].Meta.Actor)
	}
	if o := evs[7].Event.(domain.CallOffered); o.AgentID != "agent-b" {
		t.Fatalf("offered to %q after the transfer", o.AgentID)
	}
	if e := evs[9].Event.(domain.CallEnded); e.EndedBy != "CUSTOMER" {
		t.Fatalf("ended %+v: want ended by the customer", e)
	}
}

// TestSippRegisterRefused: a softphone with a wrong password, and one
// with the right password for an agent the ledger does not know, are both
// challenged and then refused with 403; neither is routable afterwards,
// and the ledger is unchanged (registrations are never events).
func TestSippRegisterRefused(t *testing.T) {
	l := newTestLedger(t)
	var creds []Credential
	l.agent(t, &creds, "agent-001", "s3cret-001", domain.PresenceAvailable)
	// Credentials of someone who is no agent in the ledger.
	creds = append(creds, Credential{AgentID: "ghost", Realm: "ledger", HA1: HA1("ghost", "ledger", "boo-boo-boo")})
	s := startServer(t, l, creds, l.storeDirectory("agent-001"), nil)
	before := len(l.allEvents(t))
	cases := []struct{ agent, password string }{
		{"agent-001", "wrong-password"},
		{"ghost", "boo-boo-boo"},
	}
	for _, tc := range cases {
		t.Run(tc.agent, func(t *testing.T) {
			p := startSipp(t, "register "+tc.agent, "agent_register_forbidden.xml", "127.0.0.1:"+s.testPort(),
				"-inf", agentsCSV(t, tc.agent+";"+tc.password), "-key", "contact_port", "5999", "-m", "1", "-timeout", "20s", "-timeout_error")
			p.wait(t)
			if s.registrar.registered(tc.agent) {
				t.Fatalf("%s registered despite the 403", tc.agent)
			}
		})
	}
	if after := len(l.allEvents(t)); after != before {
		t.Fatalf("refused registrations appended %d events", after-before)
	}
}
