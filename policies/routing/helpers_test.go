package routing_test

import (
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

var t0 = commandstest.T0

func newHandler(t *testing.T) (*commands.Handler, eventstore.Store) {
	return commandstest.NewHandler(t)
}

func allEvents(t *testing.T, store eventstore.Store) ([]eventstore.RecordedEvent, []domain.Event) {
	return commandstest.AllEvents(t, store)
}
