package main

import (
	"context"
	"flag"
	"log/slog"
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
// when an agent's phone is free: it offers the router, which the SIP
// component gets among the offers.
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

// provide builds the router and offers it (to the phone channel).
func (c *routingComponent) provide(core *serveCore) (offers, error) {
	if !c.enabled {
		return offers{}, nil
	}
	cfg := routing.DefaultConfig()
	if c.file != "" {
		var err error
		if cfg, err = config.LoadRouting(c.file); err != nil {
			return offers{}, &exitError{code: 2, err: err}
		}
	}
	c.router = routing.NewRouter(core.handler, cfg, routing.NewCachedView(projections.NewRoutingView(core.readDB), 250*time.Millisecond))
	slog.Info("router enabled", "queues", len(cfg.Rules.Queues), "channels", cfg.Channels, "voice_blocks_others", cfg.Rules.VoiceBlocksOthers)
	return offers{router: c.router}, nil
}

// start runs the router's rounds on the node that holds its lease.
func (c *routingComponent) start(core *serveCore, _ offers) error {
	if c.router != nil {
		core.goRun(func() { follow.Lead(core.ctx, core.lease, "router", core.followMetrics, slog.Default(), c.router.Run) })
	}
	return nil
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
