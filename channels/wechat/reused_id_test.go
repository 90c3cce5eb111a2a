package wechat_test

import (
	"net/http"
	"testing"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/domain"
)

// TestReusedMsgIDWithOtherTextIsConflict: a MsgId already recorded, pushed
// again (with a fresh signature) with another text, is a 409, never the
// "success" of a retry; nothing is appended.
func TestReusedMsgIDWithOtherTextIsConflict(t *testing.T) {
	l, endpoint := serve(t, token)
	if status, answer := do(t, http.MethodPost, endpoint, signedQuery(token, "n1", clock), textPush("oUser1", "24000000000000001", "你好")); status != http.StatusOK || answer != "success" {
		t.Fatalf("push: %d %q", status, answer)
	}
	head := l.Head(t)
	status, answer := do(t, http.MethodPost, endpoint, signedQuery(token, "n2", clock), textPush("oUser1", "24000000000000001", "我的快递到哪了？"))
	if status != http.StatusConflict || answer == "success" {
		t.Fatalf("a reused MsgId with other text: %d %q, want 409", status, answer)
	}
	if l.Head(t) != head {
		t.Fatal("the refused push appended events")
	}
	if msgs := chantest.Of[domain.MessageReceived](t, l); len(msgs) != 1 || msgs[0].Text != "你好" {
		t.Fatalf("messages %+v", msgs)
	}
}
