package commands

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
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
	// clone deep-copies a state (see cache.go); nil when S holds no
	// maps, slices or pointers, so that a copy of the value is enough.
	clone func(S) S
	// customer is the customer whose data key seals the personal fields
	// of the aggregate's events, from the state after them; nil for
	// aggregates whose events hold no personal data.
	customer func(S) string
}

// copyState returns a copy of s that shares nothing with it.
func (a aggregate[S, C]) copyState(s S) S {
	if a.clone == nil {
		return s
	}
	return a.clone(s)
}

// customerOf returns the customer whose key seals events leading to s.
func (a aggregate[S, C]) customerOf(s S) string {
	if a.customer == nil {
		return ""
	}
	return a.customer(s)
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
		stream:   domain.CustomerStream,
		initial:  func(id string) domain.Customer { return domain.Customer{ID: id} },
		evolve:   domain.EvolveCustomer,
		clone:    domain.Customer.Clone,
		decide:   domain.DecideCustomer,
		customer: func(c domain.Customer) string { return c.ID },
	}
	interactions = aggregate[domain.Interaction, domain.InteractionCommand]{
		stream:   domain.InteractionStream,
		initial:  func(id string) domain.Interaction { return domain.Interaction{ID: id} },
		evolve:   domain.EvolveInteraction,
		clone:    domain.Interaction.Clone,
		decide:   domain.DecideInteraction,
		customer: func(i domain.Interaction) string { return i.CustomerID },
	}
	tickets = aggregate[domain.Ticket, domain.TicketCommand]{
		stream:   domain.TicketStream,
		initial:  func(id string) domain.Ticket { return domain.Ticket{ID: id} },
		evolve:   domain.EvolveTicket,
		clone:    domain.Ticket.Clone,
		decide:   domain.DecideTicket,
		customer: func(t domain.Ticket) string { return t.CustomerID },
	}
	agents = aggregate[domain.Agent, domain.AgentCommand]{
		stream:  domain.AgentStream,
		initial: func(id string) domain.Agent { return domain.Agent{ID: id} },
		evolve:  domain.EvolveAgent,
		clone:   domain.Agent.Clone,
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
	// ids are the stream's idempotency-derived event ids up to version,
	// as far as they are remembered (cache.go).
	ids seenIDs
}

const readPage = 512

// load folds a stream into the aggregate's state. When watch is not the
// nil UUID, it also reports where an event with that id sits in the stream:
// that is how a retried request with an idempotency key recognises that it
// was already applied.
//
// It starts from the handler's cached state of the stream when there is
// one, and reads only the events after it; when watch is set and the
// entry cannot tell whether the stream holds it, it reads the whole
// stream. What it read is cached (a copy: the caller owns the state it
// gets).
func load[S, C any](ctx context.Context, h *Handler, agg aggregate[S, C], id string, watch uuid.UUID) (loaded[S], error) {
	stream := agg.stream(id)
	out := loaded[S]{state: agg.initial(id), version: -1}
	cached := false
	if e, ok := h.cache.get(stream); ok {
		state, typed := e.state.(S)
		var (
			at    uint64
			known = true
		)
		if watch != uuid.Nil {
			at, known = e.ids.find(watch)
		}
		switch {
		case !typed:
			h.metrics.cacheMisses.WithLabelValues("absent").Inc()
		case !known:
			h.metrics.cacheMisses.WithLabelValues("idempotency").Inc()
		default:
			h.metrics.cacheHits.Inc()
			cached = true
			out = loaded[S]{state: agg.copyState(state), version: e.version, ids: e.ids, appliedAt: at}
		}
	} else if h.cache != nil {
		h.metrics.cacheMisses.WithLabelValues("absent").Inc()
	}
	read := 0
	var seen []seenID
	for {
		page, err := h.store.ReadStream(ctx, stream, out.version+1, readPage)
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
			if derived(rec.ID) {
				seen = append(seen, seenID{id: rec.ID, version: rec.Version, position: rec.Position})
			}
			if rec.ID == watch && watch != uuid.Nil {
				out.appliedAt = rec.Position
			}
		}
		read += len(page)
		if len(page) < readPage {
			break
		}
	}
	out.ids = out.ids.extend(seen)
	if h.cache != nil && (read > 0 || !cached) {
		h.cache.put(&cacheEntry{stream: stream, state: agg.copyState(out.state), version: out.version, ids: out.ids})
	}
	return out, nil
}

// remember caches the state an append confirmed: the events the command
// decided on cur, appended as res, make state at res.Version. It stores
// nothing unless the events landed right after cur (the store answers a
// repeated append of stored events with the original result, which may
// lie elsewhere in the stream).
func remember[S, C any](h *Handler, agg aggregate[S, C], cur loaded[S], state S, res Result, first uint64, ids []uuid.UUID) {
	if h.cache == nil || res.Version != cur.version+int64(len(ids)) || len(ids) == 0 {
		return
	}
	seen := cur.ids
	if first == 0 || res.Position < first || res.Position-first != uint64(len(ids)-1) {
		// The store's contract gives each append a gap-free run of
		// positions; without one, where the events sit is unknown: forget
		// the derived ids up to here instead of guessing (a retried
		// request then reads the whole stream).
		seen = seenIDs{from: res.Version + 1}
	} else {
		more := make([]seenID, len(ids))
		for i, id := range ids {
			more[i] = seenID{id: id, version: cur.version + 1 + int64(i), position: first + uint64(i)}
		}
		seen = seen.extend(more)
	}
	h.cache.put(&cacheEntry{stream: res.Stream, state: agg.copyState(state), version: res.Version, ids: seen})
}

// loadExisting loads an aggregate that must exist.
func loadExisting[S, C any](ctx context.Context, h *Handler, agg aggregate[S, C], id string, exists func(S) bool) (S, error) {
	cur, err := load(ctx, h, agg, id, uuid.Nil)
	if err != nil {
		return cur.state, err
	}
	if !exists(cur.state) {
		return cur.state, domain.Errorf(domain.ENOTFOUND, "%s does not exist", agg.stream(id))
	}
	return cur.state, nil
}
