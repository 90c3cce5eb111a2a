package analytics

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// folder turns events into fact rows. It keeps the state of the entities
// (interactions, tickets, QA reviews, customers) it has seen, marks those
// an event changed, and at flush emits one snapshot row per changed entity,
// stamped with the position of the last event folded into it.
//
// Its cache is only a cache: an entity it does not hold (after a restart,
// after eviction) is folded again from its stream, up to the event being
// applied, so the rows it emits depend on the events alone. That is what
// lets a batch be written twice with the same result.
type folder struct {
	loader  streamLoader
	pseudo  *pseudonymizer
	maxKeep int

	interactions map[string]*interactionState
	tickets      map[string]*ticketState
	reviews      map[string]*reviewState
	customers    map[string]*customerState

	dirtyInteractions map[string]bool
	dirtyTickets      map[string]bool
	dirtyReviews      map[string]bool
	dirtyCustomers    map[string]bool
	events            *eventColumns
	transitions       *Columns // fact_ticket_transitions rows of the batch
	templateUses      *Columns // fact_template_uses rows of the batch
	businessFacts     *Columns // fact_business rows of the batch
	contacts          *contactHistory
	// linksMoved holds the interactions whose links the batch's new
	// contacts moved, with the position of the last that did, until their
	// rows are made: a flush that fails part-way (its context ended while
	// it read a stream) leaves them to the next.
	linksMoved map[string]uint64
	last       uint64
	// seenAll is set while the folder has folded every event of the
	// ledger up to last and dropped nothing it folded (a run from the
	// ledger's start, until the cache is dropped): a stream it holds no
	// state of has no events yet, and need not be read to know it.
	seenAll bool
	// batchHint bounds how many events a batch holds; the event columns
	// of the next batch are allocated as large as the last batch was (up
	// to it) rather than grown: large while catching up, small when live.
	batchHint int
}

// streamLoader reads the events of a stream with position < before.
type streamLoader func(ctx context.Context, stream string, before uint64) ([]eventstore.RecordedEvent, error)

func newFolder(loader streamLoader, contacts contactLoader, pseudo *pseudonymizer, maxKeep, batchHint int) *folder {
	f := &folder{
		loader: loader, pseudo: pseudo, maxKeep: maxKeep, batchHint: batchHint,
		contacts: newContactHistory(contacts), linksMoved: map[string]uint64{},
	}
	f.resetCache()
	f.resetDirty(batchHint)
	return f
}

func (f *folder) resetCache() {
	f.seenAll = false
	f.interactions = map[string]*interactionState{}
	f.tickets = map[string]*ticketState{}
	f.reviews = map[string]*reviewState{}
	f.customers = map[string]*customerState{}
}

func (f *folder) resetDirty(capacity int) {
	f.dirtyInteractions = map[string]bool{}
	f.dirtyTickets = map[string]bool{}
	f.dirtyReviews = map[string]bool{}
	f.dirtyCustomers = map[string]bool{}
	f.events = newEventColumns(min(max(capacity, 64), f.batchHint))
	f.transitions = NewColumns(TicketTransitionsTable)
	f.templateUses = NewColumns(TemplateUsesTable)
	f.businessFacts = NewColumns(BusinessFactsTable)
}

// pending is how many events were folded since the last flush.
func (f *folder) pending() int { return f.events.Len() }

// apply folds one event.
func (f *folder) apply(ctx context.Context, e eventstore.LeanEvent) error {
	category, id := domain.StreamCategory(e.Stream)
	fact := eventFact{position: e.Position, at: e.RecordedAt.UnixMilli(), typ: e.Type, category: category, entity: id}
	meta := scanMetadata(e.Metadata)
	fact.channel, fact.actorKind = meta.channel, meta.actorKind
	var err error
	switch category {
	case domain.CategoryInteraction:
		err = f.applyInteraction(ctx, e, id, &fact)
	case domain.CategoryTicket:
		err = f.applyTicket(ctx, e, id, &fact)
	case domain.CategoryCustomer:
		err = f.applyCustomer(ctx, e, id, &fact)
	case domain.CategoryQa:
		err = f.applyReview(ctx, e, id, &fact)
	case domain.CategoryBusinessContext:
		err = f.applyBusinessFact(e, &fact)
	default:
		var data []byte
		if data, err = currentData(e); err == nil {
			if at, ok := scanAt(data); ok {
				fact.at = at.UnixMilli()
			}
		}
	}
	if err != nil {
		return fmt.Errorf("fold %s at position %d (stream %s): %w", e.Type, e.Position, e.Stream, err)
	}
	f.events.add(&fact)
	f.last = e.Position
	return nil
}

// decode decodes an event's data for the sink: the common types through
// the scanners when they can read them (filling only what the folds use),
// anything else through domain.DecodeEvent.
func decode(e eventstore.LeanEvent) (domain.Event, error) {
	if e.Type == "MessageReceived" || e.Type == "MessageSent" {
		if m, ok := scanMessage(e.Type, e.Schema, e.Data); ok {
			if e.Type == "MessageReceived" {
				return domain.MessageReceived{InteractionID: m.interactionID, At: m.at}, nil
			}
			return domain.MessageSent{InteractionID: m.interactionID, At: m.at}, nil
		}
	}
	if ev, ok := fastDecode(e.Type, e.Schema, e.Data); ok {
		return ev, nil
	}
	return domain.DecodeEvent(e.Type, e.Schema, e.Data)
}

// restore folds a stream's events before position into a fresh state
// through fold; it returns the version of the last event folded (-1 for
// none).
func (f *folder) restore(ctx context.Context, stream string, before uint64, fold func(domain.Event, uint64)) (int64, error) {
	recs, err := f.loader(ctx, stream, before)
	if err != nil {
		return 0, fmt.Errorf("reload %s: %w", stream, err)
	}
	version := int64(-1)
	for _, r := range recs {
		ev, err := decode(r.Lean())
		if err != nil {
			return 0, fmt.Errorf("reload %s at version %d: %w", stream, r.Version, err)
		}
		fold(ev, r.Position)
		version = r.Version
	}
	return version, nil
}

// flush returns the rows of everything changed since the last flush and
// forgets the changes; evict keeps the cache within maxKeep.
func (f *folder) flush(ctx context.Context) (*Batch, error) {
	if err := f.linkContacts(ctx); err != nil {
		return nil, fmt.Errorf("link the contacts of the batch ending at %d: %w", f.last, err)
	}
	b := &Batch{Rows: map[*FactTable]*Columns{}, Position: f.last, Events: f.events.Len()}
	b.Rows[EventsTable] = f.events.Columns
	b.Rows[TicketTransitionsTable] = f.transitions
	b.Rows[TemplateUsesTable] = f.templateUses
	b.Rows[BusinessFactsTable] = f.businessFacts
	b.Rows[ContactsTable] = f.contacts.rows()
	b.Rows[InteractionsTable] = NewColumnsCap(InteractionsTable, len(f.dirtyInteractions))
	b.Rows[TicketsTable] = NewColumnsCap(TicketsTable, len(f.dirtyTickets))
	b.Rows[QaTable] = NewColumnsCap(QaTable, len(f.dirtyReviews))
	b.Rows[QaCriteriaTable] = NewColumnsCap(QaCriteriaTable, 8*len(f.dirtyReviews))
	b.Rows[CustomersTable] = NewColumnsCap(CustomersTable, len(f.dirtyCustomers))
	links := newContactLinks()
	for id := range f.dirtyInteractions {
		s := f.interactions[id]
		f.contacts.links(s.customerKey, s.startedAt, links)
		s.appendRow(b.Rows[InteractionsTable], links)
	}
	for id := range f.dirtyTickets {
		f.tickets[id].appendRow(b.Rows[TicketsTable])
	}
	for id := range f.dirtyReviews {
		f.reviews[id].rows(b.Rows[QaTable], b.Rows[QaCriteriaTable])
	}
	for id := range f.dirtyCustomers {
		f.customers[id].appendRow(b.Rows[CustomersTable])
	}
	f.resetDirty(b.Events)
	f.evict()
	return b, nil
}

// evictedShare is the part of the budget evict frees when the cache
// outgrew it: small enough that the entities still in play stay, large
// enough that the sort it costs is paid once per thousands of entities.
const evictedShare = 10 // percent

// evict keeps the cache within maxKeep: when it outgrew it, the contacts
// are forgotten and the entities changed longest ago are dropped, until
// evictedShare of the budget is free. A live sink so keeps what is still
// in play (open interactions, reviews being scored) and its memory levels
// off instead of emptying and refilling. Whatever it drops is folded again
// from its stream when an event touches it, which is why seenAll ends.
func (f *folder) evict() {
	held := len(f.interactions) + len(f.tickets) + len(f.reviews) + len(f.customers)
	if held+f.contacts.size <= f.maxKeep {
		return
	}
	f.seenAll = false
	f.contacts.forget(f.last)
	keep := max(f.maxKeep*(100-evictedShare)/100, 0)
	if held <= keep {
		return
	}
	changed := make([]uint64, 0, held)
	changed = appendPositions(changed, f.interactions)
	changed = appendPositions(changed, f.tickets)
	changed = appendPositions(changed, f.reviews)
	changed = appendPositions(changed, f.customers)
	slices.Sort(changed)
	cutoff := changed[held-keep-1] // dropping up to it drops held-keep or more (ties)
	dropChangedBy(f.interactions, cutoff)
	dropChangedBy(f.tickets, cutoff)
	dropChangedBy(f.reviews, cutoff)
	dropChangedBy(f.customers, cutoff)
}

// folded is an entity's state: lastPosition is that of the last event
// folded into it.
type folded interface{ lastPosition() uint64 }

func (s *interactionState) lastPosition() uint64 { return s.pos }
func (s *ticketState) lastPosition() uint64      { return s.pos }
func (s *reviewState) lastPosition() uint64      { return s.pos }
func (s *customerState) lastPosition() uint64    { return s.pos }

func appendPositions[S folded](to []uint64, m map[string]S) []uint64 {
	for _, s := range m {
		to = append(to, s.lastPosition())
	}
	return to
}

// dropChangedBy drops the entities whose last event is at cutoff or before.
func dropChangedBy[S folded](m map[string]S, cutoff uint64) {
	maps.DeleteFunc(m, func(_ string, s S) bool { return s.lastPosition() <= cutoff })
}

// linkContacts adds the contacts started in the batch to their customers'
// (read back first where the sink does not hold them, as it does not for
// the customers of the batch's other interactions either) and marks the
// interactions whose links they moved, stamped with the position of the
// contact that moved them.
func (f *folder) linkContacts(ctx context.Context) error {
	missing := map[int64]bool{}
	for _, s := range f.contacts.started {
		if !f.contacts.holds(s.customer) {
			missing[s.customer] = true
		}
	}
	for id := range f.dirtyInteractions {
		if k := f.interactions[id].customerKey; !f.contacts.holds(k) {
			missing[k] = true
		}
	}
	if err := f.contacts.ensure(ctx, missing); err != nil {
		return err
	}
	f.contacts.addStarted(func(id string, position uint64) { f.linksMoved[id] = max(f.linksMoved[id], position) })
	for id, position := range f.linksMoved {
		s, err := f.interaction(ctx, id, -1, f.last+1)
		if err != nil {
			return err
		}
		s.linkedAt = max(s.linkedAt, position)
		f.dirtyInteractions[id] = true
		delete(f.linksMoved, id)
	}
	return nil
}

// eventFact is one row of fact_events.
type eventFact struct {
	position    uint64
	at          int64
	typ         string
	category    string
	entity      string
	channel     string
	actorKind   string
	customerKey int64
	ticketCat   string
}

// eventColumns are fact_events' columns, appended to without boxing.
type eventColumns struct {
	*Columns
	position, at, customerKey, version                   *[]int64
	typ, category, entity, channel, actorKind, ticketCat *[]string
}

func newEventColumns(capacity int) *eventColumns {
	c := &eventColumns{Columns: NewColumnsCap(EventsTable, capacity)}
	ints := func(i int) *[]int64 { return &c.Ints[i] }
	strs := func(i int) *[]string { return &c.Strs[i] }
	// Column order as in EventsTable.
	c.position, c.at, c.typ, c.category, c.entity = ints(0), ints(1), strs(2), strs(3), strs(4)
	c.channel, c.actorKind, c.customerKey, c.ticketCat, c.version = strs(5), strs(6), ints(7), strs(8), ints(9)
	return c
}

func (c *eventColumns) add(e *eventFact) {
	*c.position = append(*c.position, int64(e.position))
	*c.at = append(*c.at, e.at)
	*c.typ = append(*c.typ, e.typ)
	*c.category = append(*c.category, e.category)
	*c.entity = append(*c.entity, e.entity)
	*c.channel = append(*c.channel, e.channel)
	*c.actorKind = append(*c.actorKind, e.actorKind)
	*c.customerKey = append(*c.customerKey, e.customerKey)
	*c.ticketCat = append(*c.ticketCat, e.ticketCat)
	*c.version = append(*c.version, int64(e.position))
	c.n++
}

func ms(t interface{ UnixMilli() int64 }) int64 { return t.UnixMilli() }

// eventTime is an event's business time (its "at") in epoch milliseconds,
// or its commit time when it has none.
func eventTime(ev domain.Event, e eventstore.LeanEvent) int64 {
	switch ev := ev.(type) {
	case domain.MessageReceived:
		return ms(ev.At)
	case domain.MessageSent:
		return ms(ev.At)
	}
	if data, err := currentData(e); err == nil { // ev decoded, so its data upcasts
		if at, ok := scanAt(data); ok {
			return at.UnixMilli()
		}
	}
	return e.RecordedAt.UnixMilli()
}
