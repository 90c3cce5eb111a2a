package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestWebChatVisitorIDIsNowhere drives `ledger serve` with web chat and
// GraphQL: a visitor chats over a real WebSocket, reconnects with their
// visitor id (the chat's only credential) and finds their conversation;
// then neither the files of the data directory nor what analysts, agents
// and auditors read through GraphQL hold that id.
func TestWebChatVisitorIDIsNowhere(t *testing.T) {
	h := startAPI(t, &webChannelsComponent{})
	const visitorID = "v-bearer-secret-7f3a9c2e1b"
	dial := func() *websocket.Conn {
		t.Helper()
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+h.srv.addr+"/channels/webchat", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ws.Close() })
		if err := ws.WriteJSON(map[string]any{"type": "hello", "visitorId": visitorID}); err != nil {
			t.Fatal(err)
		}
		return ws
	}
	next := func(ws *websocket.Conn, typ string) map[string]any {
		t.Helper()
		for {
			var f map[string]any
			_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			if err := ws.ReadJSON(&f); err != nil {
				t.Fatalf("waiting for %s: %v", typ, err)
			}
			if f["type"] == typ {
				return f
			}
		}
	}
	ws := dial()
	next(ws, "welcome")
	var interaction string
	for _, id := range []string{"c-1", "c-2", "c-1"} { // c-1 resent: recorded once
		if err := ws.WriteJSON(map[string]any{"type": "message", "id": id, "text": "chat message " + id}); err != nil {
			t.Fatal(err)
		}
		interaction = next(ws, "ack")["interactionId"].(string)
	}
	ws.Close()
	back := dial()
	if w := next(back, "welcome"); w["interactionId"] != interaction || len(w["history"].([]any)) != 2 {
		t.Fatalf("the visitor's conversation was not resumed: %v", w)
	}
	h.settle()

	const query = `query($id: ID!%s) {
	  interaction(id: $id) {
	    id identity { kind value } messages { id text direction }
	    customer { id displayName identities { kind value } timeline(first: 100) { nodes { kind summary interactionId } } }
	  }
	  %s
	}`
	audit := `auditTrail(stream: $stream) { state events(first: 100) { nodes { type data metadata { actor correlationId causationId channel sourceMessageId } } } }`
	vars := map[string]any{"id": interaction, "stream": "interaction-" + interaction}
	for _, who := range []struct{ role, subject, extra string }{
		{"analyst", "ana", ""}, {"agent", "a-agent", ""}, {"auditor", "aud", audit},
	} {
		q, v := fmt.Sprintf(query, "", ""), map[string]any{"id": interaction}
		if who.extra != "" {
			q, v = fmt.Sprintf(query, ", $stream: String!", who.extra), vars
		}
		res := h.post(h.token(who.role, who.subject), q, v).ok(t)
		if !strings.Contains(string(res.Data), `"direction":"IN"`) {
			t.Fatalf("%s: no messages in %s", who.role, res.Data)
		}
		if strings.Count(string(res.Data), `"direction":"IN"`) != 2 {
			t.Errorf("%s: want 2 messages in %s", who.role, res.Data)
		}
		if strings.Contains(string(res.Data), visitorID) {
			t.Errorf("%s reads the visitor id: %s", who.role, res.Data)
		}
	}

	if err := h.srv.shutdown(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(h.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(raw, []byte(visitorID)) {
			t.Errorf("%s holds the visitor id", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
