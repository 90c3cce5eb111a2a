package analytics

import (
	"context"
	"fmt"
	"sort"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// interactionState is an interaction's fact row under construction.
type interactionState struct {
	version                                   int64 // stream version folded
	pos                                       uint64
	id                                        string
	customerKey                               int64
	channel, queue, firstQueue, priority      string
	agent, status, disposition                string
	startedAt, arrivedAt, answeredAt, endedAt int64
	abandoned, csat, messagesIn, messagesOut  int64
	transfers, templateReplies                int64
	summaryDrafted, summaryEdited             bool
	// linkedAt is the position of the last contact of the same customer
	// that moved this one's links (see contacts.go); the row's version is
	// the later of it and pos.
	linkedAt uint64
}

func (s *interactionState) fold(e domain.Event, pos uint64, pseudo *pseudonymizer) {
	s.pos = pos
	switch e := e.(type) {
	case domain.InteractionStarted:
		*s = interactionState{
			pos: pos, id: e.InteractionID, customerKey: pseudo.key(e.CustomerID), channel: string(e.Channel),
			priority: string(domain.PriorityNormal), status: string(domain.InteractionStatusActive),
			startedAt: ms(e.At), arrivedAt: ms(e.At),
		}
	case domain.InteractionQueued:
		s.queue, s.priority, s.agent, s.status = e.Queue, string(e.Priority), "", string(domain.InteractionStatusQueued)
		if s.firstQueue == "" {
			s.firstQueue, s.arrivedAt = e.Queue, ms(e.At)
		}
	case domain.InteractionAssigned:
		s.agent, s.status = e.AgentID, string(domain.InteractionStatusAssigned)
	case domain.InteractionTransferred:
		s.transfers++
		if e.ToQueue != "" {
			s.queue, s.agent, s.status = e.ToQueue, "", string(domain.InteractionStatusQueued)
		} else {
			s.agent = e.ToAgentID
		}
	case domain.CallAnswered:
		if s.answeredAt == 0 {
			s.answeredAt = ms(e.At)
		}
	case domain.MessageReceived:
		s.messagesIn++
	case domain.MessageSent:
		s.messagesOut++
		if s.answeredAt == 0 && s.channel != string(domain.ChannelPhone) {
			s.answeredAt = ms(e.At)
		}
	case domain.InteractionAbandoned:
		s.status, s.disposition, s.endedAt, s.abandoned = string(domain.InteractionStatusAbandoned), string(domain.DispositionAbandoned), ms(e.At), 1
	case domain.ReplyTemplateUsed:
		s.templateReplies++
	case domain.InteractionClosed:
		s.status, s.disposition, s.endedAt = string(domain.InteractionStatusClosed), string(e.Disposition), ms(e.At)
		if e.AgentID != "" {
			s.agent = e.AgentID
		}
		s.summaryDrafted, s.summaryEdited = e.SummaryDrafted, e.SummaryEdited
	case domain.CsatRecorded:
		s.csat = int64(e.Score)
	}
}

func (s *interactionState) appendRow(c *Columns, links *contactLinks) {
	handled, resolved, unresolved := int64(0), int64(0), int64(0)
	if s.status == string(domain.InteractionStatusClosed) && s.answeredAt > 0 {
		handled = 1
	}
	if s.disposition == string(domain.DispositionResolved) {
		resolved = 1
	}
	ended := s.status == string(domain.InteractionStatusClosed) || s.status == string(domain.InteractionStatusAbandoned)
	if ended && resolved == 0 {
		unresolved = 1
	}
	w := c.Row().S(s.id).I(s.customerKey).S(s.channel).S(s.queue).S(s.priority).S(s.agent).S(s.status).S(s.disposition).
		I(s.startedAt).I(s.arrivedAt).I(s.answeredAt).I(s.endedAt).I(s.abandoned).I(handled).I(resolved).I(s.csat).
		I(s.messagesIn).I(s.messagesOut).I(s.transfers).I(s.templateReplies).I(flag(s.summaryDrafted)).I(flag(s.summaryEdited)).
		I(unresolved).I(links.prev).I(links.next)
	for _, at := range links.nextOn {
		w = w.I(at)
	}
	w.I(int64(max(s.pos, s.linkedAt))).End()
}

// flag is a boolean as a 0/1 column.
func flag(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// interaction returns the state of interaction id as of just before
// position, from the cache or folded from its stream.
func (f *folder) interaction(ctx context.Context, id string, version int64, before uint64) (*interactionState, error) {
	if s, ok := f.interactions[id]; ok && (version < 0 || s.version == version-1) {
		return s, nil
	}
	s := &interactionState{}
	if version == 0 {
		f.interactions[id] = s
		return s, nil
	}
	if version < 0 && f.seenAll { // no event of it yet: nothing to read
		s.version = -1
		f.interactions[id] = s
		return s, nil
	}
	v, err := f.restore(ctx, domain.InteractionStream(id), before, func(e domain.Event, pos uint64) { s.fold(e, pos, f.pseudo) })
	if err != nil {
		return nil, err
	}
	s.version = v
	f.interactions[id] = s
	return s, nil
}

func (f *folder) applyInteraction(ctx context.Context, e eventstore.LeanEvent, id string, fact *eventFact) error {
	ev, err := decode(e)
	if err != nil {
		return err
	}
	s, err := f.interaction(ctx, id, e.Version, e.Position)
	if err != nil {
		return err
	}
	s.fold(ev, e.Position, f.pseudo)
	s.version = e.Version
	switch ev := ev.(type) {
	case domain.InteractionStarted:
		f.contacts.start(s.customerKey, newContact(s.startedAt, e.Position, id, s.channel))
	case domain.ReplyTemplateUsed:
		f.templateUses.Row().S(id).I(int64(e.Position)).S(ev.MessageID).S(ev.TemplateID).I(int64(ev.Version)).S(ev.Category).
			S(ev.AgentID).I(ms(ev.At)).I(int64(e.Position)).End()
	}
	f.dirtyInteractions[id] = true
	fact.at, fact.channel, fact.customerKey = eventTime(ev, e), s.channel, s.customerKey
	return nil
}

// ticketState is a ticket's fact row under construction.
type ticketState struct {
	version                               int64
	pos                                   uint64
	id                                    string
	customerKey                           int64
	category, priority, domain, status    string
	assignee, channel, queue              string
	openedAt, firstResolvedAt, resolvedAt int64
	closedAt, reopens                     int64
}

func (s *ticketState) fold(e domain.Event, pos uint64, pseudo *pseudonymizer) {
	s.pos = pos
	switch e := e.(type) {
	case domain.TicketOpened:
		*s = ticketState{
			pos: pos, id: e.TicketID, customerKey: pseudo.key(e.CustomerID), category: string(e.Category),
			priority: string(e.Priority), domain: e.BusinessDomain, status: string(domain.TicketStatusNew), openedAt: ms(e.At),
		}
	case domain.TicketAssigned:
		s.assignee = e.AgentID
		if s.status == string(domain.TicketStatusNew) || s.status == string(domain.TicketStatusReopened) {
			s.status = string(domain.TicketStatusAssigned)
		}
	case domain.TicketStatusChanged:
		s.status = string(e.To)
	case domain.TicketPriorityChanged:
		s.priority = string(e.To)
	case domain.TicketResolved:
		s.status, s.resolvedAt = string(domain.TicketStatusResolved), ms(e.At)
		if s.firstResolvedAt == 0 {
			s.firstResolvedAt = ms(e.At)
		}
	case domain.TicketReopened:
		s.status, s.resolvedAt = string(domain.TicketStatusReopened), 0
		s.reopens++
	case domain.TicketClosed:
		s.status, s.closedAt = string(domain.TicketStatusClosed), ms(e.At)
	}
}

func (s *ticketState) appendRow(c *Columns) {
	c.Row().S(s.id).I(s.customerKey).S(s.category).S(s.priority).S(s.domain).S(s.status).S(s.assignee).S(s.channel).S(s.queue).
		I(s.openedAt).I(s.firstResolvedAt).I(s.resolvedAt).I(s.closedAt).I(s.reopens).I(int64(s.pos)).End()
}

func (f *folder) applyTicket(ctx context.Context, e eventstore.LeanEvent, id string, fact *eventFact) error {
	ev, err := decode(e)
	if err != nil {
		return err
	}
	s, ok := f.tickets[id]
	if !ok || s.version != e.Version-1 {
		s = &ticketState{}
		if e.Version > 0 {
			v, err := f.restore(ctx, domain.TicketStream(id), e.Position, func(ev domain.Event, pos uint64) { s.fold(ev, pos, f.pseudo) })
			if err != nil {
				return err
			}
			s.version = v
			if err := f.ticketOrigin(ctx, s, ev, e.Position); err != nil {
				return err
			}
		}
		f.tickets[id] = s
	}
	s.fold(ev, e.Position, f.pseudo)
	s.version = e.Version
	if open, ok := ev.(domain.TicketOpened); ok {
		if err := f.ticketOrigin(ctx, s, open, e.Position); err != nil {
			return err
		}
	}
	f.dirtyTickets[id] = true
	fact.at, fact.customerKey, fact.ticketCat = eventTime(ev, e), s.customerKey, s.category
	f.addTransition(ev, e.Position, fact.at)
	return nil
}

// addTransition records an event that opens, reopens or resolves a
// ticket, for the backlog.
func (f *folder) addTransition(ev domain.Event, position uint64, at int64) {
	var opened, reopened, resolved int64
	switch ev.(type) {
	case domain.TicketOpened:
		opened = 1
	case domain.TicketReopened:
		reopened = 1
	case domain.TicketResolved:
		resolved = 1
	default:
		return
	}
	f.transitions.Row().I(int64(position)).I(at).I(opened).I(reopened).I(resolved).I(int64(position)).End()
}

// ticketOrigin copies the channel and first queue of the interaction a
// ticket was opened from; both are fixed once set, so the ticket's row does
// not depend on when its interaction was read. On a reload the opening
// event is found again in the ticket's stream.
func (f *folder) ticketOrigin(ctx context.Context, s *ticketState, ev domain.Event, before uint64) error {
	open, ok := ev.(domain.TicketOpened)
	if !ok {
		recs, err := f.loader(ctx, domain.TicketStream(s.id), before)
		if err != nil || len(recs) == 0 {
			return err
		}
		first, err := decode(recs[0].Lean())
		if err != nil {
			return err
		}
		if open, ok = first.(domain.TicketOpened); !ok {
			return fmt.Errorf("ticket %s does not start with TicketOpened", s.id)
		}
	}
	if open.InteractionID == "" {
		return nil
	}
	ix, err := f.interaction(ctx, open.InteractionID, -1, before)
	if err != nil {
		return err
	}
	s.channel, s.queue = ix.channel, ix.firstQueue
	return nil
}

// reviewState is an interaction's QA review.
type reviewState struct {
	version int64
	pos     uint64
	cards   map[string]*reviewCard
}

type reviewCard struct {
	scored    domain.QaScored
	overrides int64
	pos       uint64
}

func (s *reviewState) fold(e domain.Event, pos uint64) {
	s.pos = pos
	if s.cards == nil {
		s.cards = map[string]*reviewCard{}
	}
	switch e := e.(type) {
	case domain.QaScored:
		s.cards[e.ScorecardID] = &reviewCard{scored: e, pos: pos}
	case domain.QaOverridden:
		if c, ok := s.cards[e.ScorecardID]; ok {
			c.scored.Results = domain.ApplyQaOverride(c.scored.Results, e)
			c.scored.Score = e.Score
			c.overrides++
			c.pos = pos
		}
	}
}

func (s *reviewState) rows(qa, criteria *Columns) {
	ids := make([]string, 0, len(s.cards))
	for id := range s.cards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c := s.cards[id]
		sc := c.scored
		passed, failed := int64(0), int64(0)
		for _, r := range sc.Results {
			switch r.Result {
			case domain.QaPass:
				passed++
			case domain.QaFail:
				failed++
			}
			overridden := int64(0)
			if r.Overridden {
				overridden = 1
			}
			criteria.Row().S(sc.InteractionID).S(id).S(r.CriterionID).S(string(r.Kind)).S(sc.AgentID).S(sc.Team).S(string(sc.Channel)).S(sc.Queue).
				I(ms(sc.ClosedAt)).S(string(r.Result)).I(overridden).I(int64(c.pos)).End()
		}
		qa.Row().S(sc.InteractionID).S(id).S(sc.AgentID).S(sc.Team).S(string(sc.Channel)).S(sc.Queue).I(ms(sc.ClosedAt)).I(ms(sc.At)).
			I(int64(sc.Score)).I(passed).I(failed).I(c.overrides).I(int64(c.pos)).End()
	}
}

func (f *folder) applyReview(ctx context.Context, e eventstore.LeanEvent, id string, fact *eventFact) error {
	ev, err := decode(e)
	if err != nil {
		return err
	}
	s, ok := f.reviews[id]
	if !ok || s.version != e.Version-1 {
		s = &reviewState{}
		if e.Version > 0 {
			v, err := f.restore(ctx, domain.QaStream(id), e.Position, s.fold)
			if err != nil {
				return err
			}
			s.version = v
		}
		f.reviews[id] = s
	}
	s.fold(ev, e.Position)
	s.version = e.Version
	f.dirtyReviews[id] = true
	fact.at = eventTime(ev, e)
	if sc, ok := ev.(domain.QaScored); ok {
		fact.channel = string(sc.Channel)
	}
	return nil
}

// customerState is a customer's pseudonymised dimension row.
type customerState struct {
	version               int64
	pos                   uint64
	key                   int64
	tier                  string
	firstSeen, mergedInto int64
}

func (s *customerState) fold(e domain.Event, pos uint64, pseudo *pseudonymizer) {
	s.pos = pos
	switch e := e.(type) {
	case domain.CustomerRegistered:
		s.tier, s.firstSeen = string(e.Tier), ms(e.At)
	case domain.CustomerTierChanged:
		s.tier = string(e.To)
	case domain.CustomerMerged:
		s.mergedInto = pseudo.key(e.TargetID)
	case domain.CustomerMergeUndone:
		s.mergedInto = 0
	}
}

func (s *customerState) appendRow(c *Columns) {
	c.Row().I(s.key).S(s.tier).I(s.firstSeen).I(s.mergedInto).I(int64(s.pos)).End()
}

func (f *folder) applyCustomer(ctx context.Context, e eventstore.LeanEvent, id string, fact *eventFact) error {
	ev, err := decode(e)
	if err != nil {
		return err
	}
	s, ok := f.customers[id]
	if !ok || s.version != e.Version-1 {
		s = &customerState{key: f.pseudo.key(id)}
		if e.Version > 0 {
			v, err := f.restore(ctx, domain.CustomerStream(id), e.Position, func(ev domain.Event, pos uint64) { s.fold(ev, pos, f.pseudo) })
			if err != nil {
				return err
			}
			s.version = v
		}
		f.customers[id] = s
	}
	s.fold(ev, e.Position, f.pseudo)
	s.version = e.Version
	f.dirtyCustomers[id] = true
	fact.at, fact.customerKey = eventTime(ev, e), s.key
	return nil
}

// applyBusinessFact writes the fact's row: each BusinessFactRecorded is
// the fact's whole current version, so nothing is restored or cached. The
// attributes (personal) and the external id stay out.
func (f *folder) applyBusinessFact(e eventstore.LeanEvent, fact *eventFact) error {
	ev, err := decode(e)
	if err != nil {
		return err
	}
	d, ok := ev.(domain.BusinessFactRecorded)
	if !ok {
		return nil
	}
	effective := int64(0)
	if !d.EffectiveAt.IsZero() {
		effective = ms(d.EffectiveAt)
	}
	customer := f.pseudo.key(d.CustomerID)
	at := eventTime(ev, e)
	f.businessFacts.Row().I(f.pseudo.key("fact|" + string(d.Kind) + "|" + d.Source + "|" + d.ExternalID)).I(customer).
		S(string(d.Kind)).S(d.Source).S(string(d.Tier)).I(effective).I(at).I(d.Version).I(int64(e.Position)).End()
	fact.at, fact.customerKey = at, customer
	return nil
}
