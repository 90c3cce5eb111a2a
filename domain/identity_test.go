package domain_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

func TestNormalizePhone(t *testing.T) {
	cases := []struct {
		raw, code string
		want      string // "" when the input is invalid
	}{
		{"+86 138-0013-8000", "86", "+8613800138000"},
		{"+8613800138000", "1", "+8613800138000"},
		{"13800138000", "86", "+8613800138000"},
		{"13800138000", "", "+8613800138000"}, // DefaultCallingCode
		{"0086 138 0013 8000", "86", "+8613800138000"},
		{"0086-138-0013-8000", "1", "+8613800138000"},
		{"(010) 6552-9988", "86", "+861065529988"},
		{"010 6552 9988", "", "+861065529988"},
		{"020 7946 0958", "44", "+442079460958"},
		{"１３８００１３８０００", "86", "+8613800138000"},
		{"＋８６ １３８－００１３－８０００", "86", "+8613800138000"},
		{"（０１０）６５５２　９９８８", "86", "+861065529988"},
		{"tel:+1 415 555 2671", "86", "+14155552671"},
		{"TEL:+1-415-555-2671", "86", "+14155552671"},
		{"+1 (415) 555.2671", "86", "+14155552671"},
		{"415/555/2671", "1", "+14155552671"},
		{"  +44\u00a020 7946 0958  ", "86", "+442079460958"},
		{"+12345678", "86", "+12345678"},               // 8 digits: the shortest
		{"+123456789012345", "86", "+123456789012345"}, // 15 digits: the longest

		{"+86 138 ABCD 8000", "86", ""},
		{"1-800-FLOWERS", "1", ""},
		{"+86 138 0013 8000 ext. 12", "86", ""},
		{"138-0013-8000#", "86", ""},
		{"+1234567", "86", ""},          // 7 digits
		{"+1234567890123456", "86", ""}, // 16 digits
		{"12345", "86", ""},             // 86 12345: 7 digits
		{"0", "86", ""},
		{"", "86", ""},
		{"   ", "86", ""},
		{"+", "86", ""},
		{"()-", "86", ""},
		{"+0 123 4567 890", "86", ""},   // no country code starts with 0
		{"+0086 138 0013 8000", "", ""}, // "+" and "00" together
		{"0000 1234 5678", "86", ""},
		{"138\xff0013", "86", ""},
		{"١٣٨٠٠١٣٨٠٠٠", "86", ""}, // Arabic-Indic digits
		// The calling code for national numbers must itself be one.
		{"13800138000", "abc", ""},
		{"13800138000", "+86", ""},
		{"13800138000", "0", ""},
		{"13800138000", "1234", ""},
		{"13800138000", "８６", ""},
	}
	for _, tc := range cases {
		got, err := domain.NormalizePhone(tc.raw, tc.code)
		if tc.want == "" {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %s", tc.raw, tc.code, got, err, domain.EINVALID)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", tc.raw, tc.code, got, err, tc.want)
		}
	}
}

func TestNormalizeIdentity(t *testing.T) {
	long := strings.Repeat("a", 60) + "@" + strings.Repeat("b", 190) + ".com" // 255 bytes
	cases := []struct {
		kind       domain.IdentityKind
		raw        string
		want       string // "" when the input is invalid
		defaultCCs string
	}{
		{kind: domain.IdentityPhone, raw: " +86 138-0013-8000 ", want: "+8613800138000"},
		{kind: domain.IdentityPhone, raw: "13800138000", want: "+8613800138000"},
		{kind: domain.IdentityPhone, raw: "4155552671", want: "+14155552671", defaultCCs: "1"},
		{kind: domain.IdentityPhone, raw: "tel:+1 415 555 2671", want: "+14155552671"},
		{kind: domain.IdentityPhone, raw: "+86 138 0013 800O"}, // letter O
		{kind: domain.IdentityPhone, raw: "+86\xff13800138000"},

		{kind: domain.IdentityEmail, raw: "Foo.Bar@Example.COM", want: "foo.bar@example.com"},
		{kind: domain.IdentityEmail, raw: "Foo <foo@x.org>", want: "foo@x.org"},
		{kind: domain.IdentityEmail, raw: `"Li Lei" <LiLei@Example.CN>`, want: "lilei@example.cn"},
		{kind: domain.IdentityEmail, raw: "=?utf-8?q?L=C3=AD_Lei?= <li@example.cn>", want: "li@example.cn"},
		{kind: domain.IdentityEmail, raw: "  <a+tag@b.co>  ", want: "a+tag@b.co"},
		{kind: domain.IdentityEmail, raw: "foo@x.org (work)", want: "foo@x.org"},
		{kind: domain.IdentityEmail, raw: "Ünïcödé@Bücher.DE", want: "ünïcödé@bücher.de"},
		{kind: domain.IdentityEmail, raw: ""},
		{kind: domain.IdentityEmail, raw: "foo"},
		{kind: domain.IdentityEmail, raw: "foo@"},
		{kind: domain.IdentityEmail, raw: "@x.org"},
		{kind: domain.IdentityEmail, raw: "foo@@x.org"},
		{kind: domain.IdentityEmail, raw: "foo bar@x.org"},
		{kind: domain.IdentityEmail, raw: "a@b.co, c@d.co"},
		{kind: domain.IdentityEmail, raw: "foo@x..org"},
		{kind: domain.IdentityEmail, raw: "Foo <foo@x.org"},
		{kind: domain.IdentityEmail, raw: long},
		{kind: domain.IdentityEmail, raw: "foo\xff@x.org"},
		// Quoted local parts cannot be stored unquoted: "a b"@x.org would
		// become a b@x.org, which is no address at all.
		{kind: domain.IdentityEmail, raw: `"a b"@x.org`},
		{kind: domain.IdentityEmail, raw: `"a@b"@x.org`},
		{kind: domain.IdentityEmail, raw: `"a..b"@x.org`},

		{kind: domain.IdentityWeChat, raw: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", want: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
		{kind: domain.IdentityWeChat, raw: "  o6_bmjrPTlm6_2sgVt7hMZOPfL2M-x \n", want: "o6_bmjrPTlm6_2sgVt7hMZOPfL2M-x"},
		{kind: domain.IdentityWeChat, raw: strings.Repeat("o", 128), want: strings.Repeat("o", 128)},
		{kind: domain.IdentityWeChat, raw: strings.Repeat("o", 129)},
		{kind: domain.IdentityWeChat, raw: ""},
		{kind: domain.IdentityWeChat, raw: "o.x"},
		{kind: domain.IdentityWeChat, raw: "o x"},
		{kind: domain.IdentityWeChat, raw: "o+x=="},
		{kind: domain.IdentityWeChat, raw: "微信用户"},
		{kind: domain.IdentityWeChat, raw: "ｏＵｐＦ８"}, // full-width letters
		{kind: domain.IdentityWeChat, raw: "o\xffx"},

		{kind: domain.IdentityDevice, raw: "  dev-ABC:123/4  ", want: "dev-ABC:123/4"},
		{kind: domain.IdentityDevice, raw: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F", want: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"},
		{kind: domain.IdentityDevice, raw: "设备-1", want: "设备-1"},
		{kind: domain.IdentityDevice, raw: "a b"},
		{kind: domain.IdentityDevice, raw: "a\u3000b"},
		{kind: domain.IdentityDevice, raw: "a\x00b"},
		{kind: domain.IdentityDevice, raw: "a\u200bb"}, // zero-width space
		{kind: domain.IdentityDevice, raw: " \t "},
		{kind: domain.IdentityDevice, raw: strings.Repeat("设", 129)},
		{kind: domain.IdentityDevice, raw: "dev\xc0"},

		{kind: domain.IdentityAccount, raw: " ACC-42 ", want: "ACC-42"},
		{kind: domain.IdentityAccount, raw: "user@shop", want: "user@shop"},
		{kind: domain.IdentityAccount, raw: strings.Repeat("9", 128), want: strings.Repeat("9", 128)},
		{kind: domain.IdentityAccount, raw: ""},
		{kind: domain.IdentityAccount, raw: "acc 42"},
		{kind: domain.IdentityAccount, raw: "\xed\xa0\x80"}, // a UTF-16 surrogate: not UTF-8

		{kind: "FAX", raw: "+8613800138000"},
		{kind: "", raw: "x"},
		{kind: "phone", raw: "+8613800138000"}, // kinds are upper case
	}
	for _, tc := range cases {
		in := domain.Identity{Kind: tc.kind, Value: tc.raw}
		got, err := domain.NormalizeIdentity(in, tc.defaultCCs)
		if tc.want == "" {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("NormalizeIdentity(%s) = %v, %v; want %s", in, got, err, domain.EINVALID)
			}
			continue
		}
		want := domain.Identity{Kind: tc.kind, Value: tc.want}
		if err != nil || got != want {
			t.Errorf("NormalizeIdentity(%s) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestIdentityStream(t *testing.T) {
	ids := []domain.Identity{
		phone, phone2, email, wechat,
		{Kind: domain.IdentityDevice, Value: "device-7f3a"},
		{Kind: domain.IdentityAccount, Value: "device-7f3a"},
		{Kind: domain.IdentityEmail, Value: "foo.bar@example.co"},
	}
	shape := regexp.MustCompile(`^identity-(phone|email|wechat|device|account)-[0-9a-f]{32}$`)
	seen := map[string]domain.Identity{}
	for _, id := range ids {
		s := domain.IdentityStream(id)
		if again := domain.IdentityStream(id); again != s {
			t.Errorf("IdentityStream(%s) is not deterministic: %s, %s", id, s, again)
		}
		if !shape.MatchString(s) {
			t.Errorf("IdentityStream(%s) = %s, want identity-<kind>-<32 hex>", id, s)
		}
		if !strings.HasPrefix(s, "identity-"+strings.ToLower(string(id.Kind))+"-") {
			t.Errorf("IdentityStream(%s) = %s does not name the kind", id, s)
		}
		if cat, _ := domain.StreamCategory(s); cat != domain.CategoryIdentity {
			t.Errorf("StreamCategory(%s) = %s, want %s", s, cat, domain.CategoryIdentity)
		}
		if strings.Contains(s, id.Value) || strings.Contains(s, strings.TrimPrefix(id.Value, "+")) {
			t.Errorf("IdentityStream(%s) = %s carries the value", id, s)
		}
		if other, dup := seen[s]; dup {
			t.Errorf("IdentityStream(%s) = IdentityStream(%s) = %s", id, other, s)
		}
		seen[s] = id
	}
}

func TestIdentityString(t *testing.T) {
	eq(t, "String", phone.String(), "PHONE:+8613800138000")
	for _, k := range domain.IdentityKinds {
		eq(t, string(k)+".Valid", k.Valid(), true)
	}
	eq(t, "FAX.Valid", domain.IdentityKind("FAX").Valid(), false)
}

var (
	e164   = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	openID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
)

// FuzzNormalizeIdentity checks, for every identity kind, that normalising
// never panics and that what it returns is canonical: normalising it again
// (with the caller's calling code or the default one Decide uses) gives it
// back unchanged.
func FuzzNormalizeIdentity(f *testing.F) {
	for _, seed := range []struct{ value, code string }{
		{"+86 138-0013-8000", "86"},
		{"13800138000", "86"},
		{"13800138000", ""},
		{"0086 138 0013 8000", "86"},
		{"(010) 6552-9988", "86"},
		{"１３８００１３８０００", "86"},
		{"＋＋８６ １３８", "1"},
		{"tel:+1 415 555 2671", "1"},
		{"TEL:tel:+1 415 555 2671", "1"},
		{"+0086", "86"},
		{"0", "0"},
		{"4155552671", "abc"},
		{"4155552671", "999"},
		{"4155552671", "1234"},
		{"Foo.Bar@Example.COM", ""},
		{"Foo <foo@x.org>", ""},
		{`"a b"@x.org`, ""},
		{`"a@b"@x.org`, ""},
		{`"\"x"@y.z`, ""},
		{"a@[127.0.0.1]", ""},
		{"=?utf-8?q?L=C3=AD?= <x@y.z>", ""},
		{"Ⱥ@ȺȺ.com", ""},
		{"K@example.com", ""}, // Kelvin sign
		{"İ@example.com", ""},
		{"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", ""},
		{"  dev-ABC:123  ", ""},
		{"a\u200bb", ""},
		{"\xff\xfe", ""},
		{"\u00a0+86 138 0013 8000\u3000", "86"},
		{strings.Repeat("9", 200), "86"},
		{"", ""},
		{"PHONE", "PHONE"},
	} {
		f.Add(seed.value, seed.code)
	}
	f.Fuzz(func(t *testing.T, value, code string) {
		// An arbitrary kind is refused unless it is a known one.
		if _, err := domain.NormalizeIdentity(domain.Identity{Kind: domain.IdentityKind(code), Value: value}, code); err == nil && !domain.IdentityKind(code).Valid() {
			t.Fatalf("unknown kind %q accepted", code)
		}
		for _, kind := range domain.IdentityKinds {
			in := domain.Identity{Kind: kind, Value: value}
			out, err := domain.NormalizeIdentity(in, code)
			if err != nil {
				if domain.ErrorCode(err) != domain.EINVALID {
					t.Fatalf("NormalizeIdentity(%q, %q): error code %q, want %s: %v", in, code, domain.ErrorCode(err), domain.EINVALID, err)
				}
				continue
			}
			if out.Kind != kind {
				t.Fatalf("NormalizeIdentity(%q) changed the kind to %s", in, out.Kind)
			}
			if out.Value == "" || !utf8.ValidString(out.Value) || out.Value != strings.TrimSpace(out.Value) {
				t.Fatalf("NormalizeIdentity(%q, %q) = %q: empty, not UTF-8 or not trimmed", in, code, out.Value)
			}
			for _, cc := range []string{code, domain.DefaultCallingCode} {
				again, err := domain.NormalizeIdentity(out, cc)
				if err != nil || again != out {
					t.Fatalf("not a fixed point: NormalizeIdentity(%q, %q) = %q, but normalising that with %q gives %q, %v", in, code, out.Value, cc, again.Value, err)
				}
			}
			switch kind {
			case domain.IdentityPhone:
				if !e164.MatchString(out.Value) {
					t.Fatalf("NormalizeIdentity(%q, %q) = %q, not E.164", in, code, out.Value)
				}
				if direct, err := domain.NormalizePhone(value, code); err != nil || direct != out.Value {
					t.Fatalf("NormalizePhone(%q, %q) = %q, %v; NormalizeIdentity gave %q", value, code, direct, err, out.Value)
				}
			case domain.IdentityEmail:
				if out.Value != strings.ToLower(out.Value) || strings.Count(out.Value, "@") != 1 {
					t.Fatalf("NormalizeIdentity(%q) = %q: not lower case with one '@'", in, out.Value)
				}
				if len(out.Value) > 254 {
					t.Fatalf("NormalizeIdentity(%q) = %q: longer than 254 bytes", in, out.Value)
				}
			case domain.IdentityWeChat:
				if !openID.MatchString(out.Value) {
					t.Fatalf("NormalizeIdentity(%q) = %q: not an openid", in, out.Value)
				}
			default:
				if utf8.RuneCountInString(out.Value) > 128 || strings.IndexFunc(out.Value, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0 {
					t.Fatalf("NormalizeIdentity(%q) = %q: too long, or has space or unprintable runes", in, out.Value)
				}
			}
			_ = domain.IdentityStream(out)
		}
	})
}

// TestIdentityCheckWeaker: an interaction shows the weakest check of its
// customer's messages; a message without one changes nothing.
func TestIdentityCheckWeaker(t *testing.T) {
	for _, tc := range []struct{ cur, msg, want domain.IdentityCheck }{
		{domain.IdentityVerified, domain.IdentityVerified, domain.IdentityVerified},
		{domain.IdentityVerified, domain.IdentityUnverified, domain.IdentityUnverified},
		{domain.IdentityVerified, domain.IdentityFailed, domain.IdentityFailed},
		{domain.IdentityUnverified, domain.IdentityVerified, domain.IdentityUnverified},
		{domain.IdentityVerified, domain.IdentityUnchecked, domain.IdentityVerified},
		{domain.IdentityUnchecked, domain.IdentityUnverified, domain.IdentityUnverified},
		{domain.IdentityUnchecked, domain.IdentityVerified, domain.IdentityUnchecked},
		{domain.IdentityFailed, domain.IdentityUnverified, domain.IdentityFailed},
	} {
		if got := tc.cur.Weaker(tc.msg); got != tc.want {
			t.Errorf("%q.Weaker(%q) = %q, want %q", tc.cur, tc.msg, got, tc.want)
		}
	}
}
