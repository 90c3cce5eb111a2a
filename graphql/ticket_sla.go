package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/projections"
)

// SlaClocks answers Ticket.slaClocks.
func (t *ticketResolver) SlaClocks(ctx context.Context) ([]*slaClockResolver, error) {
	return slaClockResolvers(t.r.db.TicketSla(ctx, t.t.ID))
}

// SlaClocks answers Interaction.slaClocks. Whoever may read the
// interaction may read its clocks: they hold no personal data, so
// masking leaves them alone.
func (i *interactionResolver) SlaClocks(ctx context.Context) ([]*slaClockResolver, error) {
	return slaClockResolvers(i.r.db.InteractionSla(ctx, i.i.ID))
}

func slaClockResolvers(clocks []projections.SlaClock, err error) ([]*slaClockResolver, error) {
	if err != nil {
		return nil, err
	}
	out := make([]*slaClockResolver, len(clocks))
	for i, c := range clocks {
		out[i] = &slaClockResolver{c: c}
	}
	return out, nil
}

// slaClockResolver is an SlaClock.
type slaClockResolver struct{ c projections.SlaClock }

func (s *slaClockResolver) Metric() string           { return string(s.c.Metric) }
func (s *slaClockResolver) Cycle() int32             { return int32(s.c.Cycle) }
func (s *slaClockResolver) Policy() string           { return s.c.Policy }
func (s *slaClockResolver) TargetSeconds() float64   { return s.c.Target.Seconds() }
func (s *slaClockResolver) State() string            { return s.c.State }
func (s *slaClockResolver) Deadline() *gql.Time      { return timeOf(s.c.Deadline) }
func (s *slaClockResolver) ConsumedSeconds() float64 { return s.c.Consumed.Seconds() }
func (s *slaClockResolver) Warned() bool             { return s.c.Warned }
func (s *slaClockResolver) Breached() bool           { return s.c.Breached }
