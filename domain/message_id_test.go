package domain_test

import (
	"errors"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestDecideReusedMessageID: the same message id with the same content is a
// retry (no events); with different content (text, attachments, sender) it
// is a conflict, never a silent no-op. Timestamps are not content.
func TestDecideReusedMessageID(t *testing.T) {
	device := domain.Identity{Kind: domain.IdentityDevice, Value: "dev-1"}
	pdf := domain.Attachment{Name: "invoice.pdf", ContentType: "application/pdf", Size: 1024, SHA256: "ab12"}
	chat := events(
		domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelWebchat, Identity: device, At: ago(10 * minute)},
		domain.InteractionAssigned{InteractionID: "i1", AgentID: "a1", At: ago(9 * minute)},
		domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "hi", At: ago(2 * minute)},
		domain.MessageReceived{InteractionID: "i1", MessageID: "m2", Text: "see attached", Attachments: []domain.Attachment{pdf}, SentAt: ago(3 * minute), At: ago(2 * minute)},
		domain.MessageSent{InteractionID: "i1", MessageID: "r1", AgentID: "a1", Text: "hello", At: ago(minute)},
	)
	closed := concat(chat, events(domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, At: ago(30 * second)}))
	other := pdf
	other.SHA256 = "cd34"

	cases := []decideCase[domain.Interaction, domain.InteractionCommand]{
		{name: "same id, same text", given: chat, cmd: domain.ReceiveMessage{MessageID: "m1", Text: "hi"}},
		{name: "same id, same text but for surrounding space", given: chat, cmd: domain.ReceiveMessage{MessageID: "m1", Text: " hi\n"}},
		{name: "same id, same content, another sent time", given: chat,
			cmd: domain.ReceiveMessage{MessageID: "m2", Text: "see attached", Attachments: []domain.Attachment{pdf}, SentAt: now}},
		{name: "same id, same content, after the interaction closed", given: closed, cmd: domain.ReceiveMessage{MessageID: "m1", Text: "hi"}},
		{name: "same id, different text", given: chat, cmd: domain.ReceiveMessage{MessageID: "m1", Text: "where is my refund?"}, code: domain.ECONFLICT},
		{name: "same id, different text, after the interaction closed", given: closed, cmd: domain.ReceiveMessage{MessageID: "m1", Text: "bye"}, code: domain.ECONFLICT},
		{name: "same id, attachment added", given: chat,
			cmd: domain.ReceiveMessage{MessageID: "m1", Text: "hi", Attachments: []domain.Attachment{pdf}}, code: domain.ECONFLICT},
		{name: "same id, another attachment", given: chat,
			cmd: domain.ReceiveMessage{MessageID: "m2", Text: "see attached", Attachments: []domain.Attachment{other}}, code: domain.ECONFLICT},
		{name: "same id, attachment dropped", given: chat, cmd: domain.ReceiveMessage{MessageID: "m2", Text: "see attached"}, code: domain.ECONFLICT},
		{name: "customer's message id reused by an agent", given: chat, cmd: domain.SendMessage{MessageID: "m1", AgentID: "a1", Text: "hi"}, code: domain.ECONFLICT},
		{name: "reply id, same agent, same text", given: chat, cmd: domain.SendMessage{MessageID: "r1", AgentID: "a1", Text: "hello"}},
		{name: "reply id, same agent, different text", given: chat, cmd: domain.SendMessage{MessageID: "r1", AgentID: "a1", Text: "goodbye"}, code: domain.ECONFLICT},
		{name: "reply id, another agent", given: chat, cmd: domain.SendMessage{MessageID: "r1", AgentID: "a2", Text: "hello"}, code: domain.ECONFLICT},
		{name: "reply id reused for a customer's message", given: chat, cmd: domain.ReceiveMessage{MessageID: "r1", Text: "hello"}, code: domain.ECONFLICT},
		{name: "new id, same text as before", given: chat, cmd: domain.ReceiveMessage{MessageID: "m3", Text: "hi"},
			want: events(domain.MessageReceived{InteractionID: "i1", MessageID: "m3", Text: "hi", At: now})},
	}
	runDecide(t, domain.Interaction{ID: "i1"}, domain.EvolveInteraction, domain.DecideInteraction, cases)
}

// TestMessageIDConflictErrorIsTyped: callers find the conflict by type
// (to answer it as a refusal, not a retry) and by its code.
func TestMessageIDConflictErrorIsTyped(t *testing.T) {
	i := domain.EvolveInteraction(domain.Interaction{}, domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelApp, At: ago(minute)})
	i = domain.EvolveInteraction(i, domain.MessageReceived{InteractionID: "i1", MessageID: "m1", Text: "hi", At: ago(minute)})
	_, err := domain.DecideInteraction(i, domain.ReceiveMessage{MessageID: "m1", Text: "bye"}, now)
	var mc *domain.MessageIDConflictError
	if !errors.As(err, &mc) || mc.MessageID != "m1" || mc.InteractionID != "i1" {
		t.Fatalf("err = %v, want a *MessageIDConflictError for m1 on i1", err)
	}
	eq(t, "code", domain.ErrorCode(err), domain.ECONFLICT)
	eq(t, "message", domain.ErrorMessage(err), mc.Error())
}
