package sip

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/limit"
)

// newRawPhoneFrom is newRawPhone on the local address ip (any address of
// 127.0.0.0/8 is this host's): a second source.
func newRawPhoneFrom(t testing.TB, s *Server, ip string) *rawPhone {
	t.Helper()
	to, err := net.ResolveUDPAddr("udp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawPhone{t: t, conn: conn, to: to}
}

// inviteFrom is invite() sent from ip.
func inviteFrom(ip, callID, branch, from string) string {
	return strings.ReplaceAll(invite(callID, branch, from), "127.0.0.1:{port}", ip+":{port}")
}

// hangUpQueuedFrom is hangUpQueued for a raw phone on the local address ip.
func (p *rawPhone) hangUpQueuedFrom(ip, callID, branch, from string) {
	p.t.Helper()
	for _, method := range []string{"CANCEL", "ACK"} {
		p.send(strings.ReplaceAll(`
`+method+` sip:4008001234@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-`+branch+`
Max-Forwards: 70
From: `+from+`;tag=f`+branch+`
To: <sip:4008001234@127.0.0.1>
Call-ID: `+callID+`
CSeq: 1 `+method+`
Content-Length: 0

`, "127.0.0.1:{port}", ip+":{port}"))
		if method == "CANCEL" {
			p.expect(487)
		}
	}
}

// TestInviteFloodFromOneSourceIsCutOff: INVITEs from one address over its
// rate are answered 503 with Retry-After and append nothing; a caller from
// another address gets through.
func TestInviteFloodFromOneSourceIsCutOff(t *testing.T) {
	l := newTestLedger(t)
	s := startServer(t, l, nil, l.storeDirectory(), func(c *Config) {
		c.Limits = limit.NewGuard(limit.GuardConfig{PerSource: limit.Rate{PerSecond: 0.01, Burst: 2}})
	})
	flooder := newRawPhoneFrom(t, s, "127.0.0.1")
	for n := range 5 {
		from := fmt.Sprintf(`<sip:+86138001380%02d@127.0.0.1>`, n)
		flooder.send(inviteFrom("127.0.0.1", fmt.Sprintf("flood-%d@test", n), fmt.Sprint("fl", n), from))
		if n < 2 {
			flooder.expect(182)
			defer flooder.hangUpQueuedFrom("127.0.0.1", fmt.Sprintf("flood-%d@test", n), fmt.Sprint("fl", n), from)
			continue
		}
		msg := flooder.expect(503)
		if secs, _ := strconv.Atoi(headerValue(msg, "Retry-After")); secs < 1 {
			t.Fatalf("INVITE %d: 503 without a Retry-After:\n%s", n, msg)
		}
	}
	other := newRawPhoneFrom(t, s, "127.0.0.2")
	other.send(inviteFrom("127.0.0.2", "other-1@test", "ot1", `<sip:+8613900139000@127.0.0.2>`))
	other.expect(182)
	defer other.hangUpQueuedFrom("127.0.0.2", "other-1@test", "ot1", `<sip:+8613900139000@127.0.0.2>`)
	if got := countTypes(l, t)[domain.InteractionStarted{}.EventType()]; got != 3 {
		t.Fatalf("%d interactions started, want 3", got)
	}
}

// TestInviteFloodFromOneCallerIsCutOff: one caller number over its rate is
// refused whichever address it comes from; another caller is not.
func TestInviteFloodFromOneCallerIsCutOff(t *testing.T) {
	l := newTestLedger(t)
	s := startServer(t, l, nil, l.storeDirectory(), func(c *Config) {
		c.Limits = limit.NewGuard(limit.GuardConfig{PerIdentity: limit.Rate{PerSecond: 0.01, Burst: 1}})
	})
	p := newRawPhoneFrom(t, s, "127.0.0.1")
	p.send(invite("caller-1@test", "c1", `<sip:+8613800138000@127.0.0.1>`))
	p.expect(182)
	defer p.hangUpQueuedFrom("127.0.0.1", "caller-1@test", "c1", `<sip:+8613800138000@127.0.0.1>`)
	q := newRawPhoneFrom(t, s, "127.0.0.3")
	q.send(inviteFrom("127.0.0.3", "caller-2@test", "c2", `<sip:013800138000@127.0.0.3>`)) // the same number, national format
	q.expect(503)
	q.send(inviteFrom("127.0.0.3", "caller-3@test", "c3", `<sip:+8613900139000@127.0.0.3>`))
	q.expect(182)
	q.hangUpQueuedFrom("127.0.0.3", "caller-3@test", "c3", `<sip:+8613900139000@127.0.0.3>`)
}

// TestRegisterFloodIsCutOff: REGISTERs from one address over its rate are
// answered 503 before their credentials are looked at.
func TestRegisterFloodIsCutOff(t *testing.T) {
	l := newTestLedger(t)
	s := startServer(t, l, nil, l.storeDirectory(), func(c *Config) {
		c.Limits = limit.NewGuard(limit.GuardConfig{PerSource: limit.Rate{PerSecond: 0.01, Burst: 1}})
	})
	p := newRawPhoneFrom(t, s, "127.0.0.1")
	register := func(n int) string {
		return fmt.Sprintf(`
REGISTER sip:127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-r%d
Max-Forwards: 70
From: <sip:agent-001@127.0.0.1>;tag=r%d
To: <sip:agent-001@127.0.0.1>
Call-ID: reg-%d@test
CSeq: 1 REGISTER
Contact: <sip:agent-001@127.0.0.1:{port}>
Expires: 60
Content-Length: 0

`, n, n, n)
	}
	p.send(register(1))
	p.expect(401)
	p.send(register(2))
	p.expect(503)
}

// headerValue returns the value of the first header name in a raw message.
func headerValue(msg, name string) string {
	for line := range strings.SplitSeq(msg, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
