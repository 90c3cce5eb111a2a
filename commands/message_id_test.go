package commands_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// wantReusedID fails unless err is a *domain.MessageIDConflictError with
// code ECONFLICT.
func wantReusedID(t *testing.T, err error) {
	t.Helper()
	var reused *domain.MessageIDConflictError
	if !errors.As(err, &reused) || domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("err = %v (code %q), want a *domain.MessageIDConflictError (ECONFLICT)", err, domain.ErrorCode(err))
	}
}

// TestInboundReusedIDWithOtherTextIsConflict: a provider message id
// delivered again with other content is refused, not taken for a retry
// (which would drop the new text while acknowledging it); a retry with
// the same content still appends nothing and answers like the first.
func TestInboundReusedIDWithOtherTextIsConflict(t *testing.T) {
	h, store := newHandler(t)
	msg := inbound(domain.ChannelApp, domain.IdentityAccount, "acct-7", "m-1")
	first, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	head := commandstest.Head(t, store)

	same := msg
	same.SentAt = t0.Add(5) // a timestamp is not content
	again, err := h.ReceiveInbound(t.Context(), same, commands.Meta{})
	if err != nil || again.Position == 0 || again.InteractionID != first.InteractionID || commandstest.Head(t, store) != head {
		t.Fatalf("retry with the same content: %+v, %v; want the first answer %+v", again, err, first)
	}

	for name, change := range map[string]func(*commands.InboundMessage){
		"other text": func(m *commands.InboundMessage) { m.Text = "and another thing" },
		"an attachment": func(m *commands.InboundMessage) {
			m.Attachments = []domain.Attachment{{Name: "a.png", Size: 3, SHA256: "ab"}}
		},
		"a later follow-up": func(m *commands.InboundMessage) { m.Text = "hello again" },
	} {
		t.Run(name, func(t *testing.T) {
			other := msg
			change(&other)
			_, err := h.ReceiveInbound(t.Context(), other, commands.Meta{})
			wantReusedID(t, err)
			if after := commandstest.Head(t, store); after != head {
				t.Fatalf("a refused message appended %d events", after-head)
			}
		})
	}
}

// TestInboundReusedIDAfterCloseIsConflict: the id stays taken after the
// interaction ended.
func TestInboundReusedIDAfterCloseIsConflict(t *testing.T) {
	h, store := newHandler(t)
	msg := inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613900000003", "SM-7")
	first, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Interaction(t.Context(), first.InteractionID, commands.Meta{}, domain.AssignInteraction{AgentID: "a1"},
		domain.CloseInteraction{Disposition: domain.DispositionResolved}); err != nil {
		t.Fatal(err)
	}
	head := commandstest.Head(t, store)
	other := msg
	other.Text = "something new"
	_, err = h.ReceiveInbound(t.Context(), other, commands.Meta{})
	wantReusedID(t, err)
	if after := commandstest.Head(t, store); after != head {
		t.Fatalf("a refused message appended %d events", after-head)
	}
}

// TestInboundLateRedeliveryAfterConversationMovedOn: a provider
// redelivers a message after the interaction it went to was closed and the
// customer wrote again (a new interaction is current). The redelivery is
// the first delivery's retry, answered with its interaction; nothing is
// appended, and it is not recorded a second time in the new interaction.
// The soak found it: agents closing interactions while providers
// redelivered.
func TestInboundLateRedeliveryAfterConversationMovedOn(t *testing.T) {
	for _, rounds := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d interactions later", rounds), func(t *testing.T) {
			h, store := newHandler(t)
			msg := inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613900000004", "SM-8")
			first, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			current := first.InteractionID
			for n := range rounds {
				if _, err := h.Interaction(t.Context(), current, commands.Meta{}, domain.AssignInteraction{AgentID: "a1"},
					domain.CloseInteraction{Disposition: domain.DispositionResolved}); err != nil {
					t.Fatal(err)
				}
				next := inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613900000004", fmt.Sprintf("SM-9-%d", n))
				res, err := h.ReceiveInbound(t.Context(), next, commands.Meta{})
				if err != nil || res.InteractionID == current {
					t.Fatalf("a new message after the close: %+v, %v; want a new interaction", res, err)
				}
				current = res.InteractionID
			}
			head := commandstest.Head(t, store)
			again, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
			if err != nil || again.InteractionID != first.InteractionID {
				t.Fatalf("the late redelivery: %+v, %v; want the first delivery's interaction %s", again, err, first.InteractionID)
			}
			if after := commandstest.Head(t, store); after != head {
				t.Fatalf("the late redelivery appended %d events", after-head)
			}
			other := msg
			other.Text = "something new"
			_, err = h.ReceiveInbound(t.Context(), other, commands.Meta{})
			wantReusedID(t, err)
		})
	}
}

// overtakingStore lets another delivery of a message append first: on the
// first append of a MessageReceived or MessageSent it runs overtake, then
// appends.
type overtakingStore struct {
	eventstore.Store
	once     sync.Once
	overtake func()
}

func (s *overtakingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	if len(events) > 0 && (events[0].Type == "MessageReceived" || events[0].Type == "MessageSent") {
		s.once.Do(s.overtake)
	}
	return s.Store.Append(ctx, stream, expected, events)
}

// TestDeliveryOvertakenByItsCopy: a copy of a message recorded between
// this delivery's decision and its append (the copy's events differ from
// ours by their time) makes this delivery a retry, not an error; another
// message overtaken by one under its id is refused.
func TestDeliveryOvertakenByItsCopy(t *testing.T) {
	for _, tc := range []struct {
		name      string
		copyText  string
		wantError bool
	}{
		{"same content", "hello m-1", false},
		{"other content", "something else", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := commandstest.NewStore(t)
			store := &overtakingStore{Store: base}
			h := commands.NewHandler(store, commands.WithClock(func() time.Time { return t0 }), commands.WithLogger(slog.New(slog.DiscardHandler)))
			other := commands.NewHandler(base, commands.WithClock(func() time.Time { return t0.Add(time.Second) }), commands.WithLogger(slog.New(slog.DiscardHandler)))
			if _, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelApp, domain.IdentityAccount, "acct-8", "m-0"), commands.Meta{}); err != nil {
				t.Fatal(err)
			}
			msg := inbound(domain.ChannelApp, domain.IdentityAccount, "acct-8", "m-1")
			store.once = sync.Once{}
			store.overtake = func() {
				c := msg
				c.Text = tc.copyText
				if _, err := other.ReceiveInbound(t.Context(), c, commands.Meta{}); err != nil {
					t.Errorf("the copy: %v", err)
				}
			}
			_, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
			if tc.wantError {
				wantReusedID(t, err)
			} else if err != nil {
				t.Fatalf("a delivery overtaken by its copy: %v", err)
			}
			_, events := commandstest.AllEvents(t, base)
			if n := countType[domain.MessageReceived](events); n != 2 {
				t.Fatalf("%d messages recorded, want 2", n)
			}

			// An agent's reply retried (same idempotency key) while its
			// first attempt is still appending.
			it, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelApp, domain.IdentityAccount, "acct-8", "m-3"), commands.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.Interaction(t.Context(), it.InteractionID, commands.Meta{}, domain.AssignInteraction{AgentID: "a1"}); err != nil {
				t.Fatal(err)
			}
			meta := commands.Meta{Actor: "agent:a1", IdempotencyKey: "reply-1"}
			reply := domain.SendMessage{MessageID: "r-1", AgentID: "a1", Text: "hello m-1"}
			store.once = sync.Once{}
			store.overtake = func() {
				c := reply
				c.Text = tc.copyText
				if _, err := other.Interaction(t.Context(), it.InteractionID, meta, c); err != nil {
					t.Errorf("the reply's copy: %v", err)
				}
			}
			_, err = h.Interaction(t.Context(), it.InteractionID, meta, reply)
			if tc.wantError {
				wantReusedID(t, err)
			} else if err != nil {
				t.Fatalf("a reply overtaken by its copy: %v", err)
			}
			_, events = commandstest.AllEvents(t, base)
			if n := countType[domain.MessageSent](events); n != 1 {
				t.Fatalf("%d replies recorded, want 1", n)
			}
		})
	}
}

// TestAgentReplyReusedIDIsConflict: an agent's reply id (chosen by the
// client, or derived from its idempotency key) reused for another text is
// refused; the same reply again is a no-op.
func TestAgentReplyReusedIDIsConflict(t *testing.T) {
	h, store := newHandler(t)
	in, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelWebchat, domain.IdentityDevice, "dev-1", "v:1"), commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Interaction(t.Context(), in.InteractionID, commands.Meta{}, domain.AssignInteraction{AgentID: "a1"}); err != nil {
		t.Fatal(err)
	}
	for _, meta := range []commands.Meta{{}, {Actor: "agent:a1", IdempotencyKey: "reply-1"}} {
		id := "r-" + meta.IdempotencyKey
		first, err := h.Interaction(t.Context(), in.InteractionID, meta, domain.SendMessage{MessageID: id, AgentID: "a1", Text: "on it"})
		if err != nil {
			t.Fatal(err)
		}
		head := commandstest.Head(t, store)
		again, err := h.Interaction(t.Context(), in.InteractionID, meta, domain.SendMessage{MessageID: id, AgentID: "a1", Text: "on it"})
		if err != nil || commandstest.Head(t, store) != head {
			t.Fatalf("key %q: the same reply again: %v, %d new events", meta.IdempotencyKey, err, commandstest.Head(t, store)-head)
		}
		if meta.IdempotencyKey != "" && again.Position != first.Position {
			t.Fatalf("retry answered position %d, the first %d", again.Position, first.Position)
		}
		_, err = h.Interaction(t.Context(), in.InteractionID, meta, domain.SendMessage{MessageID: id, AgentID: "a1", Text: "done, refunded"})
		wantReusedID(t, err)
		if after := commandstest.Head(t, store); after != head {
			t.Fatalf("key %q: a refused reply appended %d events", meta.IdempotencyKey, after-head)
		}
	}
}
