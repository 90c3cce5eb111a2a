package commands

import (
	"context"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// slaClocks are keyed by ticket id (domain.SlaStream).
var slaClocks = aggregate[domain.SlaClocks, domain.SlaCommand]{
	stream:  domain.SlaStream,
	initial: func(id string) domain.SlaClocks { return domain.SlaClocks{TicketID: id} },
	evolve:  domain.EvolveSla,
	clone:   domain.SlaClocks.Clone,
	decide:  domain.DecideSla,
}

// Sla applies commands to a ticket's SLA clocks (sla-<ticket>), in order,
// in one append with the expected version: two processes checking the same
// clocks at once cannot both record its breach. It returns the clocks'
// state after the commands.
func (h *Handler) Sla(ctx context.Context, ticketID string, meta Meta, cmds ...domain.SlaCommand) (Result, domain.SlaClocks, error) {
	if len(cmds) == 0 {
		return Result{}, domain.SlaClocks{}, domain.Errorf(domain.EINVALID, "no command")
	}
	return execute(ctx, h, slaClocks, ticketID, meta, cmds...)
}

// SlaPlan applies the commands plan returns for a ticket's SLA clocks as
// they are, deciding them again on fresh state after a version conflict;
// it returns the clocks' state after the commands.
func (h *Handler) SlaPlan(ctx context.Context, ticketID string, meta Meta, name string, plan func(domain.SlaClocks) []domain.SlaCommand) (Result, domain.SlaClocks, error) {
	return executePlan(ctx, h, slaClocks, ticketID, meta, name, func(l loaded[domain.SlaClocks]) []domain.SlaCommand {
		return plan(l.state)
	})
}

// LoadSla returns a ticket's SLA clocks (no clocks when none was started).
func (h *Handler) LoadSla(ctx context.Context, ticketID string) (domain.SlaClocks, error) {
	cur, err := load(ctx, h, slaClocks, ticketID, uuid.Nil)
	return cur.state, err
}

// EscalateTicket raises a ticket's priority and hands it to a queue.
func (h *Handler) EscalateTicket(ctx context.Context, ticketID string, cmd domain.EscalateTicket, meta Meta) (Result, error) {
	res, _, err := execute(ctx, h, tickets, ticketID, meta, domain.TicketCommand(cmd))
	return res, err
}
