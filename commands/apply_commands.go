package commands

import (
	"context"

	"github.com/interactionledger/ledger/domain"
)

// UpdateCustomer applies a profile command (rename, tier, tags, or a
// registration without identity) to a customer. Identity links and merges
// span several streams and have their own flows: LinkIdentity,
// UnlinkIdentity, MergeCustomers, UndoMerge.
func (h *Handler) UpdateCustomer(ctx context.Context, customerID string, cmd domain.CustomerCommand, meta Meta) (Result, error) {
	switch c := cmd.(type) {
	case domain.LinkIdentity, domain.UnlinkIdentity, domain.MergeInto, domain.Absorb, domain.UndoMerge, domain.Release:
		return Result{}, domain.Errorf(domain.EINVALID, "%s goes through its own flow, not UpdateCustomer", commandName(cmd))
	case domain.RegisterCustomer:
		if c.Identity != nil {
			return Result{}, domain.Errorf(domain.EINVALID, "register the customer first, then link the identity")
		}
	}
	res, _, err := execute(ctx, h, customers, customerID, meta, cmd)
	return res, err
}

// Interaction applies commands to an interaction, in order, in one append.
func (h *Handler) Interaction(ctx context.Context, interactionID string, meta Meta, cmds ...domain.InteractionCommand) (Result, error) {
	if len(cmds) == 0 {
		return Result{}, domain.Errorf(domain.EINVALID, "no command")
	}
	res, _, err := execute(ctx, h, interactions, interactionID, meta, cmds...)
	return res, err
}

// Ticket applies a command to a ticket. Opening goes through OpenTicket,
// which also reserves the ticket's number.
func (h *Handler) Ticket(ctx context.Context, ticketID string, cmd domain.TicketCommand, meta Meta) (Result, error) {
	if _, ok := cmd.(domain.OpenTicket); ok {
		return Result{}, domain.Errorf(domain.EINVALID, "open tickets with OpenTicket")
	}
	res, _, err := execute(ctx, h, tickets, ticketID, meta, cmd)
	return res, err
}

// Agent applies a command to an agent.
func (h *Handler) Agent(ctx context.Context, agentID string, cmd domain.AgentCommand, meta Meta) (Result, error) {
	res, _, err := execute(ctx, h, agents, agentID, meta, cmd)
	return res, err
}
