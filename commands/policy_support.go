package commands

import (
	"log/slog"
	"time"
)

// What the policies (policies/...) need of the handler beyond its
// commands: its clock, its logger, a copy deciding at another time, and
// per-step idempotency keys. (Their command flows, such as SlaPlan,
// AssignRouted or NotifyTicket, sit beside the aggregates they change.)

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
