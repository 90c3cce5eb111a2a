package graphql

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/internal/tracing"
	"github.com/interactionledger/ledger/projections"
)

// Subscription topics: what a subscriber listens to.
const (
	topicInteraction = "interaction:" // + id
	topicTicket      = "ticket:"      // + id
	topicQueue       = "queue:"       // + name
	topicAgents      = "agents"
	topicAgent       = "agent:" // + id: presence and open interactions
	topicCall        = "call:"  // + agent id: calls offered to the agent's phone
)

// callEvents are the events that offer a call to an agent's phone, before
// the agent answers.
var callEvents = map[string]bool{"CallOffered": true, "CallRingingStarted": true}

// queueEvents are the interaction events that change what waits in a
// queue.
var queueEvents = map[string]bool{
	"InteractionQueued": true, "InteractionAssigned": true, "InteractionTransferred": true,
	"InteractionAbandoned": true, "InteractionClosed": true,
}

// hub follows the ledger for every subscription at once: one reader of
// $all fans each event out to the subscribers of the entity it changed.
// For each batch it first waits until the projections applied it, then
// reads each changed entity once from the read models and hands it to
// every subscriber, so no subscriber ever gets an entity older than the
// event that announced it. A subscriber whose buffer is full is dropped
// (its channel closed) rather than allowed to hold up the others.
type hub struct {
	store  eventstore.Store
	db     *projections.ReadDB
	waiter Waiter
	now    func() time.Time
	log    *slog.Logger
	buffer int
	// alertsMax is how many SLA alerts an update holds: MaxFirst, the
	// most a subscriber may ask for.
	alertsMax int
	metrics   *metrics
	// followMetrics are the metrics of the hub's follower.
	followMetrics *follow.Metrics

	mu        sync.Mutex
	subs      map[string]map[*subscriber]struct{}
	queueSigs map[string]string // what waited in each queue when last published
	workSigs  map[string]string // each listened agent's open interactions when last published
	alertsSig string            // the SLA alerts when last published
}

// subscriber is one subscription's mailbox.
type subscriber struct {
	ch chan any
	// after is the ledger's head when it subscribed: it gets the updates
	// of later events only.
	after uint64
}

func newHub(store eventstore.Store, db *projections.ReadDB, waiter Waiter, now func() time.Time, log *slog.Logger, buffer, alertsMax int, m *metrics) *hub {
	return &hub{store: store, db: db, waiter: waiter, now: now, log: log, buffer: buffer, alertsMax: alertsMax, metrics: m,
		subs: map[string]map[*subscriber]struct{}{}, queueSigs: map[string]string{}, workSigs: map[string]string{}}
}

// subscribe registers a subscriber to topic until ctx ends, and returns
// its channel of entities (projections.Interaction, .Ticket, .Queue or
// .Agent); the channel is closed when ctx ends or the subscriber is
// dropped for being slow.
func (h *hub) subscribe(ctx context.Context, topic string) (<-chan any, error) {
	head, err := h.store.HeadPosition(ctx)
	if err != nil {
		return nil, err
	}
	if name, ok := strings.CutPrefix(topic, topicQueue); ok {
		h.rememberQueue(ctx, name)
	}
	if id, ok := strings.CutPrefix(topic, topicAgent); ok {
		h.rememberWork(ctx, id)
	}
	if topic == topicSlaAlerts {
		h.rememberAlerts(ctx)
	}
	s := &subscriber{ch: make(chan any, h.buffer), after: head}
	h.mu.Lock()
	if h.subs[topic] == nil {
		h.subs[topic] = map[*subscriber]struct{}{}
	}
	h.subs[topic][s] = struct{}{}
	h.mu.Unlock()
	h.metrics.subscriptions.Inc()
	go func() {
		<-ctx.Done()
		h.remove(topic, s)
	}()
	return s.ch, nil
}

// rememberQueue records what waits in a queue now, so its first update is
// a real change.
func (h *hub) rememberQueue(ctx context.Context, name string) {
	queues, err := h.db.Queues(ctx, h.now())
	if err != nil {
		return // the first update will then be sent unconditionally
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, q := range queues {
		if q.Name == name {
			h.queueSigs[name] = queueSignature(q)
		}
	}
}

// rememberWork records an agent's open interactions now, so their first
// update is a real change.
func (h *hub) rememberWork(ctx context.Context, id string) {
	list, err := h.db.AgentWork(ctx, id)
	if err != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.workSigs[id] = workSignature(list)
}

// rememberAlerts records the SLA alerts now, so the first update is a
// real change.
func (h *hub) rememberAlerts(ctx context.Context) {
	alerts, err := h.db.SlaAlerts(ctx, h.now(), h.alertsMax)
	if err != nil {
		return // the first update will then be sent unconditionally
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.alertsSig = alertsSignature(alerts)
}

// remove unregisters s and closes its channel, once.
func (h *hub) remove(topic string, s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(topic, s)
}

func (h *hub) removeLocked(topic string, s *subscriber) {
	set := h.subs[topic]
	if _, ok := set[s]; !ok {
		return
	}
	delete(set, s)
	if len(set) == 0 {
		delete(h.subs, topic)
		if id, ok := strings.CutPrefix(topic, topicAgent); ok {
			delete(h.workSigs, id)
		}
	}
	close(s.ch)
	h.metrics.subscriptions.Dec()
}

// publish hands v, caused by the event at position, to topic's
// subscribers that subscribed before it; a full mailbox drops its
// subscriber.
func (h *hub) publish(topic string, position uint64, v any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[topic] {
		if position <= s.after {
			continue
		}
		select {
		case s.ch <- v:
		default:
			h.log.Warn("dropping a slow subscriber", "topic", topic)
			h.metrics.dropped.Inc()
			h.removeLocked(topic, s)
		}
	}
}

// listened reports whether topic has subscribers.
func (h *hub) listened(topic string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[topic]) > 0
}

// listenedAgents returns the ids of the agents with agentUpdated
// subscribers.
func (h *hub) listenedAgents() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []string
	for topic := range h.subs {
		if id, ok := strings.CutPrefix(topic, topicAgent); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// listenedPrefix reports whether any topic starting with prefix has
// subscribers.
func (h *hub) listenedPrefix(prefix string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for topic := range h.subs {
		if strings.HasPrefix(topic, prefix) {
			return true
		}
	}
	return false
}

// listenedQueues returns the names of the queues with subscribers.
func (h *hub) listenedQueues() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var names []string
	for topic := range h.subs {
		if name, ok := strings.CutPrefix(topic, topicQueue); ok {
			names = append(names, name)
		}
	}
	return names
}

// run follows $all from the head until ctx ends, on a follower that is
// not a singleton (every node serves its own subscribers) and keeps its
// position in memory: a subscriber only wants what happens while it
// listens.
func (h *hub) run(ctx context.Context) {
	f, err := follow.New(follow.Config[eventstore.LeanEvent]{
		Name: "subscriptions", Store: h.store, Source: follow.Lean, Consumer: h,
		Checkpoint: &follow.MemoryCheckpoint{}, Delivery: follow.AtLeastOnce, StartAtHead: true,
		Metrics: h.followMetrics, Logger: h.log,
	})
	if err == nil {
		err = f.Run(ctx)
	}
	if err != nil {
		h.log.Error("subscription hub stopped", "err", err)
	}
}

// Handle publishes what a batch of events changed.
func (h *hub) Handle(ctx context.Context, events []eventstore.LeanEvent) error {
	h.dispatch(ctx, events)
	return nil
}

// changes is what one batch of events changed, by topic, with the
// position of the last event that changed each.
type changes struct {
	interactions, tickets, agents map[string]uint64
	// calls is the interactions offered to (or ringing at) an agent's
	// phone, when someone listens for offered calls.
	calls map[string]uint64
	// agent is the agents with agentUpdated subscribers whose presence
	// changed.
	agent  map[string]uint64
	queues uint64 // last event that changed a queue, 0 if none
	// work is the last event that may have changed an agent's open
	// interactions, 0 if none or nobody listens.
	work uint64
	// clocks is the subjects (tickets or interactions) whose SLA clocks
	// changed, when someone listens to an agent: an agent's inbox shows
	// its interactions' clocks.
	clocks map[string]uint64
	// alerts is the last event that may have changed the SLA alerts (any
	// SLA event, a ticket's or an interaction's change of hands), 0 if
	// none or nobody listens.
	alerts uint64
}

func (h *hub) collect(events []eventstore.LeanEvent) changes {
	c := changes{interactions: map[string]uint64{}, tickets: map[string]uint64{}, agents: map[string]uint64{}, agent: map[string]uint64{},
		calls: map[string]uint64{}, clocks: map[string]uint64{}}
	callsListened := h.listenedPrefix(topicCall)
	agentsListened := h.listenedPrefix(topicAgent)
	for _, e := range events {
		category, id := domain.StreamCategory(e.Stream)
		switch category {
		case domain.CategoryInteraction:
			if h.listened(topicInteraction + id) {
				c.interactions[id] = e.Position
			}
			if callEvents[e.Type] && callsListened {
				c.calls[id] = e.Position
			}
			if queueEvents[e.Type] {
				c.queues = e.Position
				c.work = e.Position
				c.alerts = e.Position // the interaction's agent shows in its alerts
			}
		case domain.CategoryDelivery: // delivery-<interaction id>: a reply's delivery state changed
			if h.listened(topicInteraction + id) {
				c.interactions[id] = e.Position
			}
		case domain.CategoryTicket:
			if h.listened(topicTicket + id) {
				c.tickets[id] = e.Position
			}
			c.alerts = e.Position // its number, subject or assignee may show in its alerts
		case domain.CategorySla:
			// sla-<id>: the slaClocks of a ticket or of an interaction
			// changed; the ids never collide, so whichever topic listens
			// is the subject's.
			if h.listened(topicTicket + id) {
				c.tickets[id] = e.Position
			}
			if h.listened(topicInteraction + id) {
				c.interactions[id] = e.Position
			}
			if agentsListened {
				c.clocks[id] = e.Position
			}
			c.alerts = e.Position
		case domain.CategoryAgent:
			if (e.Type == "AgentPresenceChanged" || e.Type == "AgentRegistered") && h.listened(topicAgents) {
				c.agents[id] = e.Position
			}
			if e.Type == "AgentPresenceChanged" && h.listened(topicAgent+id) {
				c.agent[id] = e.Position
			}
		}
	}
	if len(h.listenedQueues()) == 0 {
		c.queues = 0
	}
	if len(h.listenedAgents()) == 0 {
		c.work = 0
	}
	if !h.listened(topicSlaAlerts) {
		c.alerts = 0
	}
	return c
}

func (c changes) empty() bool {
	return len(c.interactions) == 0 && len(c.tickets) == 0 && len(c.agents) == 0 && len(c.agent) == 0 &&
		len(c.calls) == 0 && c.queues == 0 && c.work == 0 && len(c.clocks) == 0 && c.alerts == 0
}

// dispatch publishes what a batch changed, once the projections applied
// the whole batch.
func (h *hub) dispatch(ctx context.Context, events []eventstore.LeanEvent) {
	c := h.collect(events)
	if c.empty() {
		return
	}
	start := time.Now()
	if err := h.waiter.WaitFor(ctx, events[len(events)-1].Position); err != nil {
		return // ctx ended: shutting down
	}
	if tracing.Enabled() {
		defer traceDispatch(ctx, events, start)
	}
	for id, pos := range c.interactions {
		if it, err := h.db.Interaction(ctx, id); h.readOK(err, "interaction", id) {
			h.publish(topicInteraction+id, pos, it)
		}
	}
	for id, pos := range c.tickets {
		if t, err := h.db.Ticket(ctx, id); h.readOK(err, "ticket", id) {
			h.publish(topicTicket+id, pos, t)
		}
	}
	for id, pos := range c.agents {
		if a, err := h.db.Agent(ctx, id); h.readOK(err, "agent", id) {
			h.publish(topicAgents, pos, a)
		}
	}
	for id, pos := range c.calls {
		// The interaction names the agent the call is offered to.
		if it, err := h.db.Interaction(ctx, id); h.readOK(err, "interaction", id) && it.AgentID != "" {
			h.publish(topicCall+it.AgentID, pos, it)
		}
	}
	if c.queues > 0 {
		h.publishQueues(ctx, c.queues)
	}
	if c.alerts > 0 {
		h.publishAlerts(ctx, c.alerts)
	}
	h.publishAgents(ctx, c)
}

// traceDispatch records the batch's push to its subscribers (the wait for
// the projections included) as a "graphql.subscription.push" span in the
// trace of each event that carries one, from the event's metadata (see
// internal/tracing): the hub may run on another node than the append.
func traceDispatch(ctx context.Context, events []eventstore.LeanEvent, start time.Time) {
	mds := make([][]byte, len(events))
	for i, e := range events {
		mds[i] = e.Metadata
	}
	tracing.EndAll(tracing.Continue(ctx, "graphql.subscription.push", start, mds...), nil)
}

// publishAlerts publishes the SLA alerts when they changed: one read for
// every slaAlertsChanged subscriber, of as many as any may ask for.
func (h *hub) publishAlerts(ctx context.Context, position uint64) {
	alerts, err := h.db.SlaAlerts(ctx, h.now(), h.alertsMax)
	if !h.readOK(err, "sla alerts", "") {
		return
	}
	sig := alertsSignature(alerts)
	h.mu.Lock()
	changed := h.alertsSig != sig
	h.alertsSig = sig
	h.mu.Unlock()
	if changed {
		h.publish(topicSlaAlerts, position, alerts)
	}
}

// alertsSignature names the SLA alerts and all they show, in order: a
// change to any of it is an update. Clocks that only passed their
// deadline change nothing here (clients count down to it themselves).
func alertsSignature(alerts []projections.SlaAlert) string {
	var b strings.Builder
	for _, a := range alerts {
		fmt.Fprintf(&b, "%s/%s/%s/%d/%t/%t/%s/%s/%s;", a.SubjectKind, a.SubjectID, a.Metric, a.Deadline.UnixNano(),
			a.Warned, a.Breached, a.AgentID, a.TicketNumber, a.Subject)
	}
	return b.String()
}

// publishAgents publishes each listened agent whose presence changed,
// whose open interactions changed (when the batch held assignment events)
// or one of whose open interactions' SLA clocks changed.
func (h *hub) publishAgents(ctx context.Context, c changes) {
	due := maps.Clone(c.agent)
	if c.work > 0 || len(c.clocks) > 0 {
		for _, id := range h.listenedAgents() {
			list, err := h.db.AgentWork(ctx, id)
			if !h.readOK(err, "agent work", id) {
				continue
			}
			if pos, changed := h.workChanged(id, list, c); changed {
				due[id] = max(due[id], pos)
			}
		}
	}
	for id, pos := range due {
		if a, err := h.db.Agent(ctx, id); h.readOK(err, "agent", id) {
			h.publish(topicAgent+id, pos, a)
		}
	}
}

// workChanged reports whether an agent's open interactions changed in
// the batch c (then with the position of the last change): others than
// before, or one of them with SLA clocks that changed.
func (h *hub) workChanged(agentID string, list []projections.Interaction, c changes) (uint64, bool) {
	var pos uint64
	if c.work > 0 {
		sig := workSignature(list)
		h.mu.Lock()
		changed := h.workSigs[agentID] != sig
		h.workSigs[agentID] = sig
		h.mu.Unlock()
		if changed {
			pos = c.work
		}
	}
	for _, it := range list {
		pos = max(pos, c.clocks[it.ID])
	}
	return pos, pos > 0
}

// workSignature names an agent's open interactions, in order.
func workSignature(list []projections.Interaction) string {
	var b strings.Builder
	for _, i := range list {
		b.WriteString(i.ID)
		b.WriteByte(';')
	}
	return b.String()
}

func (h *hub) readOK(err error, kind, id string) bool {
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		h.log.Error("subscription read failed", "kind", kind, "id", id, "err", err)
	}
	return err == nil
}

// publishQueues publishes the listened queues whose waiting list changed.
func (h *hub) publishQueues(ctx context.Context, position uint64) {
	queues, err := h.db.Queues(ctx, h.now())
	if !h.readOK(err, "queues", "") {
		return
	}
	listened := map[string]bool{}
	for _, name := range h.listenedQueues() {
		listened[name] = true
	}
	for _, q := range queues {
		if !listened[q.Name] {
			continue
		}
		sig := queueSignature(q)
		h.mu.Lock()
		changed := h.queueSigs[q.Name] != sig
		h.queueSigs[q.Name] = sig
		h.mu.Unlock()
		if changed {
			h.publish(topicQueue+q.Name, position, q)
		}
	}
}

// queueSignature names what waits in a queue, in order, ignoring the wait
// times that change with every tick of the clock.
func queueSignature(q projections.Queue) string {
	var b strings.Builder
	for _, e := range q.Waiting {
		b.WriteString(e.InteractionID)
		b.WriteByte('/')
		b.WriteString(string(e.Priority))
		b.WriteByte(';')
	}
	return b.String()
}
