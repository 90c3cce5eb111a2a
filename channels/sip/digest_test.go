package sip

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	siplib "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

func TestDigestVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), CredentialsFileName)
	if err := WriteCredentialsFile(path, []Credential{{AgentID: "agent-001", Realm: "ledger", HA1: HA1("agent-001", "ledger", "right")}}); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	auth, err := newDigestAuth("ledger", NewCredentialStore(path), 5*time.Minute, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	other, err := newDigestAuth("ledger", NewCredentialStore(path), 5*time.Minute, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	const phone = "192.0.2.10:5060"
	var requestURI siplib.Uri
	if err := siplib.ParseUri("sip:ledger.example", &requestURI); err != nil {
		t.Fatal(err)
	}
	// answer computes the Authorization a phone sends for a challenge.
	type opts struct {
		qop  bool
		uri  string
		nc   int
		user string
		pw   string
	}
	answer := func(challenge string, o opts) string {
		chal, err := digest.ParseChallenge(challenge)
		if err != nil {
			t.Fatal(err)
		}
		if !o.qop {
			chal.QOP = nil
		}
		if o.uri == "" {
			o.uri = "sip:ledger.example"
		}
		if o.user == "" {
			o.user = "agent-001"
		}
		if o.pw == "" {
			o.pw = "right"
		}
		cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: o.uri, Username: o.user, Password: o.pw, Cnonce: "0a4f113b", Count: o.nc})
		if err != nil {
			t.Fatal(err)
		}
		return cred.String()
	}
	fresh := auth.challenge(phone, false)
	another := auth.challenge(phone, false)
	cases := []struct {
		name    string
		header  string
		aor     string
		source  string
		advance time.Duration
		want    error
	}{
		{name: "right password", header: answer(fresh, opts{qop: true, nc: 1}), aor: "agent-001"},
		{name: "the same nonce count again (replay)", header: answer(fresh, opts{qop: true, nc: 1}), aor: "agent-001", want: errReplayed},
		{name: "next nonce count", header: answer(fresh, opts{qop: true, nc: 2}), aor: "agent-001"},
		{name: "a lower nonce count", header: answer(fresh, opts{qop: true, nc: 1}), aor: "agent-001", want: errReplayed},
		{name: "a first nonce count of 0 (sipgo's client)", header: answer(another, opts{qop: true, nc: 0}), aor: "agent-001"},
		{name: "nonce count 0 again", header: answer(another, opts{qop: true, nc: 0}), aor: "agent-001", want: errReplayed},
		{name: "nonce still fresh", header: answer(fresh, opts{qop: true, nc: 5}), aor: "agent-001", advance: 4 * time.Minute},
		{name: "the same request from the same address, another port", header: answer(fresh, opts{qop: true, nc: 6}), aor: "agent-001", source: "192.0.2.10:41234"},
		{name: "nonce used from another address", header: answer(fresh, opts{qop: true, nc: 7}), aor: "agent-001", source: "198.51.100.7:5060", want: errForgedNonce},
		{name: "without qop (RFC 2069)", header: answer(fresh, opts{nc: 8}), aor: "agent-001", want: errQOPRequired},
		{name: "uri other than the Request-URI", header: answer(fresh, opts{qop: true, nc: 9, uri: "sip:elsewhere.example"}), aor: "agent-001", want: errURIMismatch},
		{name: "uri that does not parse", header: answer(fresh, opts{qop: true, nc: 10, uri: "not a uri"}), aor: "agent-001", want: errURIMismatch},
		{name: "uri equal with other case in scheme and host", header: answer(fresh, opts{qop: true, nc: 11, uri: "SIP:Ledger.Example"}), aor: "agent-001"},
		{name: "uri with a port the Request-URI lacks", header: answer(fresh, opts{qop: true, nc: 11, uri: "sip:ledger.example:5060"}), aor: "agent-001", want: errURIMismatch},
		{name: "uri with a parameter the Request-URI lacks", header: answer(fresh, opts{qop: true, nc: 11, uri: "sip:ledger.example;transport=tcp"}), aor: "agent-001", want: errURIMismatch},
		{name: "uri of another user", header: answer(fresh, opts{qop: true, nc: 11, uri: "sip:agent-002@ledger.example"}), aor: "agent-001", want: errURIMismatch},
		{name: "qop=auth without cnonce", header: `Digest username="agent-001", realm="ledger", nonce="1.2.3", uri="sip:ledger.example", response="00", qop=auth, nc=00000001`, aor: "agent-001", want: errBadCredentials},
		{name: "wrong password", header: answer(fresh, opts{qop: true, nc: 12, pw: "wrong"}), aor: "agent-001", want: errWrongResponse},
		{name: "a wrong password does not use up a count", header: answer(fresh, opts{qop: true, nc: 12}), aor: "agent-001"},
		{name: "registering another agent's address", header: answer(fresh, opts{qop: true, nc: 13}), aor: "agent-002", want: errWrongUser},
		{name: "unknown agent", header: answer(fresh, opts{qop: true, nc: 1, user: "agent-009"}), aor: "agent-009", want: errUnknownUser},
		{name: "expired nonce", header: answer(fresh, opts{qop: true, nc: 14}), aor: "agent-001", advance: 6 * time.Minute, want: errStaleNonce},
		{name: "nonce of another server", header: answer(other.challenge(phone, false), opts{qop: true, nc: 1}), aor: "agent-001", want: errForgedNonce},
		{name: "other realm", header: `Digest username="agent-001", realm="elsewhere", nonce="1.2", uri="sip:x", response="00"`, aor: "agent-001", want: errWrongRealm},
		{name: "unsupported algorithm", header: `Digest username="agent-001", realm="ledger", nonce="1.2", uri="sip:x", response="00", algorithm=SHA-256`, aor: "agent-001", want: errUnsupported},
		{name: "unsupported qop", header: `Digest username="agent-001", realm="ledger", nonce="1.2", uri="sip:x", response="00", qop=auth-int, nc=00000001, cnonce="x"`, aor: "agent-001", want: errUnsupported},
		{name: "no header", header: "", aor: "agent-001", want: errNoCredentials},
		{name: "not digest", header: "Basic YWdlbnQ6cHc=", aor: "agent-001", want: errBadCredentials},
		{name: "missing response", header: `Digest username="agent-001", realm="ledger", nonce="1.2", uri="sip:x"`, aor: "agent-001", want: errBadCredentials},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			saved := clock
			clock = clock.Add(tc.advance)
			defer func() { clock = saved }()
			source := tc.source
			if source == "" {
				source = phone
			}
			user, err := auth.verify(digestRequest{header: tc.header, method: "REGISTER", requestURI: requestURI, source: source, aorUser: tc.aor})
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil || user != tc.aor {
				t.Fatalf("user %q err %v", user, err)
			}
		})
	}
}

// TestNonceCountsBounded: the nonce-count table never holds more than its
// bound, and a nonce it had to forget is stale from then on, never open to
// a replay of a count it saw.
func TestNonceCountsBounded(t *testing.T) {
	c := nonceCounts{max: 8, seen: map[string]nonceCount{}}
	for i := range 8 {
		if err := c.use(fmt.Sprint("n", i), int64(100+i), 1, 0); err != nil {
			t.Fatalf("nonce %d: %v", i, err)
		}
	}
	// A ninth live nonce: the older half is forgotten.
	if err := c.use("n8", 108, 1, 0); err != nil {
		t.Fatal(err)
	}
	if n := c.tracked(); n > 8 {
		t.Fatalf("%d nonces tracked, bound 8", n)
	}
	if err := c.use("n0", 100, 1, 0); !errors.Is(err, errStaleNonce) {
		t.Fatalf("replay of a forgotten nonce: %v, want %v", err, errStaleNonce)
	}
	if err := c.use("n0", 100, 2, 0); !errors.Is(err, errStaleNonce) {
		t.Fatalf("forgotten nonce with a higher count: %v, want %v", err, errStaleNonce)
	}
	if err := c.use("n7", 107, 1, 0); !errors.Is(err, errReplayed) {
		t.Fatalf("replay of a kept nonce: %v, want %v", err, errReplayed)
	}
	// Expired nonces go first when the table fills up.
	for i := 9; i < 20; i++ {
		if err := c.use(fmt.Sprint("n", i), int64(100+i), 1, int64(100+i)); err != nil {
			t.Fatalf("nonce %d: %v", i, err)
		}
		if n := c.tracked(); n > 8 {
			t.Fatalf("%d nonces tracked, bound 8", n)
		}
	}
}
