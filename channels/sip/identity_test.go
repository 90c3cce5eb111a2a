package sip

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCallerIdentity(t *testing.T) {
	cases := []struct {
		name        string
		from        string
		pai         []string
		number      string
		display     string
		anonymous   bool
		errContains string
	}{
		{name: "E.164 in From", from: `"Li Lei" <sip:+8613800138000@gw.example>;tag=1`, number: "+8613800138000", display: "Li Lei"},
		{name: "national number", from: `<sip:13800138000@gw.example>;tag=1`, number: "13800138000"},
		{name: "visual separators", from: `<sip:+86-138-(0013).8000@gw.example;user=phone>;tag=1`, number: "+8613800138000"},
		{name: "user parameters", from: `<sip:+8613800138000;phone-context=+86@gw.example>;tag=1`, number: "+8613800138000"},
		{name: "addr-spec without brackets", from: `sip:13800138000@gw.example;tag=1`, number: "13800138000"},
		{name: "tel URI in From", from: `<tel:+8613800138000>;tag=1`, number: "+8613800138000"},
		{name: "sips", from: `<sips:+442079460000@gw.example>;tag=1`, number: "+442079460000"},
		{name: "display name kept in UTF-8", from: `"李雷" <sip:13800138000@gw.example>;tag=1`, number: "13800138000", display: "李雷"},
		{name: "asserted identity wins over From", from: `<sip:device-17@pbx.example>;tag=1`,
			pai: []string{`<sip:+8613900139000@trunk.example;user=phone>`}, number: "+8613900139000"},
		{name: "asserted tel wins over asserted sip", from: `<sip:1@x>;tag=1`,
			pai: []string{`<sip:+8613900139000@trunk.example>, <tel:+8613700137000>`}, number: "+8613700137000"},
		{name: "asserted tel in a second header", from: `<sip:1@x>;tag=1`,
			pai: []string{`"Corp" <sip:+8613900139000@trunk.example>`, `<tel:+8613700137000>`}, number: "+8613700137000"},
		{name: "asserted identity without a number falls back to From", from: `<sip:+8613800138000@gw.example>;tag=1`,
			pai: []string{`<sip:operator@trunk.example>`}, number: "+8613800138000"},
		{name: "comma inside a quoted display name", from: `<sip:1@x>;tag=1`,
			pai: []string{`"Wang, Fang" <sip:+8613900139000@trunk.example>`}, number: "+8613900139000"},
		{name: "anonymous From", from: `"Anonymous" <sip:anonymous@anonymous.invalid>;tag=1`, anonymous: true},
		{name: "anonymous asserted identity", from: `<sip:13800138000@gw.example>;tag=1`, pai: []string{`<sip:anonymous@anonymous.invalid>`}, anonymous: true},
		{name: "letters", from: `<sip:alice@example.com>;tag=1`, errContains: "not a phone number"},
		{name: "no user part", from: `<sip:gw.example>;tag=1`, errContains: "no caller number"},
		{name: "plus in the middle", from: `<sip:86+138@gw.example>;tag=1`, errContains: "not a phone number"},
		{name: "only separators", from: `<sip:+--@gw.example>;tag=1`, errContains: "not a phone number"},
		{name: "too many digits", from: `<sip:` + strings.Repeat("1", 40) + `@gw.example>;tag=1`, errContains: "not a phone number"},
		{name: "empty From", from: ``, errContains: "empty address"},
		{name: "unsupported scheme", from: `<mailto:li@example.com>;tag=1`, errContains: "unsupported URI scheme"},
		{name: "broken asserted identity", from: `<sip:13800138000@gw.example>;tag=1`, pai: []string{`<sip:`}, errContains: "P-Asserted-Identity"},
		{name: "oversized From", from: `<sip:1@` + strings.Repeat("a", 3000) + `>`, errContains: "longer than"},
		{name: "control characters drop the display name", from: "\"Li\x01Lei\" <sip:13800138000@gw.example>;tag=1", number: "13800138000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CallerIdentity(tc.from, tc.pai)
			switch {
			case tc.anonymous:
				if !errors.Is(err, errAnonymous) {
					t.Fatalf("err %v, want errAnonymous", err)
				}
			case tc.errContains != "":
				if err == nil || !strings.Contains(err.Error(), tc.errContains) {
					t.Fatalf("err %v, want one containing %q (got %+v)", err, tc.errContains, got)
				}
			default:
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if got.Number != tc.number || got.DisplayName != tc.display {
					t.Fatalf("got %+v, want number %q display %q", got, tc.number, tc.display)
				}
			}
		})
	}
}

var callerNumberShape = regexp.MustCompile(`^\+?[0-9]{1,32}$`)

// FuzzCallerIdentity: whatever a peer writes into From and
// P-Asserted-Identity, extraction does not panic, and a number it returns
// is only digits with an optional leading "+", ready for normalisation.
// The seeds run as an ordinary test.
func FuzzCallerIdentity(f *testing.F) {
	seeds := [][2]string{
		{`"Li Lei" <sip:+8613800138000@gw.example>;tag=1`, ``},
		{`<sip:13800138000@gw.example>;tag=1`, `<tel:+8613700137000>`},
		{`<sip:device@pbx>;tag=1`, `"A, B" <sip:+8613900139000@trunk>, <tel:+861>`},
		{`sip:anonymous@anonymous.invalid`, ``},
		{`<tel:+86-138-0013-8000;phone-context=+86>`, ``},
		{`"\"" <sip:1@x>`, `<sip:`},
		{`<sip:+@x>`, `,,,`},
		{"\"\xff\" <sip:12345678@x>", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, from, pai string) {
		c, err := CallerIdentity(from, []string{pai})
		if err != nil {
			return
		}
		if !callerNumberShape.MatchString(c.Number) {
			t.Fatalf("number %q from From %q PAI %q is not +digits", c.Number, from, pai)
		}
		if !utf8.ValidString(c.DisplayName) {
			t.Fatalf("display name %q is not UTF-8", c.DisplayName)
		}
	})
}
