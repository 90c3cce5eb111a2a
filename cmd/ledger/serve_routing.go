package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/channels/sip"
	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/routing"
	"github.com/interactionledger/ledger/projections"
)

// wrapUpStateFile is the wrap-up timer's schedule and checkpoint in the
// data directory. Like the SLA policy's, it is not a read model: dropping
// the read models must not reset it.
const wrapUpStateFile = "wrapup-policy.db"

// routingComponent runs the router in `ledger serve`: rounds that assign
// the written channels' waiting interactions (and re-queue the work of
// agents who went offline), the AgentChooser the phone channel asks when
// an agent's phone is free (it offers the router, which the SIP component
// gets among the offers), and the wrap-up timer that releases an agent's
// voice capacity when their after-call work runs past the timeout.
type routingComponent struct {
	enabled bool
	file    string
	wrapUp  string

	router *routing.Router // once started; tests use it
	timer  *routing.WrapUp // nil when the wrap-up timeout is 0
	cfg    routing.Config
}

func newRoutingComponent() serveComponent { return &routingComponent{} }

func (c *routingComponent) addFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.enabled, "router", true, "run the router: skills, capacity, priority, bullseye relaxation and overflow for waiting interactions and calls")
	fs.StringVar(&c.file, "routing", envOr("LEDGER_ROUTING", ""), "routing configuration, JSON or YAML: queues' skills, relaxation, overflow, capacities (env LEDGER_ROUTING; default: every queue open to every available agent)")
	fs.StringVar(&c.wrapUp, "wrap-up-timeout", envOr("LEDGER_WRAP_UP_TIMEOUT", ""), "after-call work: how long after a call ends the agent's voice capacity stays held if they have not closed the interaction, e.g. 60s; 0 holds it until they close it (env LEDGER_WRAP_UP_TIMEOUT; default the --routing file's wrapUpTimeout, else 60s)")
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
	if c.wrapUp != "" {
		d, err := time.ParseDuration(c.wrapUp)
		if err != nil || d < 0 {
			return offers{}, &exitError{code: 2, err: fmt.Errorf("--wrap-up-timeout: %q is not a duration of 0 or more", c.wrapUp)}
		}
		cfg.WrapUpTimeout = d
	}
	c.cfg = cfg
	c.router = routing.NewRouter(core.handler, cfg, routing.NewCachedView(projections.NewRoutingView(core.readDB), 250*time.Millisecond))
	slog.Info("router enabled", "queues", len(cfg.Rules.Queues), "channels", cfg.Channels, "voice_blocks_others", cfg.Rules.VoiceBlocksOthers,
		"wrap_up_timeout", cfg.WrapUpTimeout)
	return offers{router: c.router}, nil
}

// start runs the router's rounds and the wrap-up timer on the node that
// holds their lease. The timer runs with the router only: without it the
// phone channel frees a phone when its call ends (sip.FirstAvailable), so
// there is no voice capacity to release.
func (c *routingComponent) start(core *serveCore, _ offers) error {
	if c.router == nil {
		return nil
	}
	core.goRun(func() { follow.Lead(core.ctx, core.lease, "router", core.followMetrics, slog.Default(), c.router.Run) })
	if c.cfg.WrapUpTimeout <= 0 {
		return nil
	}
	timer, err := routing.NewWrapUp(core.ctx, core.handler, c.cfg.WrapUpTimeout, filepath.Join(core.dataDir, wrapUpStateFile), slog.Default(),
		routing.WithWrapUpFollower(follow.Options{Lease: core.lease, Metrics: core.followMetrics}), routing.WithWrapUpOrigin(core.singletons.origin("wrap-up")), core.singletons.wrapUpStandby())
	if err != nil {
		return err
	}
	if core.registry != nil {
		err := core.registry.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "ledger_wrap_up_expired_total", Help: "Wrap-ups (after-call work) this process expired, releasing the agent's voice capacity.",
		}, func() float64 { return float64(timer.Expired()) }))
		if err != nil {
			_ = timer.Close()
			return err
		}
	}
	c.timer = timer
	core.goRun(func() {
		defer timer.Close()
		runFollower(core.ctx, "wrap-up", timer.Run)
	})
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
