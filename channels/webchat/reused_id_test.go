package webchat_test

import (
	"testing"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/domain"
)

// TestReusedClientIDWithOtherTextIsRefused: a client whose counter
// restarted (a reload) sends a new text under an id already used. It gets
// an error frame, not an ack; nothing is recorded and nothing is echoed to
// the customer's other tabs. The same message again is still acked.
func TestReusedClientIDWithOtherTextIsRefused(t *testing.T) {
	e := newEnv(t)
	a, _, _ := e.dial(t, nil)
	b, _, _ := e.dial(t, nil)
	a.send(hello(visitor))
	b.send(hello(visitor))
	a.next("welcome")
	b.next("welcome")
	a.send(message("c-1", "first"))
	a.next("ack")
	if echo := b.next("message"); echo["text"] != "first" {
		t.Fatalf("tab B got %v", echo)
	}
	head := e.l.Head(t)

	a.send(message("c-1", "first")) // a retry: acked, nothing recorded
	a.next("ack")
	a.send(message("c-1", "second, after a reload"))
	f := <-a.frames
	for f["type"] == "message" || f["type"] == "pong" {
		f = <-a.frames
	}
	if f["type"] != "error" || f["id"] != "c-1" || f["code"] != domain.ECONFLICT {
		t.Fatalf("a reused id with other text got %v, want an error frame with code %q for c-1", f, domain.ECONFLICT)
	}
	if got := e.l.Head(t); got != head {
		t.Fatalf("a refused message appended events %d..%d", head+1, got)
	}
	// The next message with a fresh id is what tab B sees next: the
	// refused text was never echoed.
	a.send(message("c-2", "third"))
	a.next("ack")
	for {
		echo := b.next("message")
		if echo["text"] == "first" {
			continue // the retry's echo
		}
		if echo["text"] != "third" {
			t.Fatalf("tab B was shown %v, want the next recorded message", echo)
		}
		break
	}
	var texts []string
	for _, m := range chantest.Of[domain.MessageReceived](t, e.l) {
		texts = append(texts, m.Text)
	}
	if len(texts) != 2 || texts[0] != "first" || texts[1] != "third" {
		t.Fatalf("recorded %q, want [first third]", texts)
	}
}
