package sip

import (
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/icholy/digest"

	"github.com/interactionledger/ledger/domain"
)

// rawPhoneAt is a raw UDP phone bound to ip (127.0.0.x): another source
// address than newRawPhone's.
func rawPhoneAt(t testing.TB, s *Server, ip net.IP) *rawPhone {
	t.Helper()
	to, err := net.ResolveUDPAddr("udp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawPhone{t: t, conn: conn, to: to}
}

// header returns the value of the first header called name in a SIP
// message.
func header(t testing.TB, msg, name string) string {
	t.Helper()
	for line := range strings.SplitSeq(msg, "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s header in:\n%s", name, msg)
	return ""
}

// registerMsg is a REGISTER of agent-001 to sip:127.0.0.1 with the given
// transaction, Call-ID, CSeq, Contact port and Authorization (may be
// empty).
func registerMsg(branch, callID string, cseq, contactPort int, authz string) string {
	msg := "REGISTER sip:127.0.0.1 SIP/2.0\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-" + branch + "\n" +
		"Max-Forwards: 70\n" +
		"From: <sip:agent-001@127.0.0.1>;tag=f-" + callID + "\n" +
		"To: <sip:agent-001@127.0.0.1>\n" +
		"Call-ID: " + callID + "\n" +
		"CSeq: " + strconv.Itoa(cseq) + " REGISTER\n" +
		"Contact: <sip:agent-001@127.0.0.1:" + strconv.Itoa(contactPort) + ">\n" +
		"Expires: 600\n"
	if authz != "" {
		msg += "Authorization: " + authz + "\n"
	}
	return msg + "Content-Length: 0\n\n"
}

// TestRegisterReplayRefused: a REGISTER captured on plain UDP, replayed
// with a new Call-ID and the attacker's Contact, from the phone's own
// address (spoofed) or from another, is refused with a fresh challenge,
// and the agent's registration still points at the phone. The phone
// itself goes on with the next nonce count.
func TestRegisterReplayRefused(t *testing.T) {
	l := newTestLedger(t)
	var creds []Credential
	l.agent(t, &creds, "agent-001", "s3cret-001", domain.PresenceAvailable)
	s := startServer(t, l, creds, l.storeDirectory("agent-001"), nil)

	phone := newRawPhone(t, s)
	phone.send(registerMsg("p1", "phone-reg", 1, phone.port(), ""))
	chal, err := digest.ParseChallenge(header(t, phone.expect(401), "WWW-Authenticate"))
	if err != nil {
		t.Fatal(err)
	}
	answer := func(nc int) string {
		cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: "sip:127.0.0.1", Username: "agent-001", Password: "s3cret-001", Cnonce: "9f2c", Count: nc})
		if err != nil {
			t.Fatal(err)
		}
		return cred.String()
	}
	captured := answer(1)
	phone.send(registerMsg("p2", "phone-reg", 2, phone.port(), captured))
	phone.expect(200)
	registeredAt := func() int {
		t.Helper()
		b, ok := s.registrar.lookup("agent-001")
		if !ok {
			t.Fatal("agent-001 is not registered")
		}
		return b.contact.Port
	}
	if got := registeredAt(); got != phone.port() {
		t.Fatalf("registered at port %d, want the phone's %d", got, phone.port())
	}

	const attackerPort = 6666
	replays := []struct {
		name string
		from *rawPhone
	}{
		{"from the phone's address (spoofed)", phone},
		{"from another address", rawPhoneAt(t, s, net.IPv4(127, 0, 0, 2))},
	}
	for i, r := range replays {
		t.Run(r.name, func(t *testing.T) {
			r.from.t = t
			r.from.send(registerMsg("evil"+strconv.Itoa(i), "evil-reg-"+strconv.Itoa(i), 1, attackerPort, captured))
			code, msg := r.from.final()
			if code != 401 && code != 403 {
				t.Fatalf("replayed REGISTER answered %d, want 401 or 403:\n%s", code, msg)
			}
			if code == 401 && strings.Contains(header(t, msg, "WWW-Authenticate"), chal.Nonce) {
				t.Fatalf("the refusal challenges with the replayed nonce again:\n%s", msg)
			}
			if got := registeredAt(); got != phone.port() {
				t.Fatalf("after the replay agent-001 is registered at port %d, want the phone's %d", got, phone.port())
			}
		})
	}

	// The phone re-registers with the next nonce count: still welcome.
	phone.t = t
	phone.send(registerMsg("p3", "phone-reg", 3, phone.port(), answer(2)))
	phone.expect(200)
	if got := registeredAt(); got != phone.port() {
		t.Fatalf("registered at port %d, want the phone's %d", got, phone.port())
	}
}
