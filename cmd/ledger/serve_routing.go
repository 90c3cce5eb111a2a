package main

import (
	"context"
	"flag"
	"log/slog"
	"sync"
	"time"

	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/routing"
	"github.com/interactionledger/ledger/projections"
)

// routingComponent runs the router in `ledger serve`: rounds that assign
// the written channels' waiting interactions (and re-queue the work of
// agents who went offline), and the AgentChooser the phone channel asks
// when an agent's phone is free. It starts before the SIP component, which
// picks the router up from deps.
type routingComponent struct {
	enabled bool
	file    string

	router *routing.Router // once started; tests use it
}

func newRoutingComponent() serveComponent { return &routingComponent{} }

func (c *routingComponent) addFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.enabled, "router", true, "run the router: skills, capacity, priority, bullseye relaxation and overflow for waiting interactions and calls")
	fs.StringVar(&c.file, "routing", envOr("LEDGER_ROUTING", ""), "routing configuration, JSON or YAML: queues' skills, relaxation, overflow, capacities (env LEDGER_ROUTING; default: every queue open to every available agent)")
}

func (c *routingComponent) start(deps *serveDeps) error {
	if !c.enabled {
		return nil
	}
	cfg := routing.DefaultConfig()
	if c.file != "" {
		var err error
		if cfg, err = config.LoadRouting(c.file); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	router := routing.NewRouter(deps.handler, cfg, &cachedRoutingView{readModelRoutingView: readModelRoutingView{deps.readDB}, ttl: 250 * time.Millisecond})
	c.router, deps.router = router, router
	deps.goRun(func() { follow.Lead(deps.ctx, deps.lease, "router", deps.followMetrics, slog.Default(), router.Run) })
	slog.Info("router enabled", "queues", len(cfg.Rules.Queues), "channels", cfg.Channels, "voice_blocks_others", cfg.Rules.VoiceBlocksOthers)
	return nil
}

// readModelRoutingView answers the router from the read models: queues,
// interactions (channel, customer), customer 360 (tier) and agents.
type readModelRoutingView struct{ db *projections.ReadDB }

func (v readModelRoutingView) Waiting(ctx context.Context, now time.Time) ([]domain.WaitingItem, error) {
	queues, err := v.db.Queues(ctx, now)
	if err != nil {
		return nil, err
	}
	var items []domain.WaitingItem
	var customerIDs []string
	for _, q := range queues {
		for _, e := range q.Waiting {
			if e.Channel == "" {
				continue // the interactions read model has not caught up yet
			}
			items = append(items, domain.WaitingItem{
				InteractionID: e.InteractionID, Channel: e.Channel, Queue: q.Name,
				Priority: e.Priority, Tier: domain.TierStandard, QueuedAt: e.QueuedAt,
			})
			customerIDs = append(customerIDs, e.CustomerID)
		}
	}
	if len(items) == 0 {
		return nil, nil
	}
	customers, err := v.db.CustomersByID(ctx, customerIDs)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if c, ok := customers[customerIDs[i]]; ok && c.Tier != "" {
			items[i].Tier = c.Tier
		}
	}
	return items, nil
}

func (v readModelRoutingView) Agents(ctx context.Context) ([]domain.RoutingAgent, error) {
	list, err := v.db.Agents(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]domain.RoutingAgent, len(list))
	for i, a := range list {
		out[i] = domain.RoutingAgent{
			ID: a.ID, Skills: a.Skills, Capacity: a.Capacity, Load: a.Load,
			Presence: a.Presence, IdleSince: a.PresenceSince,
		}
	}
	return out, nil
}

// cachedRoutingView re-reads the agents at most every ttl: the phone
// channel asks the router once per call, and presence, skills and load
// change far less often than calls arrive at a busy centre. A stale answer
// costs a refused hold (the agent's stream decides), never a wrong
// assignment.
type cachedRoutingView struct {
	readModelRoutingView
	ttl time.Duration

	mu     sync.Mutex
	at     time.Time
	agents []domain.RoutingAgent
}

func (v *cachedRoutingView) Agents(ctx context.Context) ([]domain.RoutingAgent, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.agents != nil && time.Since(v.at) < v.ttl {
		return v.agents, nil
	}
	agents, err := v.readModelRoutingView.Agents(ctx)
	if err != nil {
		return nil, err
	}
	v.agents, v.at = agents, time.Now()
	return agents, nil
}

// routerChooser makes the router the phone channel's AgentChooser: the
// call is matched with the queue's rules (skills, bullseye relaxation,
// overflow, voice capacity, longest idle phone among equals) and the
// chosen agent's voice capacity is held on their stream. The phone channel
// asks for its calls in arrival order, one at a time, so priority and tier
// (which order several waiting interactions) do not enter a call's choice.
type routerChooser struct {
	router *routing.Router
}

// Choose implements sip.AgentChooser.
func (c routerChooser) Choose(ctx context.Context, call sip.WaitingCall, candidates []sip.Candidate) (string, error) {
	if len(candidates) == 0 {
		return "", nil
	}
	idle := make(map[string]time.Time, len(candidates))
	for _, cand := range candidates {
		idle[cand.AgentID] = cand.IdleSince
	}
	item := domain.WaitingItem{
		InteractionID: call.InteractionID, Channel: domain.ChannelPhone, Queue: call.Queue,
		Priority: domain.PriorityNormal, Tier: domain.TierStandard, QueuedAt: call.WaitingSince,
	}
	return c.router.ChooseAgent(ctx, item, idle)
}
