package sip

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

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
	// answer computes the Authorization a phone sends for a challenge.
	answer := func(challenge, user, password string, qop bool) string {
		chal, err := digest.ParseChallenge(challenge)
		if err != nil {
			t.Fatal(err)
		}
		if !qop {
			chal.QOP = nil
		}
		cred, err := digest.Digest(chal, digest.Options{Method: "REGISTER", URI: "sip:ledger.example", Username: user, Password: password, Cnonce: "0a4f113b", Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		return cred.String()
	}
	fresh := auth.challenge(false)
	cases := []struct {
		name    string
		header  string
		aor     string
		advance time.Duration
		want    error
	}{
		{name: "right password", header: answer(fresh, "agent-001", "right", true), aor: "agent-001"},
		{name: "right password without qop (RFC 2069)", header: answer(fresh, "agent-001", "right", false), aor: "agent-001"},
		{name: "nonce still fresh", header: answer(fresh, "agent-001", "right", true), aor: "agent-001", advance: 4 * time.Minute},
		{name: "wrong password", header: answer(fresh, "agent-001", "wrong", true), aor: "agent-001", want: errWrongResponse},
		{name: "registering another agent's address", header: answer(fresh, "agent-001", "right", true), aor: "agent-002", want: errWrongUser},
		{name: "unknown agent", header: answer(fresh, "agent-009", "right", true), aor: "agent-009", want: errUnknownUser},
		{name: "expired nonce", header: answer(fresh, "agent-001", "right", true), aor: "agent-001", advance: 6 * time.Minute, want: errStaleNonce},
		{name: "nonce of another server", header: answer(other.challenge(false), "agent-001", "right", true), aor: "agent-001", want: errForgedNonce},
		{name: "other realm", header: `Digest username="agent-001", realm="elsewhere", nonce="1.2", uri="sip:x", response="00"`, aor: "agent-001", want: errWrongRealm},
		{name: "unsupported algorithm", header: `Digest username="agent-001", realm="ledger", nonce="1.2", uri="sip:x", response="00", algorithm=SHA-256`, aor: "agent-001", want: errUnsupported},
		{name: "no header", header: "", aor: "agent-001", want: errNoCredentials},
		{name: "not digest", header: "Basic YWdlbnQ6cHc=", aor: "agent-001", want: errBadCredentials},
		{name: "missing response", header: `Digest username="agent-001", realm="ledger", nonce="1.2", uri="sip:x"`, aor: "agent-001", want: errBadCredentials},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			saved := clock
			clock = clock.Add(tc.advance)
			defer func() { clock = saved }()
			user, err := auth.verify(tc.header, "REGISTER", tc.aor)
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
