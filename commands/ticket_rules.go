package commands

import (
	"context"

	"github.com/interactionledger/ledger/domain"
)

// SetTicketRules sets the keyword rules that fill in a new ticket's
// category and priority (nil: none; a ticket then needs its category).
// Call it before serving.
func (h *Handler) SetTicketRules(rules []domain.TicketRule) {
	if rules == nil {
		h.ticketRules.Store(nil)
		return
	}
	h.ticketRules.Store(&rules)
}

// classify applies the ticket rules to a ticket about to be opened.
func (h *Handler) classify(cmd domain.OpenTicket) domain.OpenTicket {
	rules := h.ticketRules.Load()
	if rules == nil {
		return cmd
	}
	cmd, _ = domain.ApplyTicketRules(*rules, cmd)
	return cmd
}

// OpenTicketFromInteraction opens a ticket for the customer of an
// interaction on any channel, keeping the link to it (the ticket shows the
// conversation; the interaction's customer sees the ticket). Category and
// priority left empty are filled in by the ticket rules.
func (h *Handler) OpenTicketFromInteraction(ctx context.Context, interactionID string, cmd domain.OpenTicket, meta Meta) (Result, domain.Ticket, error) {
	it, err := h.LoadInteraction(ctx, interactionID)
	if err != nil {
		return Result{}, domain.Ticket{}, err
	}
	if cmd.CustomerID != "" && cmd.CustomerID != it.CustomerID {
		return Result{}, domain.Ticket{}, domain.Errorf(domain.EINVALID, "interaction %s belongs to another customer", interactionID)
	}
	cmd.CustomerID, cmd.InteractionID = it.CustomerID, interactionID
	return h.OpenTicket(ctx, cmd, meta)
}
