package sip

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestSpoofedInviteFromOutsideTheTrunks: an INVITE from an address that is
// no trunk, with a forged P-Asserted-Identity naming a customer's number,
// is challenged for an agent's credentials and opens no interaction: the
// forged number never pops that customer's history on an agent's screen.
func TestSpoofedInviteFromOutsideTheTrunks(t *testing.T) {
	l := newTestLedger(t)
	s := startServer(t, l, nil, l.storeDirectory(), func(c *Config) {
		c.Trunks = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	p := newRawPhoneFrom(t, s, "127.0.0.2")
	forged := strings.Replace(invite("spoof-1@test", "s1", `<sip:anyone@127.0.0.2>`), "Max-Forwards: 70",
		"Max-Forwards: 70\nP-Asserted-Identity: <tel:+8613800138000>", 1)
	p.send(forged)
	if res := p.expect(401); !strings.Contains(res, "WWW-Authenticate: Digest") {
		t.Fatalf("challenge %q lacks a digest challenge", res)
	}
	waitIdle(t, s)
	if n := countTypes(l, t)["InteractionStarted"]; n != 0 {
		t.Fatalf("%d interactions started by a spoofed INVITE", n)
	}
}

// TestIdentityCheckOfCalls: a trunk's P-Asserted-Identity is recorded as
// asserted; a number only in From, as claimed.
func TestIdentityCheckOfCalls(t *testing.T) {
	l := newTestLedger(t)
	s := startServer(t, l, nil, l.storeDirectory(), nil)
	p := newRawPhone(t, s)
	gateway := `<sip:gateway@trunk.example>`
	p.send(strings.Replace(invite("check-1@test", "c1", gateway), "Max-Forwards: 70", "Max-Forwards: 70\nP-Asserted-Identity: <tel:+8613800138001>", 1))
	p.expect(182)
	p.hangUpQueued("check-1@test", "c1", gateway)
	direct := `<sip:13800138002@127.0.0.1>`
	p.send(invite("check-2@test", "c2", direct))
	p.expect(182)
	p.hangUpQueued("check-2@test", "c2", direct)
	waitIdle(t, s)
	for callID, want := range map[string]domain.IdentityCheck{"check-1@test": domain.IdentityAsserted, "check-2@test": domain.IdentityClaimed} {
		evs := l.callInteraction(t, callID)
		if len(evs) == 0 {
			t.Fatalf("call %s recorded nothing", callID)
		}
		if st, ok := evs[0].Event.(domain.InteractionStarted); !ok || st.IdentityCheck != want {
			t.Fatalf("call %s started as %+v, want identity check %q", callID, evs[0].Event, want)
		}
	}
}
