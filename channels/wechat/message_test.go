package wechat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestSignatureMatchesAKnownValue(t *testing.T) {
	// sha1("1410685589" + "test" + "test"), the sorted concatenation.
	if got := Signature("test", "1410685589", "test"); got != "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff" {
		t.Fatalf("Signature = %s", got)
	}
	if !ValidSignature("test", "F21891DE399B4E33A1A93C9A7B8A8FFFB5A443FF", "1410685589", "test") {
		t.Error("an upper-case signature was refused")
	}
	if ValidSignature("test", "f21891de399b4e33a1a93c9a7b8a8fffb5a443fe", "1410685589", "test") || ValidSignature("test", "", "1410685589", "test") {
		t.Error("a wrong signature was accepted")
	}
}

// push builds a push body like WeChat's, CDATA and all.
func push(fields ...string) string {
	var b strings.Builder
	b.WriteString("<xml>")
	for i := 0; i+1 < len(fields); i += 2 {
		fmt.Fprintf(&b, "<%s><![CDATA[%s]]></%s>", fields[i], fields[i+1], fields[i])
	}
	b.WriteString("</xml>")
	return b.String()
}

func TestParseMessage(t *testing.T) {
	created := time.Unix(1767312000, 0).UTC()
	head := []string{"ToUserName", "gh_account", "FromUserName", "oUser-1_x", "CreateTime", "1767312000"}
	with := func(more ...string) string { return push(append(append([]string(nil), head...), more...)...) }
	cases := []struct {
		name   string
		body   string
		want   Inbound
		errHas string
	}{
		{"text", with("MsgType", "text", "Content", "你好，我要退货", "MsgId", "24000000000000001"),
			Inbound{Kind: KindMessage, OpenID: "oUser-1_x", Account: "gh_account", ID: "24000000000000001", CreateTime: created, Text: "你好，我要退货"}, ""},
		{"text with plain (non-CDATA) fields", `<xml><ToUserName>gh</ToUserName><FromUserName>o2</FromUserName><CreateTime>1767312000</CreateTime><MsgType>text</MsgType><Content>a &amp; b</Content><MsgId>7</MsgId></xml>`,
			Inbound{Kind: KindMessage, OpenID: "o2", Account: "gh", ID: "7", CreateTime: created, Text: "a & b"}, ""},
		{"image", with("MsgType", "image", "PicUrl", "https://mmbiz.example/p.jpg", "MediaId", "media1", "MsgId", "8"),
			Inbound{Kind: KindMessage, OpenID: "oUser-1_x", Account: "gh_account", ID: "8", CreateTime: created,
				Attachments: []domain.Attachment{{Name: "https://mmbiz.example/p.jpg", ContentType: "image/*"}}, MediaID: "media1", MediaName: "image-8.jpg"}, ""},
		{"voice with recognition", with("MsgType", "voice", "MediaId", "m2", "Format", "AMR", "Recognition", "查订单", "MsgId", "9"),
			Inbound{Kind: KindMessage, OpenID: "oUser-1_x", Account: "gh_account", ID: "9", CreateTime: created, Text: "查订单",
				Attachments: []domain.Attachment{{Name: "m2", ContentType: "audio/amr"}}, MediaID: "m2", MediaName: "voice-9.amr"}, ""},
		{"location", with("MsgType", "location", "Location_X", "31.2", "Location_Y", "121.5", "Label", "上海", "MsgId", "10"),
			Inbound{Kind: KindMessage, OpenID: "oUser-1_x", Account: "gh_account", ID: "10", CreateTime: created, Text: "[location] 上海 (31.2, 121.5)"}, ""},
		{"subscribe", with("MsgType", "event", "Event", "subscribe", "EventKey", "qrscene_42"),
			Inbound{Kind: KindSubscribe, OpenID: "oUser-1_x", Account: "gh_account", ID: "event:oUser-1_x:1767312000:subscribe", CreateTime: created}, ""},
		{"unsubscribe", with("MsgType", "event", "Event", "unsubscribe"),
			Inbound{Kind: KindUnsubscribe, OpenID: "oUser-1_x", Account: "gh_account", ID: "event:oUser-1_x:1767312000:unsubscribe", CreateTime: created}, ""},
		{"menu click is ignored", with("MsgType", "event", "Event", "CLICK", "EventKey", "V1"),
			Inbound{Kind: KindIgnored, OpenID: "oUser-1_x", Account: "gh_account", CreateTime: created}, ""},
		{"a new message type is ignored", with("MsgType", "hologram", "MsgId", "11"),
			Inbound{Kind: KindIgnored, OpenID: "oUser-1_x", Account: "gh_account", CreateTime: created}, ""},
		{"no MsgId", with("MsgType", "text", "Content", "x"), Inbound{}, "needs its MsgId"},
		{"empty text", with("MsgType", "text", "Content", " ", "MsgId", "1"), Inbound{}, "carries nothing"},
		{"no sender", push("MsgType", "text", "CreateTime", "1", "Content", "x", "MsgId", "1"), Inbound{}, "FromUserName and MsgType"},
		{"bad CreateTime", push("FromUserName", "o", "CreateTime", "yesterday", "MsgType", "text", "Content", "x", "MsgId", "1"), Inbound{}, "CreateTime"},
		{"event without Event", with("MsgType", "event"), Inbound{}, "needs its Event"},
		{"encrypted", push("ToUserName", "gh", "Encrypt", "abc=="), Inbound{}, "safe mode"},
		{"not XML", "hello", Inbound{}, "not a WeChat XML message"},
		{"wrong root", "<message><FromUserName>o</FromUserName></message>", Inbound{}, "not a WeChat XML message"},
		{"truncated", "<xml><FromUserName>o</FromUserName>", Inbound{}, "not a WeChat XML message"},
		{"not UTF-8", "<xml><Content>\xff</Content></xml>", Inbound{}, "not valid UTF-8"},
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
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}

// FuzzParseMessage feeds arbitrary bodies to the parser: it never panics,
// and what it accepts names a sender and, for a message, an id and some
// content. The seeds run as part of the ordinary tests.
func FuzzParseMessage(f *testing.F) {
	for _, seed := range []string{
		push("ToUserName", "gh", "FromUserName", "o1", "CreateTime", "1767312000", "MsgType", "text", "Content", "hi", "MsgId", "1"),
		push("ToUserName", "gh", "FromUserName", "o1", "CreateTime", "1767312000", "MsgType", "image", "PicUrl", "https://x/p", "MsgId", "2"),
		push("ToUserName", "gh", "FromUserName", "o1", "CreateTime", "1767312000", "MsgType", "event", "Event", "subscribe"),
		push("ToUserName", "gh", "Encrypt", "x"),
		`<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><FromUserName>&e;</FromUserName></xml>`,
		"<xml><xml><xml></xml></xml></xml>",
		"<xml>",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseMessage(body)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if strings.TrimSpace(in.OpenID) == "" || in.CreateTime.IsZero() {
			t.Fatalf("accepted %+v without a sender or time", in)
		}
		if in.Kind == KindMessage && (in.ID == "" || strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0) {
			t.Fatalf("accepted a message %+v without an id or content", in)
		}
		if (in.Kind == KindSubscribe || in.Kind == KindUnsubscribe) && in.ID == "" {
			t.Fatalf("accepted an event %+v without an id", in)
		}
	})
}

func TestReplayGuard(t *testing.T) {
	now := time.Unix(1767312000, 0)
	g := newReplayGuard(time.Minute, 3)
	steps := []struct {
		ts, nonce, body string
		at              time.Duration
		want            bool
	}{
		{"1", "n1", "a", 0, true},
		{"1", "n1", "a", time.Second, true},     // the provider's retry
		{"1", "n1", "b", time.Second, false},    // same signature, forged body
		{"1", "n2", "b", time.Second, true},     // another nonce
		{"2", "n1", "b", time.Second, true},     // another timestamp
		{"1", "n1", "b", 2 * time.Minute, true}, // forgotten after the window (the timestamp check refuses it by then)
	}
	for i, s := range steps {
		if got := g.admit(s.ts, s.nonce, []byte(s.body), now.Add(s.at)); got != s.want {
			t.Errorf("step %d: admit = %t, want %t", i, got, s.want)
		}
	}
	for i := range 10 {
		g.admit("9", fmt.Sprint(i), nil, now.Add(3*time.Minute))
	}
	if len(g.seen) > 3 || len(g.order)-g.head > 3 {
		t.Errorf("guard holds %d entries, more than its bound", len(g.seen))
	}
}
