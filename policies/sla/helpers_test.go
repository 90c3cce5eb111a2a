package sla_test

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

func countType[E domain.Event](events []domain.Event) int { return commandstest.CountType[E](events) }

func inbound(channel domain.Channel, kind domain.IdentityKind, value, msgID string) commands.InboundMessage {
	return commandstest.Inbound(channel, kind, value, msgID)
}
