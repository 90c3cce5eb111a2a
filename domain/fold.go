package domain

import "fmt"

// FoldStream folds the events of one stream into the state of the aggregate
// its name's category says it holds (Customer, Interaction, Ticket, Agent,
// IdentityReservation, TicketNumber, Conversation, SlaClocks, Deliveries,
// Subscription). It is what replay and audit use to show the state a stream
// had after any prefix of its events.
func FoldStream(stream string, events []Event) (any, error) {
	category, id := StreamCategory(stream)
	switch category {
	case CategoryCustomer:
		return fold(Customer{ID: id}, EvolveCustomer, events), nil
	case CategoryInteraction:
		return fold(Interaction{ID: id}, EvolveInteraction, events), nil
	case CategoryTicket:
		return fold(Ticket{ID: id}, EvolveTicket, events), nil
	case CategoryAgent:
		return fold(Agent{ID: id}, EvolveAgent, events), nil
	case CategoryIdentity:
		return fold(IdentityReservation{}, EvolveReservation, events), nil
	case CategorySla:
		return fold(SlaClocks{TicketID: id}, EvolveSla, events), nil
	case CategoryConversation:
		return fold(Conversation{}, EvolveConversation, events), nil
	case CategoryTicketNumber:
		return fold(TicketNumber{}, EvolveTicketNumber, events), nil
	case CategoryDelivery:
		return fold(Deliveries{InteractionID: id}, EvolveDeliveries, events), nil
	case CategorySubscription:
		return fold(Subscription{}, EvolveSubscription, events), nil
	default:
		return nil, fmt.Errorf("fold %s: unknown stream category %q", stream, category)
	}
}

func fold[S any](state S, evolve func(S, Event) S, events []Event) S {
	for _, e := range events {
		state = evolve(state, e)
	}
	return state
}
