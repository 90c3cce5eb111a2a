package sip

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// expect reads responses until one with code arrives and returns it.
func (p *rawPhone) expect(code int) string {
	p.t.Helper()
	buf := make([]byte, 65535)
	for {
		_ = p.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			p.t.Fatalf("no %d response: %v", code, err)
		}
		msg := string(buf[:n])
		if strings.HasPrefix(msg, "SIP/2.0 "+strconv.Itoa(code)+" ") {
			return msg
		}
	}
}

func countTypes(l *testLedger, t *testing.T) map[string]int {
	out := map[string]int{}
	for _, e := range l.allEvents(t) {
		out[e.Type]++
	}
	return out
}

// TestCallIDMakesRetriesIdempotent: a retransmitted INVITE is the same
// call; another INVITE with the Call-ID of a call in progress is a merged
// request (482); once the call ended, an INVITE reusing its Call-ID is
// refused (481) instead of opening a second interaction.
func TestCallIDMakesRetriesIdempotent(t *testing.T) {
	l := newTestLedger(t)
	s := startServer(t, l, nil, l.storeDirectory(), nil)
	p := newRawPhone(t, s)
	from := `"Li" <sip:+8613800138000@127.0.0.1>`

	first := invite("retry-1@test", "b1", from)
	p.send(first)
	p.expect(182)
	p.send(first) // a retransmission: the transaction answers it again
	p.expect(182)
	merged := strings.Replace(invite("retry-1@test", "b2", from), ";tag=fb2", ";tag=fb1", 1)
	p.send(merged)
	p.expect(482)

	p.send(`
CANCEL sip:4008001234@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-b1
Max-Forwards: 70
From: ` + from + `;tag=fb1
To: <sip:4008001234@127.0.0.1>
Call-ID: retry-1@test
CSeq: 1 CANCEL
Content-Length: 0

`)
	p.expect(487)
	p.send(`
ACK sip:4008001234@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-b1
Max-Forwards: 70
From: ` + from + `;tag=fb1
To: <sip:4008001234@127.0.0.1>
Call-ID: retry-1@test
CSeq: 1 ACK
Content-Length: 0

`)
	waitIdle(t, s)
	want := map[string]int{"InteractionStarted": 1, "InteractionQueued": 1, "InteractionAbandoned": 1}
	got := countTypes(l, t)
	for typ, n := range want {
		if got[typ] != n {
			t.Fatalf("%d %s events, want %d (all: %v)", got[typ], typ, n, got)
		}
	}
	before := len(l.allEvents(t))

	p.send(invite("retry-1@test", "b3", from))
	p.expect(481)
	p.send(`
ACK sip:4008001234@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-b3
Max-Forwards: 70
From: ` + from + `;tag=fb3
To: <sip:4008001234@127.0.0.1>
Call-ID: retry-1@test
CSeq: 1 ACK
Content-Length: 0

`)
	waitIdle(t, s)
	if after := len(l.allEvents(t)); after != before {
		t.Fatalf("an INVITE reusing an ended call's Call-ID appended %d events", after-before)
	}
}

// TestFirstInteractionIDMatchesCommandLayer pins the rule endedBefore
// relies on: the interaction a call opens is the one firstInteractionID
// names.
func TestFirstInteractionIDMatchesCommandLayer(t *testing.T) {
	l := newTestLedger(t)
	res, err := l.h.ReceiveInbound(context.Background(), commands.InboundMessage{
		Channel: domain.ChannelPhone, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"},
		ProviderMessageID: "pin@test", ConversationKey: "pin@test",
	}, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if res.InteractionID != firstInteractionID(domain.StreamNames{}, "pin@test") {
		t.Fatalf("ReceiveInbound opened %s, firstInteractionID says %s", res.InteractionID, firstInteractionID(domain.StreamNames{}, "pin@test"))
	}
}

// hangUpQueued cancels a queued call the raw phone placed (INVITE branch
// and From tag as invite() writes them) and acknowledges the 487.
func (p *rawPhone) hangUpQueued(callID, branch, from string) {
	p.t.Helper()
	for _, method := range []string{"CANCEL", "ACK"} {
		p.send(`
` + method + ` sip:4008001234@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-` + branch + `
Max-Forwards: 70
From: ` + from + `;tag=f` + branch + `
To: <sip:4008001234@127.0.0.1>
Call-ID: ` + callID + `
CSeq: 1 ` + method + `
Content-Length: 0

`)
		if method == "CANCEL" {
			p.expect(487)
		}
	}
}

// TestCallerIdentifiedByAssertedIdentityThenFrom: a trunk call whose From
// is the gateway but whose P-Asserted-Identity carries the caller's number
// opens a PHONE interaction for that number; the same person calling
// again with the number only in From (national format) is the same
// customer, on a new interaction of their timeline.
func TestCallerIdentifiedByAssertedIdentityThenFrom(t *testing.T) {
	l := newTestLedger(t)
	s := startServer(t, l, nil, l.storeDirectory(), nil)
	p := newRawPhone(t, s)

	trunk := `<sip:gateway@trunk.example>`
	first := strings.Replace(invite("pai-1@test", "p1", trunk), "Max-Forwards: 70",
		"Max-Forwards: 70\nP-Asserted-Identity: \"Li\" <tel:+86-138-0013-8000>", 1)
	p.send(first)
	p.expect(182)
	p.hangUpQueued("pai-1@test", "p1", trunk)

	direct := `"Li" <sip:13800138000@127.0.0.1>`
	p.send(invite("pai-2@test", "p2", direct))
	p.expect(182)
	p.hangUpQueued("pai-2@test", "p2", direct)
	waitIdle(t, s)

	var starts []domain.InteractionStarted
	for _, callID := range []string{"pai-1@test", "pai-2@test"} {
		evs := l.callInteraction(t, callID)
		if len(evs) == 0 {
			t.Fatalf("call %s recorded nothing", callID)
		}
		st, ok := evs[0].Event.(domain.InteractionStarted)
		if !ok || st.Channel != domain.ChannelPhone {
			t.Fatalf("call %s: first event %s, want InteractionStarted on PHONE", callID, evs[0].Type)
		}
		if want := (domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800138000"}); st.Identity != want {
			t.Fatalf("call %s identified as %+v, want %+v", callID, st.Identity, want)
		}
		starts = append(starts, st)
	}
	if starts[0].CustomerID != starts[1].CustomerID || starts[0].InteractionID == starts[1].InteractionID {
		t.Fatalf("calls %+v and %+v: want one customer, two interactions", starts[0], starts[1])
	}
	if n := countTypes(l, t)["CustomerRegistered"]; n != 1 {
		t.Fatalf("%d customers registered, want 1", n)
	}
}
