package transport

import (
	"testing"
)

// wsMessageSeeds are client messages: the seed corpus of
// FuzzDecodeClientMessage.
var wsMessageSeeds = []string{
	`{"type":"connection_init","payload":{"Authorization":"Bearer abc"}}`,
	`{"type":"connection_init","payload":{"token":"abc"}}`,
	`{"type":"connection_init"}`,
	`{"type":"ping","payload":{"x":1}}`,
	`{"type":"pong"}`,
	`{"id":"1","type":"subscribe","payload":{"query":"{ me { role } }","variables":{"a":1},"operationName":null}}`,
	`{"id":"1","type":"complete"}`,
	`{"type":"subscribe","payload":{"query":"{ a }"}}`,
	`{"id":"1","type":"subscribe","payload":null}`,
	`{"id":"1","type":"subscribe","payload":{"query":""}}`,
	`{"type":"next"}`,
	`[]`,
	`{"type":1}`,
}

func TestDecodeClientMessage(t *testing.T) {
	for _, c := range []struct {
		msg   string
		ok    bool
		token string
	}{
		{wsMessageSeeds[0], true, "abc"},
		{wsMessageSeeds[1], true, "abc"},
		{wsMessageSeeds[2], true, ""},
		{`{"type":"connection_init","payload":{"Authorization":"Basic abc"}}`, true, ""},
		{`{"type":"connection_init","payload":"abc"}`, false, ""},
		{wsMessageSeeds[3], true, ""},
		{wsMessageSeeds[4], true, ""},
		{wsMessageSeeds[5], true, ""},
		{wsMessageSeeds[6], true, ""},
		{wsMessageSeeds[7], false, ""},  // subscribe without id
		{wsMessageSeeds[8], false, ""},  // subscribe without payload
		{wsMessageSeeds[9], false, ""},  // subscribe without query
		{wsMessageSeeds[10], false, ""}, // a server's message
		{wsMessageSeeds[11], false, ""},
		{wsMessageSeeds[12], false, ""},
		{`{"id":"","type":"complete"}`, false, ""},
		{`{"type":""}`, false, ""},
	} {
		m, err := decodeClientMessage([]byte(c.msg))
		if (err == nil) != c.ok || m.token != c.token {
			t.Errorf("decodeClientMessage(%s) = %+v, %v; want ok %v, token %q", c.msg, m, err, c.ok, c.token)
		}
	}
}

// FuzzDecodeClientMessage checks that no input makes the decoder panic,
// and that what it accepts is a complete message of the protocol.
func FuzzDecodeClientMessage(f *testing.F) {
	for _, s := range wsMessageSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeClientMessage(data)
		if err != nil {
			return
		}
		switch m.typ {
		case msgConnectionInit, msgPing, msgPong:
		case msgSubscribe:
			if m.id == "" || m.req.Query == "" {
				t.Fatalf("accepted a subscribe without id or query: %q", data)
			}
		case msgComplete:
			if m.id == "" {
				t.Fatalf("accepted a complete without id: %q", data)
			}
		default:
			t.Fatalf("accepted type %q: %q", m.typ, data)
		}
	})
}
