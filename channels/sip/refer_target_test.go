package sip

import (
	"errors"
	"strings"
	"testing"
)

func TestParseReferTo(t *testing.T) {
	cases := []struct {
		name        string
		value       string
		want        ReferTarget
		attended    bool
		errContains string
	}{
		{name: "agent", value: `<sip:agent-007@ledger.example>`, want: ReferTarget{AgentID: "agent-007"}},
		{name: "agent with port and parameters", value: `<sip:agent-007@10.0.0.1:5060;transport=udp>;x=y`, want: ReferTarget{AgentID: "agent-007"}},
		{name: "addr-spec without brackets", value: `sip:agent-007@ledger.example`, want: ReferTarget{AgentID: "agent-007"}},
		{name: "display name", value: `"Wang Fang" <sips:wang@ledger.example>`, want: ReferTarget{AgentID: "wang"}},
		{name: "queue", value: `<sip:ledger.example;queue=billing>`, want: ReferTarget{Queue: "billing"}},
		{name: "queue wins over a user part", value: `<sip:agent-007@ledger.example;queue=tech>`, want: ReferTarget{Queue: "tech"}},
		{name: "attended transfer", value: `<sip:agent-007@ledger.example?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>`, attended: true},
		{name: "attended transfer in lower case", value: `<sip:agent-007@ledger.example?replaces=abc>`, attended: true},
		{name: "outside number", value: `<tel:+8613800138000>`, errContains: "only sip: targets"},
		{name: "no user", value: `<sip:ledger.example>`, errContains: "agent id is empty"},
		{name: "empty queue", value: `<sip:ledger.example;queue=>`, errContains: "not a queue name"},
		{name: "empty", value: `  `, errContains: "empty Refer-To"},
		{name: "garbage", value: `<<<`, errContains: "Refer-To"},
		{name: "oversized", value: `<sip:` + strings.Repeat("a", 3000) + `@x>`, errContains: "longer than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseReferTo(tc.value)
			switch {
			case tc.attended:
				if !errors.Is(err, errAttendedTransfer) {
					t.Fatalf("err %v, want errAttendedTransfer", err)
				}
			case tc.errContains != "":
				if err == nil || !strings.Contains(err.Error(), tc.errContains) {
					t.Fatalf("got %+v, err %v; want an error containing %q", got, err, tc.errContains)
				}
			default:
				if err != nil || got != tc.want {
					t.Fatalf("got %+v, err %v; want %+v", got, err, tc.want)
				}
			}
		})
	}
}

// FuzzParseReferTo: any Refer-To value parses without panicking, and a
// target it accepts is exactly one of a valid agent id or a queue name
// without white space. The seeds run as an ordinary test.
func FuzzParseReferTo(f *testing.F) {
	for _, s := range []string{
		`<sip:agent-007@ledger.example>`,
		`<sip:ledger.example;queue=billing>`,
		`<sip:a@b?Replaces=x>`,
		`"x" <sips:wang@h:5061;transport=tls>;p`,
		`<tel:+861>`, `<sip:@>`, `sip:`, `<sip:a@b;queue>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		got, err := ParseReferTo(value)
		if err != nil {
			return
		}
		if (got.AgentID == "") == (got.Queue == "") {
			t.Fatalf("%q gave %+v: want exactly one of agent and queue", value, got)
		}
		if got.AgentID != "" && ValidAgentID(got.AgentID) != nil {
			t.Fatalf("%q gave invalid agent id %q", value, got.AgentID)
		}
		if strings.ContainsAny(got.Queue, " \t\r\n") {
			t.Fatalf("%q gave queue %q with white space", value, got.Queue)
		}
	})
}
