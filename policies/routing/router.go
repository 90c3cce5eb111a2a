// Package routing is the routing policy: who gets which waiting
// interaction. The decision is domain.Route, pure; the Router around it
// reads the waiting interactions and the agents from the read side (View,
// eventually consistent), decides, and makes each assignment through the
// command layer's capacity protocol (commands.Handler.AssignRouted), whose
// expected versions keep assignments right against any number of
// concurrent routers and a stale read side. It also answers the phone
// channel's question of which free agent takes a waiting call
// (Router.ChooseAgent). Its configuration (Config) is parsed at the edge,
// by package config.
package routing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// View is the read side the router decides on. It may lag the
// ledger: the appends' expected versions, not the view, keep assignments
// right.
type View interface {
	// Waiting lists the interactions waiting in queues, with their
	// customer's tier.
	Waiting(ctx context.Context, now time.Time) ([]domain.WaitingItem, error)
	// Agents lists every agent with presence, skills, capacity and load.
	Agents(ctx context.Context) ([]domain.RoutingAgent, error)
}

// Decide is the routing policy's decision for one round: the configured
// capacities applied to the agents, then domain.Route.
func (c Config) Decide(waiting []domain.WaitingItem, agents []domain.RoutingAgent, now time.Time) domain.RoutingDecision {
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

// Router runs routing rounds: read the view, decide, assign.
type Router struct {
	h    *commands.Handler
	cfg  Config
	view View
	log  *slog.Logger

	mu sync.Mutex
	// holding counts, per agent, the call holds being written after the
	// phone channel was answered (holdLater).
	holding map[string]int
	// refusedAt is when each agent's stream last refused a call's hold
	// (see refusalMemory).
	refusedAt map[string]time.Time
}

// NewRouter returns a router deciding with cfg on view.
func NewRouter(h *commands.Handler, cfg Config, view View) *Router {
	return &Router{h: h, cfg: cfg, view: view, log: h.Logger(), holding: map[string]int{}, refusedAt: map[string]time.Time{}}
}

// Config returns the router's configuration.
func (r *Router) Config() Config { return r.cfg }

// RoundStats counts what one round did.
type RoundStats struct {
	Assigned, Lost, Overflowed int
}

// RouteOnce runs one round over the channels the router assigns: every
// decided assignment is attempted (a lost race is counted, not an error;
// the next round decides again) and due overflows are applied.
func (r *Router) RouteOnce(ctx context.Context) (RoundStats, error) {
	var stats RoundStats
	now := r.h.Now()
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
		moved, err := r.h.MoveIfWaiting(ctx, o.InteractionID, o.From, o.To, byID[o.InteractionID].Priority, "overflow")
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
				_, err := r.h.AssignRouted(ctx, r.cfg.Assignment(a.InteractionID, a.AgentID, false))
				mu.Lock()
				switch {
				case err == nil:
					stats.Assigned++
				case errors.Is(err, commands.ErrAssignmentLost) || domain.ErrorCode(err) == domain.ENOTFOUND:
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

// RequeueFromAgent puts the agent's open written interactions back in
// their queues and releases their holds (see
// commands.Handler.RequeueFromAgent).
func (r *Router) RequeueFromAgent(ctx context.Context, agentID, why string) (int, error) {
	return r.h.RequeueFromAgent(ctx, agentID, why)
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
