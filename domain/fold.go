package domain

import "fmt"

// FoldStream folds the events of one stream into the state of the aggregate
// its name's category says it holds (Customer, Interaction, Ticket, Agent,
// IdentityReservation, TicketNumber, Conversation, SlaClocks, Deliveries,
// Subscription, KnowledgeItem, BusinessContext). It is what replay and audit use to show the state a stream
// had after any prefix of its events.
func FoldStream(stream string, events []Event) (any, error) {
	f, err := NewStreamFolder(stream)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		f.Apply(e)
	}
	return f.State(), nil
}

// StreamFolder folds a stream's events one at a time, so the state after
// each of them is had in one pass (an audit trail's stateAfter).
type StreamFolder struct {
	apply func(Event)
	state func() any
}

// NewStreamFolder returns a folder at the initial state of stream's
// aggregate.
func NewStreamFolder(stream string) (*StreamFolder, error) {
	category, id := StreamCategory(stream)
	switch category {
	case CategoryCustomer:
		return folderOf(Customer{ID: id}, EvolveCustomer), nil
	case CategoryInteraction:
		return folderOf(Interaction{ID: id}, EvolveInteraction), nil
	case CategoryTicket:
		return folderOf(Ticket{ID: id}, EvolveTicket), nil
	case CategoryAgent:
		return folderOf(Agent{ID: id}, EvolveAgent), nil
	case CategoryIdentity:
		return folderOf(IdentityReservation{}, EvolveReservation), nil
	case CategorySla:
		return folderOf(SlaClocks{TicketID: id}, EvolveSla), nil
	case CategoryConversation:
		return folderOf(Conversation{}, EvolveConversation), nil
	case CategoryTicketNumber:
		return folderOf(TicketNumber{}, EvolveTicketNumber), nil
	case CategoryDelivery:
		return folderOf(Deliveries{InteractionID: id}, EvolveDeliveries), nil
	case CategorySubscription:
		return folderOf(Subscription{}, EvolveSubscription), nil
	case CategoryKnowledge:
		return folderOf(KnowledgeItem{ID: id}, EvolveKnowledge), nil
	case CategoryBusinessContext:
		return folderOf(BusinessContext{CustomerID: id}, EvolveBusinessContext), nil
	default:
		return nil, fmt.Errorf("fold %s: unknown stream category %q", stream, category)
	}
}

// Apply evolves the state by one event.
func (f *StreamFolder) Apply(e Event) { f.apply(e) }

// State is the state after the events applied so far. It may share maps
// and slices with the folder's state: encode it before the next Apply.
func (f *StreamFolder) State() any { return f.state() }

func folderOf[S any](state S, evolve func(S, Event) S) *StreamFolder {
	return &StreamFolder{
		apply: func(e Event) { state = evolve(state, e) },
		state: func() any { return state },
	}
}
