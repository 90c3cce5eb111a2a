package sip

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestHA1(t *testing.T) {
	// RFC 2617 section 3.5's example: Mufasa, testrealm@host.com,
	// "Circle Of Life".
	if got := HA1("Mufasa", "testrealm@host.com", "Circle Of Life"); got != "939e7578ed9e3c518a452acee763bce9" {
		t.Fatalf("HA1 = %s", got)
	}
}

func TestParseCredentials(t *testing.T) {
	ha1 := HA1("agent-001", "ledger", "pw")
	cases := []struct {
		name        string
		text        string
		want        []Credential
		errContains string
	}{
		{name: "empty", text: "", want: nil},
		{name: "comments and blank lines", text: "# agents\n\n  \nagent-001:ledger:" + ha1 + "\n",
			want: []Credential{{AgentID: "agent-001", Realm: "ledger", HA1: ha1}}},
		{name: "upper-case hex is normalised", text: "agent-001:ledger:" + strings.ToUpper(ha1),
			want: []Credential{{AgentID: "agent-001", Realm: "ledger", HA1: ha1}}},
		{name: "same agent in two realms", text: "a:r1:" + ha1 + "\na:r2:" + ha1,
			want: []Credential{{AgentID: "a", Realm: "r1", HA1: ha1}, {AgentID: "a", Realm: "r2", HA1: ha1}}},
		{name: "two fields", text: "agent-001:" + ha1, errContains: "line 1"},
		{name: "four fields", text: "\na:b:c:" + ha1, errContains: "line 2"},
		{name: "short hash", text: "a:ledger:abc", errContains: "32 hex digits"},
		{name: "not hex", text: "a:ledger:" + strings.Repeat("z", 32), errContains: "not hex"},
		{name: "space in agent id", text: "a b:ledger:" + ha1, errContains: "contains"},
		{name: "empty realm", text: "a::" + ha1, errContains: "realm"},
		{name: "duplicate", text: "a:ledger:" + ha1 + "\na:ledger:" + ha1, errContains: "twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCredentials(strings.NewReader(tc.text))
			if tc.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errContains) {
					t.Fatalf("err %v, want one containing %q", err, tc.errContains)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestCredentialsFileRoundTripAndReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", CredentialsFileName)
	store := NewCredentialStore(path)
	if _, ok, err := store.Lookup("agent-001", "ledger"); ok || err != nil {
		t.Fatalf("lookup before the file exists: ok %v err %v", ok, err)
	}
	first := []Credential{{AgentID: "agent-001", Realm: "ledger", HA1: HA1("agent-001", "ledger", "one")}}
	if err := WriteCredentialsFile(path, first); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode %v, want 0600", fi.Mode().Perm())
	}
	if got, err := ReadCredentialsFile(path); err != nil || !reflect.DeepEqual(got, first) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	if ha1, ok, err := store.Lookup("agent-001", "ledger"); !ok || err != nil || ha1 != first[0].HA1 {
		t.Fatalf("lookup: %q %v %v", ha1, ok, err)
	}
	// A new password written while the server runs is used at once.
	second := []Credential{{AgentID: "agent-001", Realm: "ledger", HA1: HA1("agent-001", "ledger", "two")}}
	if err := WriteCredentialsFile(path, second); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(path, later, later); err != nil { // the same size: make the change visible by time
		t.Fatal(err)
	}
	if ha1, _, _ := store.Lookup("agent-001", "ledger"); ha1 != second[0].HA1 {
		t.Fatalf("store still serves the old credential")
	}
	if store.Has("agent-001", "other-realm") {
		t.Fatalf("credential found in another realm")
	}
	// A file broken by hand is reported, not taken as "no agents".
	if err := os.WriteFile(path, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Lookup("agent-001", "ledger"); err == nil {
		t.Fatalf("a malformed file was accepted")
	}
}

// FuzzParseCredentials: any file content parses without panicking, and
// what parses formats back to a file that parses to the same credentials.
// The seeds run as an ordinary test.
func FuzzParseCredentials(f *testing.F) {
	f.Add("agent-001:ledger:" + HA1("agent-001", "ledger", "pw") + "\n")
	f.Add("# c\n\na:r:" + strings.Repeat("0", 32))
	f.Add("a:b:c:d\n")
	f.Add(":::\n\x00\xff")
	f.Fuzz(func(t *testing.T, text string) {
		creds, err := ParseCredentials(strings.NewReader(text))
		if err != nil {
			return
		}
		again, err := ParseCredentials(strings.NewReader(string(FormatCredentials(creds))))
		if err != nil {
			t.Fatalf("formatted credentials do not parse: %v", err)
		}
		if len(again) != len(creds) {
			t.Fatalf("round trip changed %d credentials into %d", len(creds), len(again))
		}
	})
}
