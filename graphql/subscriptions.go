package graphql

import (
	"context"

	gql "github.com/graph-gophers/graphql-go"

	"github.com/interactionledger/ledger/graphql/auth"
	"github.com/interactionledger/ledger/projections"
)

// InteractionUpdated streams an interaction each time it changes.
func (r *resolver) InteractionUpdated(ctx context.Context, args struct{ ID gql.ID }) (<-chan *interactionResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadInteractions)
	if err != nil {
		return nil, err
	}
	return stream(ctx, r.hub, topicInteraction+string(args.ID), func(i projections.Interaction) *interactionResolver {
		return r.newInteraction(i, access, nil)
	})
}

// TicketUpdated streams a ticket each time it changes.
func (r *resolver) TicketUpdated(ctx context.Context, args struct{ ID gql.ID }) (<-chan *ticketResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadTickets)
	if err != nil {
		return nil, err
	}
	return stream(ctx, r.hub, topicTicket+string(args.ID), func(t projections.Ticket) *ticketResolver {
		return r.newTicket(t, access, true, nil)
	})
}

// QueueChanged streams a queue each time what waits in it changes.
func (r *resolver) QueueChanged(ctx context.Context, args struct{ Name string }) (<-chan *queueResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadQueues); err != nil {
		return nil, err
	}
	return stream(ctx, r.hub, topicQueue+args.Name, r.newQueue)
}

// AgentPresenceChanged streams an agent each time an agent's presence
// changes or an agent is registered.
func (r *resolver) AgentPresenceChanged(ctx context.Context) (<-chan *agentResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadAgents); err != nil {
		return nil, err
	}
	return stream(ctx, r.hub, topicAgents, func(a projections.Agent) *agentResolver { return &agentResolver{r: r, a: a} })
}

// AgentUpdated streams one agent each time their presence or their open
// interactions change.
func (r *resolver) AgentUpdated(ctx context.Context, args struct{ ID gql.ID }) (<-chan *agentResolver, error) {
	if _, err := auth.Authorize(ctx, auth.OpReadAgents); err != nil {
		return nil, err
	}
	return stream(ctx, r.hub, topicAgent+string(args.ID), func(a projections.Agent) *agentResolver { return &agentResolver{r: r, a: a} })
}

// CallOffered streams the phone calls offered to an agent's phone, at the
// offer and again when the phone rings: the screen pop's feed.
func (r *resolver) CallOffered(ctx context.Context, args struct{ AgentID gql.ID }) (<-chan *interactionResolver, error) {
	access, err := auth.Authorize(ctx, auth.OpReadInteractions)
	if err != nil {
		return nil, err
	}
	return stream(ctx, r.hub, topicCall+string(args.AgentID), func(i projections.Interaction) *interactionResolver {
		return r.newInteraction(i, access, nil)
	})
}

// stream subscribes to topic and turns the entities the hub publishes into
// resolvers, until ctx ends or the hub drops the subscriber; then the
// returned channel closes and the subscription completes.
func stream[E any, R any](ctx context.Context, h *hub, topic string, wrap func(E) R) (<-chan R, error) {
	in, err := h.subscribe(ctx, topic)
	if err != nil {
		return nil, err
	}
	out := make(chan R)
	go func() {
		defer close(out)
		for v := range in {
			e, ok := v.(E)
			if !ok {
				continue
			}
			select {
			case out <- wrap(e):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
