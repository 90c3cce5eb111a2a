package main

import (
	"flag"
	"log/slog"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/config"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/sla"
)

// slaStateFile is the SLA policy's state and checkpoint in the data
// directory. It is not a read model: dropping the read models must not
// reset it (it would only be rebuilt from the ledger, more slowly).
const slaStateFile = "sla-policy.db"

// slaComponent runs the ticket workflow policies in `ledger serve`: the
// keyword rules that classify new tickets, and the SLA policy (tickets'
// clocks started, paused and fulfilled from ticket events, interactions'
// response clocks from queueing, replies and closes, warnings and breaches
// fired when due, breached tickets escalated).
type slaComponent struct {
	enabled bool
	file    string
	rules   string
}

func newSLAComponent() serveComponent { return &slaComponent{} }

func (c *slaComponent) addFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.enabled, "sla-policy", true, "run the SLA clocks of tickets and interactions (start, pause, warn, breach, escalate tickets)")
	fs.StringVar(&c.rules, "ticket-rules", envOr("LEDGER_TICKET_RULES", ""), "keyword rules for new tickets' category and priority, JSON or YAML (env LEDGER_TICKET_RULES; default: built-in Chinese and English rules)")
	fs.StringVar(&c.file, "sla", envOr("LEDGER_SLA", ""), "SLA policy file, JSON or YAML (env LEDGER_SLA; default: built-in targets, tickets by priority and interactions by channel, round the clock)")
}

func (c *slaComponent) start(core *serveCore, _ offers) error {
	rules := domain.DefaultTicketRules()
	if c.rules != "" {
		var err error
		if rules, err = config.LoadTicketRules(c.rules); err != nil {
			return err
		}
	}
	core.handler.SetTicketRules(rules)
	if !c.enabled {
		return nil
	}
	cfg := sla.DefaultConfig()
	if c.file != "" {
		var err error
		if cfg, err = config.LoadSla(c.file); err != nil {
			return err
		}
	}
	runner, err := sla.NewRunner(core.ctx, core.handler, cfg, filepath.Join(core.dataDir, slaStateFile), slog.Default(),
		sla.WithFollower(follow.Options{Lease: core.lease, Metrics: core.followMetrics}), sla.WithOrigin(core.singletons.origin("sla")), core.singletons.slaHandover())
	if err != nil {
		return err
	}
	if core.registry != nil {
		err := core.registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ledger_sla_policy_position", Help: "$all position the SLA policy has handled.",
		}, func() float64 { return float64(runner.Position()) }))
		if err == nil {
			err = core.registry.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "ledger_sla_fired_total", Help: "SLA warnings and breaches fired by this process.",
			}, func() float64 { return float64(runner.Fired()) }))
		}
		if err != nil {
			_ = runner.Close()
			return err
		}
	}
	core.goRun(func() {
		defer runner.Close()
		runFollower(core.ctx, "sla", runner.Run)
	})
	slog.Info("SLA policy enabled", "policies", len(cfg.Policies), "supervisor_queue", cfg.SupervisorQueue)
	return nil
}
