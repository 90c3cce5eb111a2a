package sms_test

import (
	"net/http"
	"testing"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/domain"
)

// TestReusedMessageSidWithOtherBodyIsConflict: a MessageSid already
// recorded, delivered again with another body, is a 409, never the 200 of
// a retry; nothing is appended.
func TestReusedMessageSidWithOtherBodyIsConflict(t *testing.T) {
	l, endpoint := serve(t, token)
	if status, body := (post{form: message("SM1", "+86 138 0000 0001", "我的订单在哪里？"), signWith: token}).do(t, endpoint); status != http.StatusOK {
		t.Fatalf("status %d, body %q", status, body)
	}
	head := l.Head(t)
	status, body := (post{form: message("SM1", "+86 138 0000 0001", "另外，请改地址"), signWith: token}).do(t, endpoint)
	if status != http.StatusConflict {
		t.Fatalf("a reused MessageSid with another body: status %d, body %q; want 409", status, body)
	}
	if l.Head(t) != head {
		t.Fatalf("the refused message appended events (head %d -> %d)", head, l.Head(t))
	}
	if got := chantest.Of[domain.MessageReceived](t, l); len(got) != 1 || got[0].Text != "我的订单在哪里？" {
		t.Fatalf("messages %+v", got)
	}
}
