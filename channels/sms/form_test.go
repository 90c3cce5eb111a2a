package sms

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

func TestParseInbound(t *testing.T) {
	base := "MessageSid=SM0123456789abcdef0123456789abcdef&AccountSid=AC1&From=%2B8613800000001&To=%2B10005550100&Body=hello"
	cases := []struct {
		name   string
		form   string
		want   Inbound
		errHas string
	}{
		{"text", base, Inbound{MessageSid: "SM0123456789abcdef0123456789abcdef", AccountSid: "AC1", From: "+8613800000001", To: "+10005550100", Body: "hello"}, ""},
		{"media only", "MessageSid=MM1&From=%2B1&NumMedia=1&MediaUrl0=https%3A%2F%2Fapi.example%2Fm%2F1&MediaContentType0=image%2Fjpeg",
			Inbound{MessageSid: "MM1", From: "+1", Media: []domain.Attachment{{Name: "https://api.example/m/1", ContentType: "image/jpeg"}}}, ""},
		{"unknown parameters are kept out", base + "&SmsStatus=received&ApiVersion=2010-04-01", Inbound{MessageSid: "SM0123456789abcdef0123456789abcdef", AccountSid: "AC1", From: "+8613800000001", To: "+10005550100", Body: "hello"}, ""},
		{"no MessageSid", "From=%2B1&Body=x", Inbound{}, "MessageSid is required"},
		{"no From", "MessageSid=SM1&Body=x", Inbound{}, "From is required"},
		{"nothing to say", "MessageSid=SM1&From=%2B1&Body=+", Inbound{}, "neither a Body nor media"},
		{"repeated Body", "MessageSid=SM1&From=%2B1&Body=a&Body=b", Inbound{}, "given 2 times"},
		{"odd MessageSid", "MessageSid=SM%2F..&From=%2B1&Body=x", Inbound{}, "only letters and digits"},
		{"NumMedia not a number", "MessageSid=SM1&From=%2B1&NumMedia=two", Inbound{}, "NumMedia"},
		{"NumMedia too large", "MessageSid=SM1&From=%2B1&NumMedia=11", Inbound{}, "NumMedia"},
		{"media URL missing", "MessageSid=SM1&From=%2B1&NumMedia=1", Inbound{}, "MediaUrl0 is required"},
		{"media URL not http", "MessageSid=SM1&From=%2B1&NumMedia=1&MediaUrl0=file%3A%2F%2F%2Fetc%2Fpasswd", Inbound{}, "http(s) URL"},
		{"not UTF-8", "MessageSid=SM1&From=%2B1&Body=%FF%FE", Inbound{}, "not valid UTF-8"},
	}
	for _, tc := range cases {
		form, err := url.ParseQuery(tc.form)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := ParseInbound(form)
		if tc.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errHas) || domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID mentioning %q", tc.name, err, tc.errHas)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got.MessageSid != tc.want.MessageSid || got.From != tc.want.From || got.Body != tc.want.Body || got.To != tc.want.To || len(got.Media) != len(tc.want.Media) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
		for i := range got.Media {
			if got.Media[i] != tc.want.Media[i] {
				t.Errorf("%s: media %d = %+v, want %+v", tc.name, i, got.Media[i], tc.want.Media[i])
			}
		}
	}
}

// FuzzParseInbound feeds arbitrary form bodies to the parser: it never
// panics, and what it accepts is well formed. The seeds run as part of the
// ordinary tests.
func FuzzParseInbound(f *testing.F) {
	for _, seed := range []string{
		"MessageSid=SM0123456789abcdef0123456789abcdef&From=%2B8613800000001&To=%2B1&Body=hello",
		"MessageSid=MM1&From=%2B1&NumMedia=2&MediaUrl0=https%3A%2F%2Fa%2F1&MediaUrl1=https%3A%2F%2Fa%2F2&MediaContentType0=image%2Fpng",
		"MessageSid=SM1&From=%2B1&Body=%E4%BD%A0%E5%A5%BD",
		"MessageSid=SM1&From=%2B1&NumMedia=-1",
		"MessageSid=&From=&Body=",
		"Body=%FF&MessageSid=SM1&From=x",
		"a=1&a=2&a=3",
		"%zz",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		in, err := ParseInbound(form)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if checkSid(in.MessageSid) != nil || in.From == "" {
			t.Fatalf("accepted %+v without a valid MessageSid and From", in)
		}
		if strings.TrimSpace(in.Body) == "" && len(in.Media) == 0 {
			t.Fatalf("accepted %+v with nothing to say", in)
		}
		if !utf8.ValidString(in.Body) || len(in.Media) > maxMedia {
			t.Fatalf("accepted %+v", in)
		}
	})
}
