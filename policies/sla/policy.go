// Package sla is the SLA policy: it follows the ledger, starts, pauses,
// resumes and fulfils each ticket's SLA clocks (first response, next
// response, resolution) and each interaction's response clocks (first
// response, next response) through the command layer, fires warnings and
// breaches when they come due, and escalates a breached ticket to the
// supervisors' queue (an interaction's breach is recorded, not escalated). It keeps its own state (which interactions belong
// to which tickets, when each ticket's clocks are next due) in a SQLite
// file of its own. Its configuration (Config) is parsed at the edge, by
// package config.
package sla

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// Actor is the metadata actor of everything the SLA policy writes.
const Actor = "system:sla"

// Runner runs the ticket SLA policy. It follows the ledger ($all)
// from its checkpoint and turns ticket events into SLA commands:
//
//   - TicketOpened starts the first-response and resolution clocks, with the
//     policy that covers the ticket's priority, category and channel;
//   - an agent's reply on an interaction linked to the ticket (or the ticket
//     moving to IN_PROGRESS or PENDING_CUSTOMER) fulfils the first-response
//     and next-response clocks; a customer message starts the next-response
//     clock again (once the first response was given);
//   - PENDING_CUSTOMER pauses every clock, leaving it resumes them;
//   - TicketResolved (and TicketClosed) fulfils every clock, TicketReopened
//     starts the resolution clock again;
//   - SlaBreached escalates the ticket: priority up one step and into the
//     supervisors' queue.
//
// and interactions, with the interaction policy covering their priority
// and channel:
//
//   - InteractionQueued (or InteractionAssigned, for one never queued)
//     starts the first-response clock: from then the customer waits for a
//     person;
//   - an agent's reply fulfils the first- and next-response clocks, a
//     phone call answered the first-response clock;
//   - a customer message after a reply starts the next-response clock
//     again (a new cycle);
//   - InteractionClosed and InteractionAbandoned fulfil every clock;
//   - a breach is recorded (SlaBreached) but escalates nothing: tickets
//     are what supervisors take over.
//
// Its timer fires warnings and breaches: it keeps each ticket's next due
// time (domain.SlaClocks.NextDue) and appends a CheckSla when it comes. The
// ledger decides what fires: CheckSla fires a warning or breach only once
// per clock and cycle, and the append expects the clocks' version, so a
// restart, a second process or a check repeated after a crash can never
// record a breach twice. Reactions to events carry idempotency keys derived
// from the event, so reading an event again after a restart appends
// nothing new; the checkpoint and the due times are saved in one
// transaction.
type Runner struct {
	h       *commands.Handler
	cfg     Config
	state   *slaState
	log     *slog.Logger
	every   time.Duration
	history bool
	origin  follow.Checkpoint
	// handover, stateMu, leading, savedAt: see WithHandover.
	handover follow.Checkpoint
	stateMu  sync.Mutex
	leading  atomic.Bool
	savedAt  time.Time
	wake     chan struct{}
	opts     follow.Options
	position atomic.Uint64
	fired    atomic.Int64
}

// Option configures an Runner.
type Option func(*Runner)

// WithCheckEvery sets how often the timer looks for due clocks when
// nothing wakes it earlier (default 1 s).
func WithCheckEvery(d time.Duration) Option {
	return func(r *Runner) { r.every = d }
}

// WithFollower sets the lease that makes the policy a singleton, and its
// follower's metrics.
func WithFollower(o follow.Options) Option { return func(r *Runner) { r.opts = o } }

// WithHistory makes a runner that has no checkpoint yet start from
// the beginning of the ledger, giving every ticket ever opened its clocks
// (those long past their deadlines breach, and escalate, at once). By
// default a first start begins at the ledger's head: tickets opened
// before SLA clocks were enabled run without them.
func WithHistory() Option { return func(r *Runner) { r.history = true } }

// WithOrigin shares a first start's position with the other nodes of a
// shared ledger (see follow.FirstPosition): every node's clocks cover
// the tickets opened since the policy first ran on any of them.
func WithOrigin(origin follow.Checkpoint) Option { return func(r *Runner) { r.origin = origin } }

// WithHandover hands the policy from node to node of a shared ledger,
// each with its own state file: the leader records in handover how far it
// has reacted (at most once every handoverEvery); a node that takes the
// lease first brings its state up to there without reacting (its clocks'
// due times, its tickets' links), then reacts from there on, as a restart
// would. While it waits for the lease it keeps its state close behind the
// leader's handover (a warm standby), so taking over is quick.
func WithHandover(handover follow.Checkpoint) Option {
	return func(r *Runner) { r.handover = handover }
}

// handoverEvery bounds how often the leader saves its handover position,
// and how often a standby catches up to it.
const handoverEvery = time.Second

// NewRunner returns the SLA policy, appending through h (whose
// clock is the timer's clock) and keeping its state in statePath ("" for
// memory only: the policy then starts afresh on every start).
func NewRunner(ctx context.Context, h *commands.Handler, cfg Config, statePath string, log *slog.Logger, opts ...Option) (*Runner, error) {
	if len(cfg.Policies) == 0 {
		cfg = DefaultConfig()
	}
	if cfg.SupervisorQueue == "" {
		cfg.SupervisorQueue = domain.SupervisorQueue
	}
	if log == nil {
		log = slog.Default()
	}
	state, err := openSlaState(ctx, statePath)
	if err != nil {
		return nil, err
	}
	r := &Runner{h: h, cfg: cfg, state: state, log: log.With("component", "sla-policy"), every: time.Second, wake: make(chan struct{}, 1)}
	for _, o := range opts {
		o(r)
	}
	pos, ok, err := state.checkpoint(ctx)
	if err == nil && !ok && !r.history {
		// Saved at once, so a crash before the first batch does not move
		// the start to a later head.
		if pos, err = follow.FirstPosition(ctx, h.Store(), r.origin); err == nil {
			r.log.Info("SLA clocks start here; tickets opened before run without clocks", "position", pos)
			err = state.saveCheckpoint(ctx, pos)
		}
	}
	if err != nil {
		return nil, errors.Join(err, state.close())
	}
	r.position.Store(pos)
	return r, nil
}

// Close releases the state file.
func (r *Runner) Close() error { return r.state.close() }

// Position returns the $all position the policy has handled.
func (r *Runner) Position() uint64 { return r.position.Load() }

// Fired returns how many warnings and breaches this runner's timer fired.
func (r *Runner) Fired() int64 { return r.fired.Load() }

// Run follows the ledger and fires due clocks until ctx ends (nil) or an
// event halts it. A failure of either is retried from the checkpoint with
// backoff. Given a lease (WithFollower), it runs only while it holds it:
// one node of many keeps the clocks.
func (r *Runner) Run(ctx context.Context) error {
	if r.handover == nil {
		return r.follower(&timedEvents{r: r}).Run(ctx)
	}
	standby := make(chan struct{})
	go func() {
		defer close(standby)
		r.standBy(ctx)
	}()
	defer func() { <-standby }()
	return r.follower(&timedEvents{r: r}).Run(ctx)
}

// standBy keeps the state close behind the leader's handover while this
// node does not lead, until ctx ends.
func (r *Runner) standBy(ctx context.Context) {
	tick := time.NewTicker(5 * handoverEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		r.stateMu.Lock()
		if !r.leading.Load() {
			if err := r.catchUp(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("SLA standby: state not brought up to the leader's handover; trying again", "err", err)
			}
		}
		r.stateMu.Unlock()
	}
}

// catchUp brings the state up to the handover position without reacting.
// The caller holds stateMu.
func (r *Runner) catchUp(ctx context.Context) error {
	until, found, err := r.handover.Load(ctx)
	if err != nil || !found {
		return err
	}
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "sla-standby", Store: r.h.Store(), Source: follow.Recorded, Consumer: stateOnly{r},
		Checkpoint: follow.CheckpointFuncs{LoadFunc: r.state.checkpoint}, Delivery: follow.ExactlyOnce,
		Metrics: r.opts.Metrics, Logger: r.log,
	})
	if err != nil {
		return err
	}
	return f.RunUntil(ctx, until)
}

// stateOnly is the standby's consumer: the state, without reactions.
type stateOnly struct{ r *Runner }

func (c stateOnly) Handle(ctx context.Context, batch []eventstore.RecordedEvent) error {
	return c.r.applyBatch(ctx, batch, false)
}

// saveHandover records pos as reacted to, at most once every
// handoverEvery unless now is set. The caller holds stateMu.
func (r *Runner) saveHandover(ctx context.Context, pos uint64, now bool) {
	if r.handover == nil || (!now && time.Since(r.savedAt) < handoverEvery) {
		return
	}
	if err := r.handover.Save(ctx, pos); err != nil {
		r.log.Warn("SLA handover position not saved; a node taking over reacts again from the last one saved", "position", pos, "err", err)
		return
	}
	r.savedAt = time.Now()
}

// Follow handles the ledger's events from the checkpoint on, without the
// timer, until ctx ends (nil) or, with stopAt > 0, until it has handled
// position stopAt; a failure ends it (the next run resumes from the
// checkpoint).
func (r *Runner) Follow(ctx context.Context, stopAt uint64) error {
	f := r.follower(reactions{r})
	if stopAt == 0 {
		return f.RunOnce(ctx)
	}
	return f.RunUntil(ctx, stopAt)
}

// follower follows the ledger for consumer, exactly once: each batch
// commits its state changes with the checkpoint.
func (r *Runner) follower(consumer follow.Consumer[eventstore.RecordedEvent]) *follow.Follower[eventstore.RecordedEvent] {
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "sla", Store: r.h.Store(), Source: follow.Recorded, Consumer: consumer,
		Checkpoint: follow.CheckpointFuncs{LoadFunc: r.state.checkpoint}, Delivery: follow.ExactlyOnce,
		Singleton: r.opts.Lease != nil, Lease: r.opts.Lease, Metrics: r.opts.Metrics, Logger: r.log,
	})
	if err != nil {
		panic(err) // the configuration above is complete
	}
	return f
}

// reactions is the policy's reaction to events, as the follower's consumer.
type reactions struct{ r *Runner }

func (c reactions) Handle(ctx context.Context, batch []eventstore.RecordedEvent) error {
	return c.r.handleBatch(ctx, batch)
}

// timedEvents adds the timer that fires due clocks beside the reactions;
// a failed check ends the run through its context.
type timedEvents struct {
	r      *Runner
	cancel context.CancelCauseFunc
	done   chan struct{}
}

func (t *timedEvents) Handle(ctx context.Context, batch []eventstore.RecordedEvent) error {
	return t.r.handleBatch(ctx, batch)
}

// Begin brings a taking-over node's state up to the last leader's
// handover, then starts the timer.
func (t *timedEvents) Begin(ctx context.Context) (context.Context, error) {
	if t.r.handover != nil {
		t.r.stateMu.Lock()
		t.r.leading.Store(true)
		err := t.r.catchUp(ctx)
		t.r.stateMu.Unlock()
		if err != nil {
			t.r.leading.Store(false)
			return nil, fmt.Errorf("catch up to the last leader: %w", err)
		}
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	t.cancel, t.done = cancel, make(chan struct{})
	go func() {
		defer close(t.done)
		if err := t.r.runTimer(runCtx); err != nil {
			cancel(err)
		}
	}()
	return runCtx, nil
}

// End stops the timer and records how far this leader reacted.
func (t *timedEvents) End(ctx context.Context, _ error) error {
	t.cancel(nil)
	<-t.done
	if t.r.handover != nil {
		t.r.stateMu.Lock()
		t.r.saveHandover(ctx, t.r.position.Load(), true)
		t.r.leading.Store(false)
		t.r.stateMu.Unlock()
	}
	return nil
}

// handleBatch reacts to a batch of events and commits the state changes
// with the checkpoint.
func (r *Runner) handleBatch(ctx context.Context, events []eventstore.RecordedEvent) error {
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	if err := r.applyBatch(ctx, events, true); err != nil {
		return err
	}
	r.saveHandover(ctx, r.position.Load(), false)
	return nil
}

// applyBatch applies a batch to the state, reacting to it when react is
// set, and commits the state changes with the checkpoint.
func (r *Runner) applyBatch(ctx context.Context, events []eventstore.RecordedEvent, react bool) error {
	batch, err := r.state.begin(ctx)
	if err != nil {
		return err
	}
	for _, rec := range events {
		if err := r.handle(ctx, batch, rec, react); err != nil {
			batch.rollback()
			return fmt.Errorf("sla policy at position %d (%s %s): %w", rec.Position, rec.Stream, rec.Type, err)
		}
	}
	last := events[len(events)-1].Position
	if err := batch.commit(ctx, last); err != nil {
		return err
	}
	r.position.Store(last)
	r.poke()
	return nil
}

// stateEvents are the relevant events that change the policy's state
// (links, open tickets, due times): what a standby applies.
var stateEvents = map[string]bool{
	"TicketOpened": true, "TicketInteractionLinked": true, "TicketResolved": true, "TicketClosed": true, "TicketReopened": true,
	"SlaStarted": true, "SlaPaused": true, "SlaResumed": true, "SlaWarning": true, "SlaFulfilled": true, "SlaBreached": true,
}

// relevant lists the event types the policy reacts to; others are not
// even decoded.
var relevant = map[string]bool{
	"TicketOpened": true, "TicketInteractionLinked": true, "TicketStatusChanged": true, "TicketResolved": true,
	"TicketClosed": true, "TicketReopened": true, "MessageSent": true, "MessageReceived": true,
	"InteractionQueued": true, "InteractionAssigned": true, "CallAnswered": true, "InteractionClosed": true,
	"InteractionAbandoned": true,
	"SlaStarted":           true, "SlaPaused": true, "SlaResumed": true, "SlaWarning": true, "SlaBreached": true, "SlaFulfilled": true,
}

func (r *Runner) handle(ctx context.Context, b *slaBatch, rec eventstore.RecordedEvent, react bool) error {
	if !relevant[rec.Type] || !react && !stateEvents[rec.Type] {
		return nil
	}
	e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
	if err != nil {
		return follow.Poison(rec.Position, err)
	}
	meta := commands.Meta{Actor: Actor, CausationID: rec.ID.String(), IdempotencyKey: "sla|" + rec.ID.String()}
	if md, err := eventstore.ParseMetadata(rec.Metadata); err == nil {
		meta.CorrelationID = md.CorrelationID
	}
	switch e := e.(type) {
	case domain.TicketOpened:
		return r.ticketOpened(ctx, b, e, meta, react)
	case domain.TicketInteractionLinked:
		return b.link(ctx, e.InteractionID, e.TicketID)
	case domain.TicketStatusChanged:
		return r.statusChanged(ctx, e, meta)
	case domain.TicketResolved:
		return r.finished(ctx, b, e.TicketID, e.At, meta, react)
	case domain.TicketClosed:
		return r.finished(ctx, b, e.TicketID, e.At, meta, react)
	case domain.TicketReopened:
		if err := b.setOpen(ctx, e.TicketID, true); err != nil || !react {
			return err
		}
		return r.restart(ctx, e.TicketID, domain.SlaResolution, e.At, meta)
	case domain.MessageSent:
		if strings.HasPrefix(e.AgentID, "system:") {
			return nil // notifications and other automatic messages are not a response
		}
		if err := r.fulfil(ctx, e.InteractionID, e.At, meta, domain.SlaFirstResponse, domain.SlaNextResponse); err != nil {
			return err
		}
		return r.forTickets(ctx, b, e.InteractionID, func(ticketID string) error {
			return r.fulfil(ctx, ticketID, e.At, meta, domain.SlaFirstResponse, domain.SlaNextResponse)
		})
	case domain.MessageReceived:
		if err := r.customerWrote(ctx, e.InteractionID, e.At, meta); err != nil {
			return err
		}
		return r.forTickets(ctx, b, e.InteractionID, func(ticketID string) error {
			return r.customerWrote(ctx, ticketID, e.At, meta)
		})
	case domain.InteractionQueued:
		return r.interactionWaits(ctx, e.InteractionID, e.At, meta)
	case domain.InteractionAssigned:
		return r.interactionWaits(ctx, e.InteractionID, e.At, meta)
	case domain.CallAnswered:
		return r.fulfil(ctx, e.InteractionID, e.At, meta, domain.SlaFirstResponse)
	case domain.InteractionClosed:
		return r.fulfil(ctx, e.InteractionID, e.At, meta, domain.SlaMetrics...)
	case domain.InteractionAbandoned:
		return r.fulfil(ctx, e.InteractionID, e.At, meta, domain.SlaMetrics...)
	case domain.SlaBreached:
		if e.TicketID != "" && react { // an interaction's breach is recorded, not escalated
			if err := r.escalate(ctx, e, meta); err != nil {
				return err
			}
		}
		_, subjectID := domain.StreamCategory(rec.Stream)
		return r.refreshDue(ctx, b, subjectID)
	case domain.SlaStarted, domain.SlaPaused, domain.SlaResumed, domain.SlaWarning, domain.SlaFulfilled:
		_, ticketID := domain.StreamCategory(rec.Stream)
		return r.refreshDue(ctx, b, ticketID)
	}
	return nil
}

func (r *Runner) forTickets(ctx context.Context, b *slaBatch, interactionID string, f func(ticketID string) error) error {
	ids, err := b.openTicketsOf(ctx, interactionID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := f(id); err != nil {
			return err
		}
	}
	return nil
}

// ticketOpened starts the ticket's first-response and resolution clocks.
func (r *Runner) ticketOpened(ctx context.Context, b *slaBatch, e domain.TicketOpened, meta commands.Meta, react bool) error {
	if err := b.setOpen(ctx, e.TicketID, true); err != nil {
		return err
	}
	if e.InteractionID != "" {
		if err := b.link(ctx, e.InteractionID, e.TicketID); err != nil {
			return err
		}
	}
	if !react {
		return nil
	}
	var channel domain.Channel
	if e.InteractionID != "" {
		it, err := r.h.LoadInteraction(ctx, e.InteractionID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return err
		}
		channel = it.Channel
	}
	policy, ok := r.cfg.policy("", e.Priority, e.Category, channel)
	if !ok {
		return nil // no policy covers the ticket: it runs without clocks
	}
	var cmds []domain.SlaCommand
	for _, m := range []domain.SlaMetric{domain.SlaFirstResponse, domain.SlaResolution} {
		if target := policy.Targets.Of(m); target > 0 {
			cmds = append(cmds, domain.StartSla{TicketID: e.TicketID, Metric: m, Policy: policy.Name, Target: target, WarnShare: policy.WarnShare, Calendar: policy.Calendar})
		}
	}
	if len(cmds) == 0 {
		return nil
	}
	_, _, err := r.h.At(e.At).Sla(ctx, e.TicketID, meta, cmds...)
	return err
}

// interactionWaits starts an interaction's first-response clock when the
// customer starts waiting for a person: when it is queued, or assigned
// straight to an agent without a queue. The time before (a bot, a form,
// the customer still typing) is nobody's to answer for. Only the first
// time: being queued again after a transfer does not restart a clock the
// customer's first answer already stopped.
func (r *Runner) interactionWaits(ctx context.Context, interactionID string, at time.Time, meta commands.Meta) error {
	it, err := r.h.LoadInteraction(ctx, interactionID)
	if err != nil {
		return fmt.Errorf("sla of interaction %s: %w", interactionID, err)
	}
	policy, ok := r.cfg.interactionPolicy("", it.Priority, it.Channel)
	if !ok || policy.Targets.FirstResponse <= 0 {
		return nil // no policy covers the interaction: it runs without clocks
	}
	_, _, err = r.h.At(at).SlaPlan(ctx, interactionID, meta, "StartSla", func(s domain.SlaClocks) []domain.SlaCommand {
		if _, started := s.Clocks[domain.SlaFirstResponse]; started {
			return nil
		}
		return []domain.SlaCommand{domain.StartSla{InteractionID: interactionID, Metric: domain.SlaFirstResponse, Policy: policy.Name,
			Target: policy.Targets.FirstResponse, WarnShare: policy.WarnShare, Calendar: policy.Calendar}}
	})
	return err
}

// policyOf returns the policy a ticket's or an interaction's clocks were
// started with.
func (r *Runner) policyOf(s domain.SlaClocks) (domain.SlaPolicy, bool) {
	name := ""
	for _, m := range domain.SlaMetrics {
		if c, ok := s.Clocks[m]; ok && c.Policy != "" {
			name = c.Policy
			break
		}
	}
	if name == "" {
		return domain.SlaPolicy{}, false
	}
	if s.ForInteraction() {
		return r.cfg.interactionPolicy(name, "", "")
	}
	return r.cfg.policy(name, "", "", "")
}

// plan applies the commands decide returns for a ticket's or an
// interaction's clocks and policy; a subject without clocks is left alone.
func (r *Runner) plan(ctx context.Context, ticketID string, at time.Time, meta commands.Meta, name string, decide func(domain.SlaClocks, domain.SlaPolicy) []domain.SlaCommand) error {
	_, _, err := r.h.At(at).SlaPlan(ctx, ticketID, meta, name, func(s domain.SlaClocks) []domain.SlaCommand {
		policy, ok := r.policyOf(s)
		if !ok {
			return nil
		}
		return decide(s, policy)
	})
	return err
}

func (r *Runner) fulfil(ctx context.Context, ticketID string, at time.Time, meta commands.Meta, metrics ...domain.SlaMetric) error {
	return r.plan(ctx, ticketID, at, meta, "FulfilSla", func(s domain.SlaClocks, p domain.SlaPolicy) []domain.SlaCommand {
		var cmds []domain.SlaCommand
		for _, m := range metrics {
			if c, ok := s.Clocks[m]; ok && !c.Fulfilled {
				cmds = append(cmds, domain.FulfilSla{Metric: m, Calendar: p.Calendar})
			}
		}
		return cmds
	})
}

// customerWrote starts the next-response clock of a ticket or an
// interaction, once the first response was given (before that, the
// first-response clock is the one running). A subject without clocks is
// left alone (plan), so an interaction not yet waiting for a person gets
// none.
func (r *Runner) customerWrote(ctx context.Context, subjectID string, at time.Time, meta commands.Meta) error {
	return r.plan(ctx, subjectID, at, meta, "StartSla", func(s domain.SlaClocks, p domain.SlaPolicy) []domain.SlaCommand {
		first, ok := s.Clocks[domain.SlaFirstResponse]
		if ok && !first.Fulfilled || p.Targets.NextResponse <= 0 {
			return nil
		}
		start := domain.StartSla{Metric: domain.SlaNextResponse, Policy: p.Name,
			Target: p.Targets.NextResponse, WarnShare: p.WarnShare, Calendar: p.Calendar}
		if s.ForInteraction() {
			start.InteractionID = subjectID
		} else {
			start.TicketID = subjectID
		}
		return []domain.SlaCommand{start}
	})
}

func (r *Runner) restart(ctx context.Context, ticketID string, metric domain.SlaMetric, at time.Time, meta commands.Meta) error {
	return r.plan(ctx, ticketID, at, meta, "StartSla", func(s domain.SlaClocks, p domain.SlaPolicy) []domain.SlaCommand {
		if p.Targets.Of(metric) <= 0 {
			return nil
		}
		return []domain.SlaCommand{domain.StartSla{TicketID: ticketID, Metric: metric, Policy: p.Name,
			Target: p.Targets.Of(metric), WarnShare: p.WarnShare, Calendar: p.Calendar}}
	})
}

func (r *Runner) statusChanged(ctx context.Context, e domain.TicketStatusChanged, meta commands.Meta) error {
	if e.To == domain.TicketStatusInProgress || e.To == domain.TicketStatusPendingCustomer {
		// Working on the ticket or asking the customer something is a
		// response.
		if err := r.fulfil(ctx, e.TicketID, e.At, meta.WithKey("respond"), domain.SlaFirstResponse); err != nil {
			return err
		}
	}
	switch {
	case e.To == domain.TicketStatusPendingCustomer:
		return r.plan(ctx, e.TicketID, e.At, meta.WithKey("pause"), "PauseSla", func(_ domain.SlaClocks, p domain.SlaPolicy) []domain.SlaCommand {
			return []domain.SlaCommand{domain.PauseSla{Calendar: p.Calendar}}
		})
	case e.From == domain.TicketStatusPendingCustomer:
		return r.resume(ctx, e.TicketID, e.At, meta.WithKey("resume"))
	}
	return nil
}

func (r *Runner) resume(ctx context.Context, ticketID string, at time.Time, meta commands.Meta) error {
	return r.plan(ctx, ticketID, at, meta, "ResumeSla", func(_ domain.SlaClocks, p domain.SlaPolicy) []domain.SlaCommand {
		return []domain.SlaCommand{domain.ResumeSla{WarnShare: p.WarnShare, Calendar: p.Calendar}}
	})
}

// finished fulfils every clock of a resolved or closed ticket: the
// resolution answers the customer too.
func (r *Runner) finished(ctx context.Context, b *slaBatch, ticketID string, at time.Time, meta commands.Meta, react bool) error {
	if err := b.setOpen(ctx, ticketID, false); err != nil || !react {
		return err
	}
	return r.fulfil(ctx, ticketID, at, meta, domain.SlaMetrics...)
}

// escalate raises the ticket's priority and hands it to the supervisors,
// once per breach (the key is the SlaBreached event's id).
func (r *Runner) escalate(ctx context.Context, e domain.SlaBreached, meta commands.Meta) error {
	reason := fmt.Sprintf("SLA %s breached (deadline %s)", strings.ToLower(strings.ReplaceAll(string(e.Metric), "_", " ")), e.Deadline.UTC().Format(time.RFC3339))
	_, err := r.h.At(e.At).EscalateTicket(ctx, e.TicketID, domain.EscalateTicket{Queue: r.cfg.SupervisorQueue, Metric: e.Metric, Reason: reason}, meta)
	if domain.ErrorCode(err) == domain.ENOTFOUND || domain.ErrorCode(err) == domain.ECONFLICT {
		r.log.Warn("breached ticket not escalated", "ticket", e.TicketID, "err", err)
		return nil // closed meanwhile, or never opened: nothing to escalate
	}
	return err
}

// refreshDue records when a ticket's or an interaction's clocks are next
// due, from the ledger's current state of them.
func (r *Runner) refreshDue(ctx context.Context, b *slaBatch, ticketID string) error {
	s, err := r.h.LoadSla(ctx, ticketID)
	if err != nil {
		return err
	}
	due, ok := s.NextDue()
	return b.setDue(ctx, ticketID, due, ok)
}

// poke wakes the timer (the due times may have moved earlier).
func (r *Runner) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// runTimer fires due clocks until ctx ends.
func (r *Runner) runTimer(ctx context.Context) error {
	tick := time.NewTicker(r.every)
	defer tick.Stop()
	for {
		if _, err := r.FireDue(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-r.wake:
		}
	}
}

// FireDue appends CheckSla to every ticket or interaction whose clocks are
// due at the handler's now, and returns how many warnings and breaches that fired.
func (r *Runner) FireDue(ctx context.Context) (int, error) {
	total := 0
	for {
		fired := 0
		now := r.h.Now()
		ids, err := r.state.due(ctx, now, 256)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		for _, id := range ids {
			res, s, err := r.h.At(now).Sla(ctx, id, commands.Meta{Actor: Actor}, domain.CheckSla{})
			if err != nil {
				return total + fired, fmt.Errorf("sla check of %s: %w", id, err)
			}
			fired += len(res.Events)
			due, ok := s.NextDue()
			if ok && !due.After(now) {
				// Only possible with a clock the check cannot settle; never
				// spin on it.
				r.log.Error("sla clock still due after a check", "ticket", id, "due", due)
				ok = false
			}
			if err := r.state.setDue(ctx, id, due, ok); err != nil {
				return total + fired, err
			}
		}
		r.fired.Add(int64(fired))
		total += fired
	}
}
