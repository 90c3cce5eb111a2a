package sip

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/icholy/digest"

	"github.com/interactionledger/ledger/domain"
)

// rawPhone speaks SIP over a plain UDP socket, so tests can send what no
// well-behaved stack would.
type rawPhone struct {
	t    testing.TB
	conn *net.UDPConn
	to   *net.UDPAddr
}

func newRawPhone(t testing.TB, s *Server) *rawPhone {
	t.Helper()
	to, err := net.ResolveUDPAddr("udp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawPhone{t: t, conn: conn, to: to}
}

func (p *rawPhone) port() int { return p.conn.LocalAddr().(*net.UDPAddr).Port }

// send writes msg (lines joined with CRLF, {port} replaced by ours).
func (p *rawPhone) send(msg string) {
	p.t.Helper()
	msg = strings.ReplaceAll(msg, "{port}", strconv.Itoa(p.port()))
	msg = strings.ReplaceAll(strings.TrimLeft(msg, "\n"), "\n", "\r\n")
	if _, err := p.conn.WriteToUDP([]byte(msg), p.to); err != nil {
		p.t.Fatal(err)
	}
}

// final reads responses until a final one and returns its status code and
// the whole message; provisional responses are skipped.
func (p *rawPhone) final() (int, string) {
	p.t.Helper()
	buf := make([]byte, 65535)
	for {
		_ = p.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			p.t.Fatalf("no final response: %v", err)
		}
		msg := string(buf[:n])
		var code int
		if f := strings.Fields(msg); len(f) > 1 && f[0] == "SIP/2.0" {
			code, _ = strconv.Atoi(f[1])
		}
		if code >= 200 {
			return code, msg
		}
	}
}

// invite is a well-formed INVITE to the service number; tests break it.
func invite(callID, branch, from string) string {
	return `
INVITE sip:4008001234@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-` + branch + `
Max-Forwards: 70
From: ` + from + `;tag=f` + branch + `
To: <sip:4008001234@127.0.0.1>
Call-ID: ` + callID + `
CSeq: 1 INVITE
Contact: <sip:caller@127.0.0.1:{port}>
Content-Length: 0

`
}

// TestMalformedRequestsAppendNothing sends requests a phone or trunk might
// get wrong; each gets its clear status and the ledger stays as it was.
func TestMalformedRequestsAppendNothing(t *testing.T) {
	l := newTestLedger(t)
	var creds []Credential
	l.agent(t, &creds, "agent-001", "s3cret-001", domain.PresenceAvailable)
	s := startServer(t, l, creds, l.storeDirectory("agent-001"), func(c *Config) {
		c.Numbers = map[string]string{"4008001234": "general"}
	})
	before := len(l.allEvents(t))
	good := `"Li" <sip:+8613800138000@127.0.0.1>`
	replace := func(msg, old, new string) string {
		if !strings.Contains(msg, old) {
			t.Fatalf("template lacks %q", old)
		}
		return strings.Replace(msg, old, new, 1)
	}
	// rightDigest answers a fresh challenge for the raw phone's address
	// with the right password, with or without qop, for uri.
	rightDigest := func(qop bool, uri string) string {
		chal, err := digest.ParseChallenge(s.registrar.auth.challenge("127.0.0.1", false))
		if err != nil {
			t.Fatal(err)
		}
		if !qop {
			chal.QOP = nil
		}
		cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: uri, Username: "agent-001", Password: "s3cret-001", Cnonce: "c1", Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		return "Authorization: " + cred.String() + "\n"
	}
	register := func(branch, extra string) string {
		return `
REGISTER sip:127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-` + branch + `
Max-Forwards: 70
From: <sip:agent-001@127.0.0.1>;tag=r` + branch + `
To: <sip:agent-001@127.0.0.1>
Call-ID: reg-` + branch + `
CSeq: 1 REGISTER
Contact: <sip:agent-001@127.0.0.1:{port}>
` + extra + `Content-Length: 0

`
	}
	cases := []struct {
		name string
		msg  string
		want int
	}{
		{"From without an address", replace(invite("m1", "m1", good), "From: "+good, "From: not an address"), 400},
		{"no From", replace(invite("m2", "m2", good), "From: "+good+";tag=fm2\n", ""), 400},
		{"From without tag", replace(invite("m3", "m3", good), ";tag=fm3", ""), 400},
		{"caller is not a number", invite("m4", "m4", `<sip:alice@example.com>`), 400},
		{"caller number does not normalise", invite("m5", "m5", `<sip:123@example.com>`), 400},
		{"withheld number", invite("m6", "m6", `"Anonymous" <sip:anonymous@anonymous.invalid>`), 433},
		{"no Contact", replace(invite("m7", "m7", good), "Contact: <sip:caller@127.0.0.1:{port}>\n", ""), 400},
		{"not a service number", replace(invite("m8", "m8", good), "INVITE sip:4008001234@", "INVITE sip:110@"), 404},
		{"no hops left", replace(invite("m9", "m9", good), "Max-Forwards: 70", "Max-Forwards: 0"), 483},
		{"CSeq not a number", replace(invite("m10", "m10", good), "CSeq: 1 INVITE", "CSeq: one INVITE"), 400},
		{"oversized session description", replace(invite("m11", "m11", good), "Content-Length: 0\n\n",
			"Content-Type: application/sdp\nContent-Length: 20000\n\n"+strings.Repeat("a", 20000)), 413},
		{"BYE for no call", replace(replace(replace(invite("m12", "m12", good), "INVITE sip:", "BYE sip:"), "CSeq: 1 INVITE", "CSeq: 2 BYE"),
			"To: <sip:4008001234@127.0.0.1>", "To: <sip:4008001234@127.0.0.1>;tag=x"), 481},
		{"REFER outside a call", replace(replace(invite("m13", "m13", good), "INVITE sip:", "REFER sip:"), "CSeq: 1 INVITE", "CSeq: 1 REFER\nRefer-To: <sip:agent-001@x>"), 481},
		{"REGISTER with a wrong password", register("r1", `Authorization: Digest username="agent-001", realm="ledger", nonce="`+s.registrar.auth.nonce(time.Now(), "127.0.0.1")+`", uri="sip:127.0.0.1", qop=auth, nc=00000001, cnonce="c1", response="00000000000000000000000000000000"
`), 403},
		{"REGISTER with a right password but no qop", register("r6", rightDigest(false, "sip:127.0.0.1")), 403},
		{"REGISTER whose digest uri is not its Request-URI", register("r7", rightDigest(true, "sip:elsewhere.example")), 403},
		{"REGISTER for another agent's address", replace(register("r2", `Authorization: Digest username="agent-002", realm="ledger", nonce="1.2", uri="sip:127.0.0.1", response="00"
`), "", ""), 403},
		{"REGISTER with a broken Authorization", register("r3", "Authorization: Digest garbage\n"), 400},
		{"REGISTER with a broken Expires is challenged first", register("r4", "Expires: soon\n"), 401},
		{"REGISTER of a non-agent address", replace(register("r5", ""), "To: <sip:agent-001@127.0.0.1>", "To: <sip:127.0.0.1>"), 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newRawPhone(t, s)
			p.send(tc.msg)
			if code, msg := p.final(); code != tc.want {
				t.Fatalf("status %d, want %d:\n%s", code, tc.want, msg)
			}
		})
	}
	waitIdle(t, s)
	if after := len(l.allEvents(t)); after != before {
		t.Fatalf("rejected requests appended %d events", after-before)
	}
}
