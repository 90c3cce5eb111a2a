package commands

import (
	"context"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// slaClocks are keyed by their subject's id, a ticket's or an
// interaction's (domain.SlaStream); which of the two the first SlaStarted
// says.
var slaClocks = aggregate[domain.SlaClocks, domain.SlaCommand]{
	stream:  domain.SlaStream,
	initial: func(id string) domain.SlaClocks { return domain.SlaClocks{ID: id} },
	evolve:  domain.EvolveSla,
	clone:   domain.SlaClocks.Clone,
	decide:  domain.DecideSla,
}

// Sla applies commands to a ticket's or an interaction's SLA clocks
// (sla-<id>), in order,
// in one append with the expected version: two processes checking the same
// clocks at once cannot both record its breach. It returns the clocks'
// state after the commands.
func (h *Handler) Sla(ctx context.Context, subjectID string, meta Meta, cmds ...domain.SlaCommand) (Result, domain.SlaClocks, error) {
	if len(cmds) == 0 {
		return Result{}, domain.SlaClocks{}, domain.Errorf(domain.EINVALID, "no command")
	}
	return execute(ctx, h, slaClocks, subjectID, meta, cmds...)
}

// SlaPlan applies the commands plan returns for a subject's SLA clocks as
// they are, deciding them again on fresh state after a version conflict;
// it returns the clocks' state after the commands.
func (h *Handler) SlaPlan(ctx context.Context, subjectID string, meta Meta, name string, plan func(domain.SlaClocks) []domain.SlaCommand) (Result, domain.SlaClocks, error) {
	return executePlan(ctx, h, slaClocks, subjectID, meta, name, func(l loaded[domain.SlaClocks]) []domain.SlaCommand {
		return plan(l.state)
	})
}

// LoadSla returns a ticket's or an interaction's SLA clocks (no clocks
// when none was started).
func (h *Handler) LoadSla(ctx context.Context, subjectID string) (domain.SlaClocks, error) {
	cur, err := load(ctx, h, slaClocks, subjectID, uuid.Nil)
	return cur.state, err
}

// EscalateTicket raises a ticket's priority and hands it to a queue.
func (h *Handler) EscalateTicket(ctx context.Context, ticketID string, cmd domain.EscalateTicket, meta Meta) (Result, error) {
	res, _, err := execute(ctx, h, tickets, ticketID, meta, domain.TicketCommand(cmd))
	return res, err
}
