package notify_test

import (
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

func newHandler(t *testing.T) (*commands.Handler, eventstore.Store) {
	return commandstest.NewHandler(t)
}

func allEvents(t *testing.T, store eventstore.Store) ([]eventstore.RecordedEvent, []domain.Event) {
	return commandstest.AllEvents(t, store)
}

func head(t *testing.T, store eventstore.Store) uint64 { return commandstest.Head(t, store) }

func inbound(channel domain.Channel, kind domain.IdentityKind, value, msgID string) commands.InboundMessage {
	return commandstest.Inbound(channel, kind, value, msgID)
}
