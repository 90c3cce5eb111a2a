package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// aggregate describes how to load and decide one kind of aggregate.
type aggregate[S any, C any] struct {
	stream  func(id string) string
	initial func(id string) S
	evolve  func(S, domain.Event) S
	decide  func(S, C, time.Time) ([]domain.Event, error)
	// ids derives the ids of the events a command writes; nil means
	// eventID. Only aggregates whose events were first written with
	// another derivation set it, so their ids stay what they were.
	ids eventIDs
}

// eventIDs returns how the aggregate's event ids are derived.
func (a aggregate[S, C]) eventIDs() eventIDs {
	if a.ids == nil {
		return eventID
	}
	return a.ids
}

var (
	customers = aggregate[domain.Customer, domain.CustomerCommand]{
		stream:  domain.CustomerStream,
		initial: func(id string) domain.Customer { return domain.Customer{ID: id} },
		evolve:  domain.EvolveCustomer,
		decide:  domain.DecideCustomer,
	}
	interactions = aggregate[domain.Interaction, domain.InteractionCommand]{
		stream:  domain.InteractionStream,
		initial: func(id string) domain.Interaction { return domain.Interaction{ID: id} },
		evolve:  domain.EvolveInteraction,
		decide:  domain.DecideInteraction,
	}
	tickets = aggregate[domain.Ticket, domain.TicketCommand]{
		stream:  domain.TicketStream,
		initial: func(id string) domain.Ticket { return domain.Ticket{ID: id} },
		evolve:  domain.EvolveTicket,
		decide:  domain.DecideTicket,
	}
	agents = aggregate[domain.Agent, domain.AgentCommand]{
		stream:  domain.AgentStream,
		initial: func(id string) domain.Agent { return domain.Agent{ID: id} },
		evolve:  domain.EvolveAgent,
		decide:  domain.DecideAgent,
	}
	// reservations are keyed by stream name (domain.IdentityStream).
	reservations = aggregate[domain.IdentityReservation, domain.ReservationCommand]{
		stream:  func(stream string) string { return stream },
		initial: func(string) domain.IdentityReservation { return domain.IdentityReservation{} },
		evolve:  domain.EvolveReservation,
		decide:  domain.DecideReservation,
	}
	conversations = aggregate[domain.Conversation, domain.OpenConversationInteraction]{
		stream:  func(stream string) string { return stream },
		initial: func(string) domain.Conversation { return domain.Conversation{} },
		evolve:  domain.EvolveConversation,
		decide:  domain.DecideConversation,
	}
	ticketNumbers = aggregate[domain.TicketNumber, domain.ReserveTicketNumber]{
		stream:  domain.TicketNumberStream,
		initial: func(string) domain.TicketNumber { return domain.TicketNumber{} },
		evolve:  domain.EvolveTicketNumber,
		decide:  domain.DecideTicketNumber,
	}
)

// loaded is an aggregate's state and the stream version it was folded to.
type loaded[S any] struct {
	state   S
	version int64 // -1 when the stream does not exist
	// appliedAt is the position of the event whose id load was asked to
	// look for, 0 when the stream does not hold it.
	appliedAt uint64
}

const readPage = 512

// load folds a stream into the aggregate's state. When watch is not the
// nil UUID, it also reports where an event with that id sits in the stream:
// that is how a retried request with an idempotency key recognises that it
// was already applied.
func load[S, C any](ctx context.Context, store eventstore.Store, agg aggregate[S, C], id string, watch uuid.UUID) (loaded[S], error) {
	stream := agg.stream(id)
	out := loaded[S]{state: agg.initial(id), version: -1}
	for {
		page, err := store.ReadStream(ctx, stream, out.version+1, readPage)
		if err != nil {
			return out, fmt.Errorf("load %s: %w", stream, err)
		}
		for _, rec := range page {
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				return out, fmt.Errorf("load %s at version %d: %w", stream, rec.Version, err)
			}
			out.state = agg.evolve(out.state, e)
			out.version = rec.Version
			if rec.ID == watch && watch != uuid.Nil {
				out.appliedAt = rec.Position
			}
		}
		if len(page) < readPage {
			return out, nil
		}
	}
}

// loadExisting loads an aggregate that must exist.
func loadExisting[S, C any](ctx context.Context, h *Handler, agg aggregate[S, C], id string, exists func(S) bool) (S, error) {
	cur, err := load(ctx, h.store, agg, id, uuid.Nil)
	if err != nil {
		return cur.state, err
	}
	if !exists(cur.state) {
		return cur.state, domain.Errorf(domain.ENOTFOUND, "%s does not exist", agg.stream(id))
	}
	return cur.state, nil
}
