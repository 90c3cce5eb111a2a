package commands

import (
	"context"

	"github.com/interactionledger/ledger/domain"
)

// LoadCustomer returns a customer's current state from the ledger.
func (h *Handler) LoadCustomer(ctx context.Context, id string) (domain.Customer, error) {
	return loadExisting(ctx, h, customers, id, func(c domain.Customer) bool { return c.Registered })
}

// LoadInteraction returns an interaction's current state from the ledger.
func (h *Handler) LoadInteraction(ctx context.Context, id string) (domain.Interaction, error) {
	return loadExisting(ctx, h, interactions, id, domain.Interaction.Exists)
}

// LoadTicket returns a ticket's current state from the ledger.
func (h *Handler) LoadTicket(ctx context.Context, id string) (domain.Ticket, error) {
	return loadExisting(ctx, h, tickets, id, domain.Ticket.Exists)
}

// LoadAgent returns an agent's current state from the ledger.
func (h *Handler) LoadAgent(ctx context.Context, id string) (domain.Agent, error) {
	return loadExisting(ctx, h, agents, id, domain.Agent.Registered)
}

// LoadKnowledge returns a knowledge item's current state (every version)
// from the ledger.
func (h *Handler) LoadKnowledge(ctx context.Context, id string) (domain.KnowledgeItem, error) {
	return loadExisting(ctx, h, knowledgeItems, id, domain.KnowledgeItem.Exists)
}
