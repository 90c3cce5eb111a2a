package projections

import (
	"fmt"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestInteractionLifecycle(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	photo := domain.Attachment{Name: "receipt.jpg", ContentType: "image/jpeg", Size: 2048, SHA256: "ab12"}
	h.emit(r, concat(registered("c1", "Ann", phone1), []domain.Event{
		domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelWeChat, Identity: wechat2, Subject: "refund", At: at(0)},
		domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "where is my refund?", SentAt: at(-0.1), At: at(0)},
		domain.InteractionQueued{InteractionID: "i1", Queue: "billing", Priority: domain.PriorityUrgent, At: at(1)},
		domain.InteractionAssigned{InteractionID: "i1", AgentID: "a1", Queue: "billing", WaitSeconds: 60, At: at(2)},
		domain.MessageSent{InteractionID: "i1", MessageID: "m2", AgentID: "a1", Text: "let me check", At: at(3)},
		domain.MessageReceived{InteractionID: "i1", MessageID: "m3", Attachments: []domain.Attachment{photo}, At: at(4)},
		domain.InteractionTransferred{InteractionID: "i1", FromAgentID: "a1", ToQueue: "billing-l2", Reason: "needs l2", At: at(5)},
		domain.InteractionAssigned{InteractionID: "i1", AgentID: "a2", Queue: "billing-l2", At: at(6)},
		domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionFollowUp, AgentID: "a2", Summary: "refund issued", At: at(7)},
		domain.CsatRecorded{InteractionID: "i1", Score: 4, Comment: "quick", At: at(8)},
		domain.MessageSent{InteractionID: "ghost", MessageID: "m9", AgentID: "a1", Text: "never started", At: at(9)},
	})...)

	got, err := h.db.Interaction(h.ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	want := Interaction{
		ID: "i1", CustomerID: "c1", Channel: domain.ChannelWeChat, Identity: wechat2, Subject: "refund",
		Status: domain.InteractionStatusClosed, Queue: "billing-l2", Priority: domain.PriorityUrgent, AgentID: "a2",
		StartedAt: at(0), QueuedAt: at(5), AssignedAt: at(6), ClosedAt: at(7), Disposition: domain.DispositionFollowUp,
		Summary: "refund issued", Csat: 4, CsatComment: "quick", MessageCount: 3, LastMessageAt: at(4),
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("Interaction:\n got %+v\nwant %+v", got, want)
	}

	msgs, err := h.db.Messages(h.ctx, "i1")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	for i, w := range []struct{ id, dir, agent, text string }{
		{"m1", DirectionIn, "", "where is my refund?"},
		{"m2", DirectionOut, "a1", "let me check"},
		{"m3", DirectionIn, "", ""},
	} {
		m := msgs[i]
		if m.MessageID != w.id || m.Direction != w.dir || m.AgentID != w.agent || m.Text != w.text || m.InteractionID != "i1" {
			t.Errorf("message %d = %+v, want %+v", i, m, w)
		}
	}
	if !msgs[0].SentAt.Equal(at(-0.1)) || !msgs[1].At.Equal(at(3)) {
		t.Errorf("message times %v %v", msgs[0].SentAt, msgs[1].At)
	}
	if len(msgs[2].Attachments) != 1 || msgs[2].Attachments[0] != photo {
		t.Errorf("attachments %+v, want %+v", msgs[2].Attachments, photo)
	}
	tl, err := h.db.Timeline(h.ctx, "c1", 50, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tl.Entries {
		if e.Position == msgs[2].Position && e.Summary != "[attachment] receipt.jpg" {
			t.Errorf("attachment-only message summary %q", e.Summary)
		}
	}

	if _, err := h.db.Interaction(h.ctx, "ghost"); !isNotFound(err) {
		t.Errorf("Interaction(ghost) = %v, want not found", err)
	}
	if msgs, err := h.db.Messages(h.ctx, "ghost"); err != nil || len(msgs) != 0 {
		t.Errorf("Messages(ghost) = %v, %v", msgs, err)
	}
}

func TestInteractionAbandonedAndCall(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	h.emit(r, concat(
		interaction("call", "c1", domain.ChannelPhone, phone1, 0, 0),
		[]domain.Event{
			domain.InteractionStarted{InteractionID: "gone", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone1, At: at(10)},
			domain.InteractionQueued{InteractionID: "gone", Queue: "general", Priority: domain.PriorityNormal, At: at(10)},
			domain.InteractionAbandoned{InteractionID: "gone", Reason: "hung up", WaitSeconds: 90, At: at(11.5)},
		})...)
	call, err := h.db.Interaction(h.ctx, "call")
	if err != nil {
		t.Fatal(err)
	}
	if !call.AnsweredAt.Equal(at(0.3)) || !call.CallEndedAt.Equal(at(1)) || call.MessageCount != 0 || call.Status != domain.InteractionStatusClosed {
		t.Errorf("call %+v", call)
	}
	gone, err := h.db.Interaction(h.ctx, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if gone.Status != domain.InteractionStatusAbandoned || gone.Disposition != domain.DispositionAbandoned || !gone.ClosedAt.Equal(at(11.5)) || gone.Summary != "hung up" {
		t.Errorf("abandoned %+v", gone)
	}
}
