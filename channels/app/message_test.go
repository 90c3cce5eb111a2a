package app

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

func TestParseMessage(t *testing.T) {
	sent := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name   string
		body   string
		want   Message
		errHas string
	}{
		{"the documented shape", `{"messageId": "m-1", "identity": {"kind": "PHONE", "value": "+8613800000000"}, "text": "你好", "sentAt": "2026-01-02T03:04:05Z"}`,
			Message{MessageID: "m-1", Identity: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000000"}, Text: "你好", SentAt: &sent}, ""},
		{"no sentAt, unknown fields ignored", `{"messageId":"m-2","identity":{"kind":"ACCOUNT","value":"u42"},"text":"hi","appVersion":"9.1"}`,
			Message{MessageID: "m-2", Identity: domain.Identity{Kind: domain.IdentityAccount, Value: "u42"}, Text: "hi"}, ""},
		{"attachment only", `{"messageId":"m-3","identity":{"kind":"DEVICE","value":"d1"},"text":"","attachments":[{"name":"a.jpg","contentType":"image/jpeg","size":10,"sha256":"ab"}]}`,
			Message{MessageID: "m-3", Identity: domain.Identity{Kind: domain.IdentityDevice, Value: "d1"}, Attachments: []domain.Attachment{{Name: "a.jpg", ContentType: "image/jpeg", Size: 10, SHA256: "ab"}}}, ""},
		{"no messageId", `{"identity":{"kind":"PHONE","value":"+8613800000000"},"text":"x"}`, Message{}, "messageId"},
		{"messageId with a space", `{"messageId":"m 1","identity":{"kind":"PHONE","value":"+8613800000000"},"text":"x"}`, Message{}, "messageId"},
		{"messageId too long", `{"messageId":"` + strings.Repeat("m", 129) + `","identity":{"kind":"PHONE","value":"1"},"text":"x"}`, Message{}, "messageId"},
		{"no identity", `{"messageId":"m","text":"x"}`, Message{}, "identity needs"},
		{"unknown kind", `{"messageId":"m","identity":{"kind":"FAX","value":"1"},"text":"x"}`, Message{}, "identity kind"},
		{"no text", `{"messageId":"m","identity":{"kind":"PHONE","value":"1"},"text":"  "}`, Message{}, "text is empty"},
		{"bad time", `{"messageId":"m","identity":{"kind":"PHONE","value":"1"},"text":"x","sentAt":"yesterday"}`, Message{}, "not a JSON message"},
		{"text not a string", `{"messageId":"m","identity":{"kind":"PHONE","value":"1"},"text":5}`, Message{}, "not a JSON message"},
		{"two values", `{"messageId":"m","identity":{"kind":"PHONE","value":"1"},"text":"x"} {}`, Message{}, "more than one"},
		{"not UTF-8", "{\"messageId\":\"m\",\"identity\":{\"kind\":\"PHONE\",\"value\":\"1\"},\"text\":\"\xff\"}", Message{}, "not valid UTF-8"},
		{"array", `[]`, Message{}, "not a JSON message"},
		{"empty", ``, Message{}, "not a JSON message"},
	}
	for _, tc := range cases {
		got, err := ParseMessage([]byte(tc.body))
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
		if got.MessageID != tc.want.MessageID || got.Identity != tc.want.Identity || got.Text != tc.want.Text ||
			(got.SentAt == nil) != (tc.want.SentAt == nil) || got.SentAt != nil && !got.SentAt.Equal(*tc.want.SentAt) || len(got.Attachments) != len(tc.want.Attachments) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// FuzzParseMessage feeds arbitrary bodies to the parser: it never panics,
// and what it accepts has an id, a known identity kind and content. The
// seeds run as part of the ordinary tests.
func FuzzParseMessage(f *testing.F) {
	for _, seed := range []string{
		`{"messageId": "m-1", "identity": {"kind": "PHONE", "value": "+8613800000000"}, "text": "hi", "sentAt": "2026-01-02T03:04:05Z"}`,
		`{"messageId":"m","identity":{"kind":"EMAIL","value":"a@b.c"},"text":"","attachments":[{"name":"x","size":-1}]}`,
		`{"messageId":"m","identity":{"kind":"PHONE","value":"1"},"text":"\u0000"}`,
		`{"messageId":"\ud800","identity":null,"text":null}`,
		`{"a":` + strings.Repeat("[", 100),
		`null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseMessage(body)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if checkMessageID(m.MessageID) != nil || !m.Identity.Kind.Valid() || strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0 {
			t.Fatalf("accepted %+v", m)
		}
		if !utf8.ValidString(m.Text) || len(m.Attachments) > maxAttachments {
			t.Fatalf("accepted %+v", m)
		}
	})
}
