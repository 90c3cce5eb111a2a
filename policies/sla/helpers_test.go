package sla_test

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

var t0 = commandstest.T0

func newHandler(t *testing.T) (*commands.Handler, eventstore.Store) {
	return commandstest.NewHandler(t)
}

func allEvents(t *testing.T, store eventstore.Store) ([]eventstore.RecordedEvent, []domain.Event) {
	return commandstest.AllEvents(t, store)
}

func countType[E domain.Event](events []domain.Event) int { return commandstest.CountType[E](events) }

func inbound(channel domain.Channel, kind domain.IdentityKind, value, msgID string) commands.InboundMessage {
	return commandstest.Inbound(channel, kind, value, msgID)
}

// clockedLedger is a fresh SQLite ledger and a quiet handler whose clock
// the test moves by hand; the ledger closes after the test's own cleanups.
func clockedLedger(t *testing.T) (*sqlite.Store, *commands.Handler, *fakeClock) {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clock := &fakeClock{now: t0}
	return store, commands.NewHandler(store, commands.WithClock(clock.Now), commands.WithLogger(slog.New(slog.DiscardHandler))), clock
}
