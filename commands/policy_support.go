package commands

import (
	"context"
	"log/slog"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// What the policies (policies/...) need of the handler beyond its
// commands: its clock, its logger, a copy deciding at another time, and
// per-step idempotency keys.

// Now returns the time the handler decides at (its clock).
func (h *Handler) Now() time.Time { return h.now() }

// Logger returns the handler's logger.
func (h *Handler) Logger() *slog.Logger { return h.logger }

// At returns a copy of the handler that decides as of t: a policy
// reacting to an event decides at the time the event happened, not at the
// time the policy got to it, so a policy catching up after downtime starts
// clocks when the ticket was opened.
func (h *Handler) At(t time.Time) *Handler {
	c := *h
	c.now = func() time.Time { return t }
	return &c
}

// WithKey returns m with an idempotency key derived from m's own key (or
// none, if m has none) and a suffix naming one step of a multi-step
// reaction, so each step's events get ids of their own.
func (m Meta) WithKey(step string) Meta { return m.withKey(step) }

// SlaPlan applies the commands plan returns for a ticket's SLA clocks as
// they are, deciding them again on fresh state after a version conflict;
// it returns the clocks' state after the commands.
func (h *Handler) SlaPlan(ctx context.Context, ticketID string, meta Meta, name string, plan func(domain.SlaClocks) []domain.SlaCommand) (Result, domain.SlaClocks, error) {
	return executePlan(ctx, h, slaClocks, ticketID, meta, name, func(l loaded[domain.SlaClocks]) []domain.SlaCommand {
		return plan(l.state)
	})
}
