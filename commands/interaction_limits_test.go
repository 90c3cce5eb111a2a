package commands_test

import (
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
)

// TestInboundMessageCapRefusesAndReportsOnce floods one conversation past
// its message cap: every message over it is refused with ELIMITED, nothing
// of them is appended, and supervisors get one InteractionLimitReached.
// Another customer is served normally.
func TestInboundMessageCapRefusesAndReportsOnce(t *testing.T) {
	store := commandstest.NewStore(t)
	h := commands.NewHandler(store, commands.WithClock(func() time.Time { return t0 }),
		commands.WithLogger(slog.New(slog.DiscardHandler)),
		commands.WithInteractionLimits(domain.InteractionLimits{MaxMessages: 3}))
	flood := func(id string) error {
		_, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelApp, domain.IdentityPhone, "+8613800000001", id), commands.Meta{})
		return err
	}
	for n := range 3 {
		if err := flood(fmt.Sprint("m", n)); err != nil {
			t.Fatalf("message %d: %v", n, err)
		}
	}
	for n := 3; n < 10; n++ {
		err := flood(fmt.Sprint("m", n))
		var over *domain.InteractionLimitError
		if !errors.As(err, &over) || domain.ErrorCode(err) != domain.ELIMITED || over.Limit != domain.LimitMessages {
			t.Fatalf("message %d over the cap = %v; want an ELIMITED message-cap refusal", n, err)
		}
	}
	// A retry of a refused message is refused again, and reports nothing new.
	if err := flood("m3"); domain.ErrorCode(err) != domain.ELIMITED {
		t.Fatalf("retry of a refused message = %v", err)
	}
	// A redelivery of a recorded one stays a no-op.
	if err := flood("m1"); err != nil {
		t.Fatalf("redelivery of a recorded message: %v", err)
	}
	if _, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelApp, domain.IdentityPhone, "+8613800000002", "other"), commands.Meta{}); err != nil {
		t.Fatalf("another customer refused: %v", err)
	}
	_, events := allEvents(t, store)
	if got := countType[domain.MessageReceived](events); got != 4 {
		t.Errorf("MessageReceived = %d, want 4 (3 + the other customer's)", got)
	}
	if got := countType[domain.InteractionLimitReached](events); got != 1 {
		t.Errorf("InteractionLimitReached = %d, want 1", got)
	}
}

// TestInboundBytesPerHourCap refuses text over the hourly byte cap.
func TestInboundBytesPerHourCap(t *testing.T) {
	store := commandstest.NewStore(t)
	h := commands.NewHandler(store, commands.WithClock(func() time.Time { return t0 }),
		commands.WithLogger(slog.New(slog.DiscardHandler)),
		commands.WithInteractionLimits(domain.InteractionLimits{MaxBytesPerHour: 20}))
	msg := inbound(domain.ChannelApp, domain.IdentityPhone, "+8613800000001", "a") // "hello a": 7 bytes
	for _, id := range []string{"a", "b", "c", "d"} {
		msg.ProviderMessageID, msg.Text = id, "hello "+id
		_, err := h.ReceiveInbound(t.Context(), msg, commands.Meta{})
		var over *domain.InteractionLimitError
		switch {
		case id != "d" && id != "c" && err != nil:
			t.Fatalf("message %s: %v", id, err)
		case (id == "c" || id == "d") && (!errors.As(err, &over) || over.Limit != domain.LimitBytesPerHour || over.RetryAfter != time.Hour):
			t.Fatalf("message %s over the byte cap = %v", id, err)
		}
	}
	_, events := allEvents(t, store)
	if countType[domain.MessageReceived](events) != 2 || countType[domain.InteractionLimitReached](events) != 1 {
		t.Errorf("events: %d MessageReceived, %d InteractionLimitReached; want 2 and 1",
			countType[domain.MessageReceived](events), countType[domain.InteractionLimitReached](events))
	}
}
