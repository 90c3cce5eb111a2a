package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// Routing: who gets which waiting interaction.
//
// The decision is domain.Route, pure. This file is the policy around it:
// it reads the waiting interactions and the agents from the read side
// (RoutingView, eventually consistent), decides, and then makes each
// assignment in two appends whose expected versions make it safe against
// any number of concurrent routers and a stale read side:
//
//  1. ReserveWork on agent-<id>, at the agent stream's version: the agent's
//     holds are the authoritative count of their work, so two routers that
//     both saw a free slot cannot both take it (the second append fails
//     its expected version, decides again on the fresh state and is refused
//     at capacity);
//  2. AssignInteraction on interaction-<id>, at that stream's version: an
//     interaction already given to someone else is refused, so it is never
//     assigned twice. If this step loses, the hold of step 1 is released.
//
// A router that dies between the two appends leaves a hold without its
// assignment; it is released lazily, the next time the agent is reserved
// for, once older than HoldGrace. Holds of interactions that ended or went
// back to a queue are released the same way, so no background reactor is
// needed for capacity to stay right.

// routerActor is the actor of the router's events.
const routerActor = "system:router"

// RoutingView is the read side the router decides on. It may lag the
// ledger: the appends' expected versions, not the view, keep assignments
// right.
type RoutingView interface {
	// Waiting lists the interactions waiting in queues, with their
	// customer's tier.
	Waiting(ctx context.Context, now time.Time) ([]domain.WaitingItem, error)
	// Agents lists every agent with presence, skills, capacity and load.
	Agents(ctx context.Context) ([]domain.RoutingAgent, error)
}

// Decide is the routing policy's decision for one round: the configured
// capacities applied to the agents, then domain.Route.
func (c RoutingConfig) Decide(waiting []domain.WaitingItem, agents []domain.RoutingAgent, now time.Time) domain.RoutingDecision {
	if len(c.Capacity) > 0 {
		agents = slices.Clone(agents)
		for i := range agents {
			capacity := maps.Clone(agents[i].Capacity)
			if capacity == nil {
				capacity = map[domain.Channel]int{}
			}
			maps.Copy(capacity, c.Capacity)
			agents[i].Capacity = capacity
		}
	}
	return domain.Route(c.Rules, waiting, agents, now)
}

// RoutedAssignment asks for an agent to be given an interaction through
// the capacity protocol (see Handler.AssignRouted).
type RoutedAssignment struct {
	InteractionID string
	AgentID       string
	// HoldOnly takes the agent's capacity without appending the
	// assignment: the SIP channel records the assignment itself when it
	// offers the call.
	HoldOnly bool
	Config   RoutingConfig
}

// ErrAssignmentLost is wrapped by AssignRouted's error when another
// assignment or a move of the interaction won the race, or the agent had
// no room (domain code ECONFLICT).
var ErrAssignmentLost = errors.New("assignment lost")

// AssignRouted gives an interaction to an agent, holding a unit of the
// agent's capacity first (see the protocol above). A refused assignment is
// an ECONFLICT error wrapping ErrAssignmentLost; nothing of it remains.
func (h *Handler) AssignRouted(ctx context.Context, req RoutedAssignment) (Result, error) {
	it, err := load(ctx, h.store, interactions, req.InteractionID, uuid.Nil)
	if err != nil {
		return Result{}, err
	}
	switch {
	case !it.state.Exists():
		return Result{}, domain.Errorf(domain.ENOTFOUND, "interaction %s does not exist", req.InteractionID)
	case it.state.Status.Ended():
		return Result{}, lost("interaction %s has ended", req.InteractionID)
	case it.state.AgentID == req.AgentID && !req.HoldOnly:
		return Result{Stream: domain.InteractionStream(req.InteractionID), Version: it.version}, nil
	case it.state.AgentID == req.AgentID:
		// The phone channel recorded the assignment before the hold was
		// written: hold (or renew) the capacity all the same.
	case it.state.AgentID != "":
		return Result{}, lost("interaction %s is already assigned to %s", req.InteractionID, it.state.AgentID)
	case !req.HoldOnly && it.state.Status != domain.InteractionStatusQueued:
		return Result{}, lost("interaction %s is not waiting in a queue", req.InteractionID)
	}
	meta := Meta{Actor: routerActor, CorrelationID: NewID(), CausationID: "route:" + req.InteractionID}
	if err := h.reserveWork(ctx, req, it.state.Channel, meta); err != nil {
		return Result{}, err
	}
	if req.HoldOnly {
		return Result{Stream: domain.AgentStream(req.AgentID)}, nil
	}
	queuedAt := it.state.QueuedAt
	res, state, err := executePlan(ctx, h, interactions, req.InteractionID, meta, "AssignInteraction", func(cur loaded[domain.Interaction]) []domain.InteractionCommand {
		// Decided against what was seen when the hold was taken: an
		// interaction that was assigned and re-queued meanwhile is not
		// this round's to take.
		if cur.state.AgentID == "" && (cur.state.Status != domain.InteractionStatusQueued || !cur.state.QueuedAt.Equal(queuedAt)) {
			return nil
		}
		return []domain.InteractionCommand{domain.AssignInteraction{AgentID: req.AgentID}}
	})
	if err == nil && state.AgentID == req.AgentID {
		return res, nil
	}
	if _, rerr := h.Agent(ctx, req.AgentID, domain.ReleaseWork{InteractionID: req.InteractionID, Reason: "assignment lost"}, meta); rerr != nil {
		h.logger.Error("router: releasing the hold of a lost assignment failed; it is released once stale", "agent", req.AgentID, "interaction", req.InteractionID, "err", rerr)
	}
	switch {
	case err == nil:
		err = lost("interaction %s moved on before it was assigned", req.InteractionID)
	case domain.ErrorCode(err) == domain.ECONFLICT:
		err = fmt.Errorf("%w: %w", err, ErrAssignmentLost)
	}
	return res, err
}

func lost(format string, args ...any) error {
	return fmt.Errorf("%w: %w", domain.Errorf(domain.ECONFLICT, format, args...), ErrAssignmentLost)
}

// reserveWork takes the agent's capacity for the interaction, releasing in
// the same append the holds found stale.
func (h *Handler) reserveWork(ctx context.Context, req RoutedAssignment, channel domain.Channel, meta Meta) error {
	agent, err := loadExisting(ctx, h, agents, req.AgentID, domain.Agent.Registered)
	if err != nil {
		return err
	}
	now := h.now()
	stale, err := h.staleHolds(ctx, agent, req.InteractionID, now, req.Config.HoldGrace)
	if err != nil {
		return err
	}
	cmd := domain.ReserveWork{
		InteractionID: req.InteractionID, Channel: channel,
		VoiceBlocksOthers: req.Config.Rules.VoiceBlocksOthers, Capacity: req.Config.Capacity,
	}
	_, _, err = executePlan(ctx, h, agents, req.AgentID, meta, "ReserveWork", func(cur loaded[domain.Agent]) []domain.AgentCommand {
		c := cmd
		for _, id := range slices.Sorted(maps.Keys(stale)) {
			// A hold renewed since it was found stale belongs to a newer
			// assignment: it stays.
			if hold, ok := cur.state.Work[id]; ok && hold.At.Equal(stale[id]) {
				c.Release = append(c.Release, id)
			}
		}
		return []domain.AgentCommand{c}
	})
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return fmt.Errorf("%w: %w", err, ErrAssignmentLost)
	}
	return err
}

// staleHolds finds the agent's holds (other than skip) that no longer
// stand for work, with the time each was taken.
func (h *Handler) staleHolds(ctx context.Context, agent domain.Agent, skip string, now time.Time, grace time.Duration) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for _, id := range slices.Sorted(maps.Keys(agent.Work)) {
		if id == skip {
			continue
		}
		it, err := load(ctx, h.store, interactions, id, uuid.Nil)
		if err != nil {
			return nil, err
		}
		hold := agent.Work[id]
		if holdIsStale(it.state, agent.ID, hold.At, now, grace) {
			out[id] = hold.At
		}
	}
	return out, nil
}

// holdIsStale decides whether a hold taken at heldAt still stands for the
// agent's work on the interaction: not when the interaction ended, is
// someone else's, is a call that ended, or was assigned after the hold and
// has left the agent since. A hold whose assignment has not shown yet is
// kept for grace (its router may be between its two appends).
func holdIsStale(it domain.Interaction, agentID string, heldAt, now time.Time, grace time.Duration) bool {
	switch {
	case it.Status.Ended():
		return true
	case it.AgentID == agentID:
		return it.Channel == domain.ChannelPhone && !it.CallEndedAt.IsZero()
	case it.AgentID != "":
		return true
	case it.AssignedAt.After(heldAt):
		return true
	default:
		return now.Sub(heldAt) >= grace
	}
}

// Router runs routing rounds: read the view, decide, assign.
type Router struct {
	h    *Handler
	cfg  RoutingConfig
	view RoutingView
	log  *slog.Logger
}

// NewRouter returns a router deciding with cfg on view.
func NewRouter(h *Handler, cfg RoutingConfig, view RoutingView) *Router {
	return &Router{h: h, cfg: cfg, view: view, log: h.logger}
}

// Config returns the router's configuration.
func (r *Router) Config() RoutingConfig { return r.cfg }

// RoundStats counts what one round did.
type RoundStats struct {
	Assigned, Lost, Overflowed int
}

// RouteOnce runs one round over the channels the router assigns: every
// decided assignment is attempted (a lost race is counted, not an error;
// the next round decides again) and due overflows are applied.
func (r *Router) RouteOnce(ctx context.Context) (RoundStats, error) {
	var stats RoundStats
	now := r.h.now()
	waiting, err := r.view.Waiting(ctx, now)
	if err != nil {
		return stats, fmt.Errorf("route: waiting interactions: %w", err)
	}
	waiting = slices.DeleteFunc(waiting, func(w domain.WaitingItem) bool { return !r.cfg.routesChannel(w.Channel) })
	if len(waiting) == 0 {
		return stats, nil
	}
	agentList, err := r.view.Agents(ctx)
	if err != nil {
		return stats, fmt.Errorf("route: agents: %w", err)
	}
	decision := r.cfg.Decide(waiting, agentList, now)
	if err := r.assignAll(ctx, decision.Assignments, &stats); err != nil {
		return stats, err
	}
	byID := make(map[string]domain.WaitingItem, len(waiting))
	for _, w := range waiting {
		byID[w.InteractionID] = w
	}
	for _, o := range decision.Overflows {
		moved, err := r.h.moveIfWaiting(ctx, o.InteractionID, o.From, o.To, byID[o.InteractionID].Priority, "overflow")
		if err != nil {
			return stats, err
		}
		if moved {
			stats.Overflowed++
		}
	}
	return stats, nil
}

// assignParallel bounds how many agents' assignments a round writes at
// once: each assignment waits for two durable appends, and appends in
// flight together share the store's group commit.
const assignParallel = 8

// assignAll carries out a round's assignments: one agent's in order (they
// share the agent's stream), different agents' at the same time. A lost
// race is counted, not an error; the next round decides again.
func (r *Router) assignAll(ctx context.Context, assignments []domain.Assignment, stats *RoundStats) error {
	byAgent := map[string][]domain.Assignment{}
	var order []string
	for _, a := range assignments {
		if _, seen := byAgent[a.AgentID]; !seen {
			order = append(order, a.AgentID)
		}
		byAgent[a.AgentID] = append(byAgent[a.AgentID], a)
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	slots := make(chan struct{}, assignParallel)
	for _, agentID := range order {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			for _, a := range byAgent[agentID] {
				_, err := r.h.AssignRouted(ctx, RoutedAssignment{InteractionID: a.InteractionID, AgentID: a.AgentID, Config: r.cfg})
				mu.Lock()
				switch {
				case err == nil:
					stats.Assigned++
				case errors.Is(err, ErrAssignmentLost) || domain.ErrorCode(err) == domain.ENOTFOUND:
					stats.Lost++
				case firstErr == nil:
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return firstErr
}

// moveIfWaiting re-queues an interaction in to, provided it still waits in
// from (from "" : provided it is still the agent's, see RequeueFromAgent).
func (h *Handler) moveIfWaiting(ctx context.Context, id, from, to string, priority domain.Priority, why string) (bool, error) {
	meta := Meta{Actor: routerActor, CorrelationID: NewID(), CausationID: why + ":" + id}
	res, _, err := executePlan(ctx, h, interactions, id, meta, "QueueInteraction", func(cur loaded[domain.Interaction]) []domain.InteractionCommand {
		if cur.state.Status != domain.InteractionStatusQueued || cur.state.Queue != from {
			return nil
		}
		return []domain.InteractionCommand{domain.QueueInteraction{Queue: to, Priority: priority}}
	})
	return len(res.Events) > 0, err
}

// RequeueFromAgent puts the agent's open written interactions back in
// their queues and releases their holds: the agent went offline, so the
// customers would otherwise wait for nobody. Calls are left to the phone
// channel, which re-queues a call whose agent's phone does not answer.
func (r *Router) RequeueFromAgent(ctx context.Context, agentID, why string) (int, error) {
	agent, err := loadExisting(ctx, r.h, agents, agentID, domain.Agent.Registered)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range slices.Sorted(maps.Keys(agent.Work)) {
		if agent.Work[id].Channel == domain.ChannelPhone {
			continue
		}
		meta := Meta{Actor: routerActor, CorrelationID: NewID(), CausationID: why + ":" + id}
		res, _, err := executePlan(ctx, r.h, interactions, id, meta, "QueueInteraction", func(cur loaded[domain.Interaction]) []domain.InteractionCommand {
			if cur.state.AgentID != agentID || cur.state.Status.Ended() {
				return nil
			}
			queue := cur.state.Queue
			if queue == "" {
				queue = DefaultQueue
			}
			return []domain.InteractionCommand{domain.QueueInteraction{Queue: queue, Priority: cur.state.Priority}}
		})
		if err != nil {
			return n, err
		}
		if len(res.Events) > 0 {
			n++
		}
		if _, err := r.h.Agent(ctx, agentID, domain.ReleaseWork{InteractionID: id, Reason: why}, meta); err != nil {
			return n, err
		}
	}
	return n, nil
}

// RequeueFromOffline re-queues the written work of every agent the view
// shows OFFLINE with load; see RequeueFromAgent.
func (r *Router) RequeueFromOffline(ctx context.Context) (int, error) {
	list, err := r.view.Agents(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, a := range list {
		if a.Presence != domain.PresenceOffline || !hasWrittenLoad(a.Load) {
			continue
		}
		n, err := r.RequeueFromAgent(ctx, a.ID, "agent offline")
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func hasWrittenLoad(load map[domain.Channel]int) bool {
	for ch, n := range load {
		if ch != domain.ChannelPhone && n > 0 {
			return true
		}
	}
	return false
}

// Run routes every Interval until ctx ends; a failed round is logged and
// the next one tries again.
func (r *Router) Run(ctx context.Context) {
	tick := time.NewTicker(r.cfg.Interval)
	defer tick.Stop()
	for {
		if n, err := r.RequeueFromOffline(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("router: re-queueing from offline agents failed", "err", err)
		} else if n > 0 {
			r.log.Info("router: re-queued the work of offline agents", "interactions", n)
		}
		if stats, err := r.RouteOnce(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("router: round failed", "err", err)
		} else if stats.Assigned+stats.Overflowed > 0 {
			r.log.Debug("router: round", "assigned", stats.Assigned, "lost", stats.Lost, "overflowed", stats.Overflowed)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
