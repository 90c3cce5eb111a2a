package projections

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/interactionledger/ledger/domain"
)

// decodeSeeds are payloads the fast path must treat exactly as
// domain.DecodeEvent does.
var decodeSeeds = []struct {
	typ  string
	data string
}{
	{"MessageReceived", `{"interactionId":"i1","messageId":"m1","text":"hello","at":"2026-03-02T09:00:00Z"}`},
	{"MessageReceived", `{"interactionId":"i1","messageId":"m1","text":"您好","sentAt":"2026-03-02T08:59:59.5+08:00","at":"2026-03-02T09:00:00.123456789Z"}`},
	{"MessageReceived", ` { "interactionId" : "i1" , "text" : "" } `},
	{"MessageReceived", `{}`},
	{"MessageReceived", `{"text":"a \"quoted\" word\n","at":"2026-03-02T09:00:00Z"}`},
	{"MessageReceived", `{"text":"\u003cb\u003e","at":"2026-03-02T09:00:00Z"}`},
	{"MessageReceived", `{"Text":"case","at":"2026-03-02T09:00:00Z"}`},
	{"MessageReceived", `{"text":"x","text":"y"}`},
	{"MessageReceived", `{"text":null}`},
	{"MessageReceived", `{"text":"x","attachments":[{"name":"a.png","size":3}]}`},
	{"MessageReceived", `{"text":"x","extra":1}`},
	{"MessageReceived", `{"interactionId":"i1","messageId":"m1","text":"hi","identityCheck":"FAILED","authentication":"dkim=none spf=fail dmarc=fail","at":"2026-03-02T09:00:00Z"}`},
	{"MessageReceived", `{"text":"hi","identityCheck":"NOT A CHECK"}`},
	{"MessageReceived", `{"at":"not a time"}`},
	{"MessageReceived", `{"at":"2026-03-02 09:00:00Z"}`},
	{"MessageReceived", `{"text":"x"`},
	{"MessageReceived", `{"text":"x"} trailing`},
	{"MessageReceived", `[]`},
	{"MessageSent", `{"interactionId":"i1","messageId":"m2","agentId":"a1","text":"Let me check.","at":"2026-03-02T09:01:00Z"}`},
	{"MessageSent", `{"interactionId":"i1","agentId":"a1","sentAt":"2026-03-02T09:01:00Z"}`},
}

func TestDecodeEventMatchesDomain(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecode(t, s.typ, []byte(s.data))
	}
	// And every message of a generated ledger.
	g := newLedgerGen(3, func(e genEvent) {
		typ, schema, data, err := domain.EncodeEvent(e.event)
		if err != nil {
			t.Fatal(err)
		}
		if schema == 1 && (typ == "MessageReceived" || typ == "MessageSent") {
			checkDecode(t, typ, data)
		}
	})
	g.run(3000)
}

func checkDecode(t testing.TB, typ string, data []byte) {
	t.Helper()
	want, wantErr := domain.DecodeEvent(typ, 1, data)
	got, gotErr := decodeEvent(typ, 1, data)
	if (wantErr == nil) != (gotErr == nil) || !reflect.DeepEqual(got, want) {
		t.Fatalf("decode %s %s:\n fast   %#v, %v\n domain %#v, %v", typ, data, got, gotErr, want, wantErr)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s.typ == "MessageSent", s.data)
	}
	f.Fuzz(func(t *testing.T, sent bool, data string) {
		if !utf8.ValidString(data) { // the store refuses invalid UTF-8
			return
		}
		typ := "MessageReceived"
		if sent {
			typ = "MessageSent"
		}
		checkDecode(t, typ, []byte(data))
	})
}
