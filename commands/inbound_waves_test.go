package commands_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// waveStore counts the durable waits in sequence an inbound message costs:
// each append is held long enough for appends issued together to overlap,
// and its wave is one more than the deepest wave of the appends that had
// finished when it started. Appends issued at once share a wave, as they
// share the real store's group commit; an append issued after another
// returned is a wave later.
type waveStore struct {
	eventstore.Store
	hold time.Duration

	mu       sync.Mutex
	finished int // deepest wave finished so far
	deepest  int
	appends  []string
}

func (s *waveStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	s.mu.Lock()
	wave := s.finished + 1
	s.deepest = max(s.deepest, wave)
	s.appends = append(s.appends, stream)
	s.mu.Unlock()
	time.Sleep(s.hold)
	res, err := s.Store.Append(ctx, stream, expected, events)
	s.mu.Lock()
	s.finished = max(s.finished, wave)
	s.mu.Unlock()
	return res, err
}

// measure returns the waves and the streams appended to by what runs f.
func (s *waveStore) measure(f func()) (int, []string) {
	s.mu.Lock()
	s.finished, s.deepest, s.appends = 0, 0, nil
	s.mu.Unlock()
	f()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deepest, s.appends
}

func TestInboundMessageDurableWaits(t *testing.T) {
	// Long enough that appends started together by one message are all
	// under way before the first returns, even on a loaded machine.
	store := &waveStore{Store: commandstest.NewStore(t), hold: 150 * time.Millisecond}
	h := commands.NewHandler(store, commands.WithLogger(slog.New(slog.DiscardHandler)))
	sms := func(from, id string) commands.InboundMessage {
		return inbound(domain.ChannelSMS, domain.IdentityPhone, from, id)
	}
	call := func(from, callID string) commands.InboundMessage {
		msg := inbound(domain.ChannelPhone, domain.IdentityPhone, from, "invite-"+callID)
		msg.Text, msg.ConversationKey = "", callID
		return msg
	}
	cases := []struct {
		name    string
		before  func()
		msg     commands.InboundMessage
		waves   int
		appends int
	}{
		{name: "first message of a new identity", msg: sms("+8613800138001", "m1"), waves: 2, appends: 4},
		{name: "message on the open conversation", msg: sms("+8613800138001", "m2"), waves: 1, appends: 1},
		{name: "redelivered message", msg: sms("+8613800138001", "m2"), waves: 0, appends: 0},
		{name: "a returning customer's new conversation", msg: call("+8613800138001", "call-1"), waves: 1, appends: 2},
		{name: "first call from a new identity", msg: call("+8613800138002", "call-2"), waves: 2, appends: 4},
		{name: "message after the conversation's interaction closed",
			before: func() { closeConversation(t, h, sms("+8613800138001", "m2")) },
			msg:    sms("+8613800138001", "m3"), waves: 1, appends: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before()
			}
			var err error
			waves, appends := store.measure(func() { _, err = h.ReceiveInbound(t.Context(), c.msg, commands.Meta{}) })
			if err != nil {
				t.Fatal(err)
			}
			if len(appends) != c.appends {
				t.Errorf("appends = %d %v, want %d", len(appends), appends, c.appends)
			}
			if waves != c.waves {
				t.Errorf("durable waits in sequence = %d (appends %v), want %d", waves, appends, c.waves)
			}
		})
	}
}

// closeConversation closes the interaction that msg (already received)
// landed on.
func closeConversation(t *testing.T, h *commands.Handler, msg commands.InboundMessage) {
	t.Helper()
	res, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Interaction(t.Context(), res.InteractionID, commands.Meta{Actor: "agent:a-1"}, domain.CloseInteraction{Disposition: domain.DispositionResolved}); err != nil {
		t.Fatalf("close %s: %v", res.InteractionID, err)
	}
}

// failingStore refuses appends to streams of one category, as a crash
// between the concurrent appends of a first message would leave them.
type failingStore struct {
	eventstore.Store
	category string
}

var errDiskGone = errors.New("disk gone")

func (s *failingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	if strings.HasPrefix(stream, s.category+"-") {
		return eventstore.AppendResult{}, errDiskGone
	}
	return s.Store.Append(ctx, stream, expected, events)
}

// TestFirstMessageCompletedByRedelivery fails one of the appends a first
// message makes together; the channel sees an error and does not
// acknowledge, and the provider's redelivery (to a restarted server, with
// a cold cache) completes what is missing: one customer, one interaction
// current in its conversation, the message once. A later message instead
// of a redelivery completes it too.
func TestFirstMessageCompletedByRedelivery(t *testing.T) {
	for _, category := range []string{domain.CategoryCustomer, domain.CategoryConversation, domain.CategoryInteraction} {
		for _, next := range []string{"redelivery", "next message"} {
			t.Run(category+"/"+next, func(t *testing.T) {
				store := commandstest.NewStore(t)
				quiet := commands.WithLogger(slog.New(slog.DiscardHandler))
				first := inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613800138009", "m1")
				crashed := commands.NewHandler(&failingStore{Store: store, category: category}, quiet)
				if _, err := crashed.ReceiveInbound(t.Context(), first, commands.Meta{}); !errors.Is(err, errDiskGone) {
					t.Fatalf("first message with %s appends failing: err = %v, want the store's error", category, err)
				}
				msg := first
				if next == "next message" {
					msg = inbound(domain.ChannelSMS, domain.IdentityPhone, "+8613800138009", "m2")
				}
				restarted := commands.NewHandler(store, quiet)
				res, err := restarted.ReceiveInbound(t.Context(), msg, commands.Meta{})
				if err != nil {
					t.Fatal(err)
				}
				_, events := allEvents(t, store)
				for name, n := range map[string]int{
					"CustomerRegistered":            countType[domain.CustomerRegistered](events),
					"IdentityReserved":              countType[domain.IdentityReserved](events),
					"InteractionStarted":            countType[domain.InteractionStarted](events),
					"ConversationInteractionOpened": countType[domain.ConversationInteractionOpened](events),
				} {
					if n != 1 {
						t.Errorf("%s events = %d, want 1", name, n)
					}
				}
				wantMessages := 1
				if msg.ProviderMessageID != first.ProviderMessageID && category != domain.CategoryInteraction {
					wantMessages = 2 // the first was recorded before the failure
				}
				if n := countType[domain.MessageReceived](events); n != wantMessages {
					t.Errorf("MessageReceived events = %d, want %d", n, wantMessages)
				}
				it, err := restarted.LoadInteraction(t.Context(), res.InteractionID)
				if err != nil {
					t.Fatal(err)
				}
				if !it.HasMessage(msg.ProviderMessageID) || it.CustomerID != res.CustomerID {
					t.Errorf("interaction %s: has message %v, customer %s; want the message, customer %s", res.InteractionID, it.HasMessage(msg.ProviderMessageID), it.CustomerID, res.CustomerID)
				}
				if _, err := restarted.LoadCustomer(t.Context(), res.CustomerID); err != nil {
					t.Errorf("customer %s: %v", res.CustomerID, err)
				}
			})
		}
	}
}
