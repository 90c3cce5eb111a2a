package sip

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	siplib "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// sipSeeds are whole messages a phone or trunk sends, well formed and
// broken in the ways TestMalformedRequestsAppendNothing sends them.
func sipSeeds() []string {
	crlf := func(s string) string { return strings.ReplaceAll(strings.TrimLeft(s, "\n"), "\n", "\r\n") }
	good := invite("seed-1@test", "s1", `"Li" <sip:+8613800138000@127.0.0.1>`)
	register := `
REGISTER sip:127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-r1
Max-Forwards: 70
From: <sip:agent-001@127.0.0.1>;tag=r1
To: <sip:agent-001@127.0.0.1>
Call-ID: reg-r1
CSeq: 1 REGISTER
Contact: <sip:agent-001@127.0.0.1:5062>;expires=3600
Authorization: Digest username="agent-001", realm="ledger", nonce="1.2", uri="sip:127.0.0.1", response="00"
Content-Length: 0

`
	refer := `
REFER sip:ledger@127.0.0.1 SIP/2.0
Via: SIP/2.0/TCP 127.0.0.1:5062;branch=z9hG4bK-x1
Max-Forwards: 70
From: <sip:agent-001@127.0.0.1>;tag=a1
To: <sip:ledger@127.0.0.1>;tag=b1
Call-ID: leg-1
CSeq: 2 REFER
Refer-To: <sip:agent-002@127.0.0.1>
P-Asserted-Identity: <tel:+8613800138000>, <sip:+8613800138000@trunk>
Content-Length: 0

`
	response := `
SIP/2.0 180 Ringing
Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1
From: <sip:+8613800138000@127.0.0.1>;tag=1
To: <sip:agent-001@127.0.0.1>;tag=2
Call-ID: leg-1
CSeq: 1 INVITE
Content-Length: 0

`
	return []string{
		crlf(good), crlf(register), crlf(refer), crlf(response),
		crlf(strings.Replace(good, `From: "Li" <sip:+8613800138000@127.0.0.1>`, "From: not an address", 1)),
		crlf(strings.Replace(good, "CSeq: 1 INVITE", "CSeq: one INVITE", 1)),
		crlf(strings.Replace(good, "Content-Length: 0", "Content-Length: 99", 1)),
		crlf(strings.Replace(good, "Via: SIP/2.0/UDP", "Via: SIP/9", 1)),
		"INVITE sip:x SIP/2.0\r\n\r\n", "", "\r\n\r\n", "SIP/2.0 200\r\n",
	}
}

// FuzzSIPMessage: the channel's message parser (sipgo's, with the lenient
// header parsers) never panics, accepts everything sipgo's strict parser
// accepts, reading it the same way, and what the handlers read
// from a request it accepts (typed headers, caller identity, Refer-To)
// never panics either. The seeds run as an ordinary test.
func FuzzSIPMessage(f *testing.F) {
	for _, s := range sipSeeds() {
		f.Add([]byte(s))
	}
	lenient := siplib.NewParser(siplib.WithHeadersParsers(lenientHeaderParsers()))
	strict := siplib.NewParser()
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := lenient.ParseSIP(data)
		smsg, serr := strict.ParseSIP(data)
		if serr == nil && err != nil {
			t.Fatalf("the lenient parser refused a message the strict one accepts: %v", err)
		}
		if err != nil {
			return
		}
		if serr == nil && msg.String() != smsg.String() {
			t.Fatalf("parsed as\n%s\nthe strict parser as\n%s", msg, smsg)
		}
		req, ok := msg.(*siplib.Request)
		if !ok {
			return
		}
		_, _, _, _ = req.To(), req.CSeq(), req.Contact(), req.MaxForwards()
		var pai []string
		for _, h := range req.GetHeaders("P-Asserted-Identity") {
			pai = append(pai, h.Value())
		}
		if from := req.From(); from != nil {
			if c, err := CallerIdentity(from.Value(), pai); err == nil && c.Number == "" {
				t.Fatalf("caller identity accepted without a number: From %q, PAI %q", from.Value(), pai)
			}
		}
		if v := referToValue(req); v != "" {
			_, _ = ParseReferTo(v)
		}
	})
}

// FuzzDigestAuthorization: whatever a phone writes into Authorization,
// verify never panics, and it accepts only a credential for the address
// being registered, under a nonce this server issued to the request's
// source, with qop=auth, a uri equal to the Request-URI and a nonce count
// above any accepted before, whose response is the digest of the stored
// HA1. The seeds (a right answer, a wrong password, a replay, another
// uri, no qop, broken headers) run as an ordinary test.
func FuzzDigestAuthorization(f *testing.F) {
	path := filepath.Join(f.TempDir(), CredentialsFileName)
	ha1 := HA1("agent-001", "ledger", "right")
	if err := WriteCredentialsFile(path, []Credential{{AgentID: "agent-001", Realm: "ledger", HA1: ha1}}); err != nil {
		f.Fatal(err)
	}
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	auth, err := newDigestAuth("ledger", NewCredentialStore(path), 5*time.Minute, func() time.Time { return clock })
	if err != nil {
		f.Fatal(err)
	}
	const source = "127.0.0.1:5062"
	var requestURI siplib.Uri
	if err := siplib.ParseUri("sip:127.0.0.1", &requestURI); err != nil {
		f.Fatal(err)
	}
	chal, err := digest.ParseChallenge(auth.challenge(source, false))
	if err != nil {
		f.Fatal(err)
	}
	for _, password := range []string{"right", "wrong"} {
		for _, uri := range []string{"sip:127.0.0.1", "sip:other.example"} {
			cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: uri, Username: "agent-001", Password: password, Cnonce: "0a4f113b", Count: 1})
			if err != nil {
				f.Fatal(err)
			}
			f.Add(cred.String(), "agent-001")
			f.Add(cred.String(), "agent-001") // the same again: a replay
			f.Add(cred.String(), "agent-002")
		}
	}
	noQOP := *chal
	noQOP.QOP = nil
	if cred, err := digest.Digest(&noQOP, digest.Options{Method: "REGISTER", URI: "sip:127.0.0.1", Username: "agent-001", Password: "right"}); err == nil {
		f.Add(cred.String(), "agent-001")
	}
	for _, h := range []string{
		"", "Digest", "Digest garbage", "Basic YWdlbnQ6cHc=",
		`Digest username="agent-001", realm="ledger", nonce="1.2", uri="sip:x", response="00"`,
		`Digest username="agent-001", realm="ledger", nonce="` + auth.nonce(clock, source) + `", uri="sip:x", response="00", qop=auth-int`,
		`Digest username="agent-001", realm="ledger", nonce="` + auth.nonce(clock, source) + `", uri="sip:x", response="00", userhash=true`,
	} {
		f.Add(h, "agent-001")
	}
	accepted := map[string]int{} // the highest nc accepted per nonce
	f.Fuzz(func(t *testing.T, header, aor string) {
		user, err := auth.verify(digestRequest{header: header, method: "REGISTER", requestURI: requestURI, source: source, aorUser: aor})
		if err != nil {
			return
		}
		if user != aor {
			t.Fatalf("authenticated %q for the address of %q", user, aor)
		}
		cred, err := digest.ParseCredentials(header)
		if err != nil {
			t.Fatalf("accepted an Authorization that does not parse: %v", err)
		}
		if _, err := auth.checkNonce(cred.Nonce, source); err != nil {
			t.Fatalf("accepted nonce %q: %v", cred.Nonce, err)
		}
		if cred.QOP != "auth" || !sameRequestURI(cred.URI, requestURI) {
			t.Fatalf("accepted qop %q, uri %q for Request-URI %s", cred.QOP, cred.URI, requestURI.String())
		}
		if n := accepted[cred.Nonce]; cred.Nc <= n {
			t.Fatalf("accepted nc %d after %d with nonce %q", cred.Nc, n, cred.Nonce)
		}
		accepted[cred.Nonce] = cred.Nc
		c := digest.Challenge{Realm: "ledger", Nonce: cred.Nonce, Algorithm: cred.Algorithm, Opaque: cred.Opaque, QOP: []string{"auth"}}
		want, err := digest.Digest(&c, digest.Options{Method: "REGISTER", URI: cred.URI, Username: cred.Username, A1: ha1, Cnonce: cred.Cnonce, Count: cred.Nc})
		if err != nil || !strings.EqualFold(want.Response, cred.Response) {
			t.Fatalf("accepted response %q, the digest of the stored HA1 is %v (%v)", cred.Response, want, err)
		}
	})
}
