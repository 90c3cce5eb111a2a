package app_test

import (
	"net/http"
	"testing"

	"github.com/interactionledger/ledger/channels/internal/chantest"
	"github.com/interactionledger/ledger/domain"
)

// TestReusedMessageIDWithOtherTextIsConflict: a messageId already recorded,
// posted again with another text, is a 409 with code conflict, never a 200;
// nothing is appended.
func TestReusedMessageIDWithOtherTextIsConflict(t *testing.T) {
	l, endpoint := serve(t)
	if status, out := post(t, endpoint, asUser(assertion(t, customer)), "application/json", documented); status != http.StatusOK {
		t.Fatalf("%d %v", status, out)
	}
	head := l.Head(t)
	other := `{"messageId": "m-1", "identity": {"kind": "PHONE", "value": "+8613800000000"}, "text": "还有一个问题", "sentAt": "2026-01-02T03:05:00Z"}`
	status, out := post(t, endpoint, asUser(assertion(t, customer)), "application/json", other)
	errObj, _ := out["error"].(map[string]any)
	if status != http.StatusConflict || errObj["code"] != domain.ECONFLICT {
		t.Fatalf("a reused messageId with other text: %d %v, want 409 conflict", status, out)
	}
	if l.Head(t) != head {
		t.Fatalf("the refused message appended events (head %d -> %d)", head, l.Head(t))
	}
	if msgs := chantest.Of[domain.MessageReceived](t, l); len(msgs) != 1 || msgs[0].Text != "我想修改收货地址" {
		t.Fatalf("messages %+v", msgs)
	}
}
