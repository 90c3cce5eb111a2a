package main

import (
	"flag"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/qa"
)

// analyticsComponent wires the analytics side into `ledger serve`: the
// sink (events -> ClickHouse, or the embedded back end without
// --clickhouse), running continuously and retrying while its back end is
// down (the ledger keeps accepting interactions meanwhile; the sink
// catches up from its checkpoint); the QA policy scoring closed
// interactions; and the Reporter the GraphQL component serves.
type analyticsComponent struct {
	dsn       string
	qa        bool
	scorecard string
}

func newAnalyticsComponent() serveComponent { return &analyticsComponent{} }

func (c *analyticsComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.dsn, "clickhouse", envOr("LEDGER_CLICKHOUSE", ""),
		"ClickHouse DSN for analytics, e.g. clickhouse://127.0.0.1:9000/default (env LEDGER_CLICKHOUSE); empty: the embedded back end in the data directory")
	fs.BoolVar(&c.qa, "qa", true, "score closed interactions with the QA scorecards")
	fs.StringVar(&c.scorecard, "qa-scorecards", envOr("LEDGER_QA_SCORECARDS", ""), "QA scorecard file, JSON or YAML (env LEDGER_QA_SCORECARDS; default: the built-in scorecards)")
}

func (c *analyticsComponent) start(deps *serveDeps) error {
	backend, err := openAnalytics(deps.ctx, deps.dataDir, c.dsn)
	if err != nil {
		return err
	}
	key, err := analyticsKey(deps.dataDir)
	if err != nil {
		_ = backend.Close()
		return err
	}
	var policy *qa.Policy
	if c.qa {
		cards, err := loadScorecards(c.scorecard)
		if err != nil {
			_ = backend.Close()
			return err
		}
		policy = qa.NewPolicy(deps.store, commands.NewHandler(deps.store), cards, qa.CheckpointPath(deps.dataDir), slog.Default(),
			follow.Options{Lease: deps.lease, Metrics: deps.followMetrics})
	}
	sink := analytics.NewSink(deps.store, backend, key, analytics.WithLease(deps.lease), analytics.WithFollowerMetrics(deps.followMetrics))
	if err := registerSinkMetrics(deps.registry, sink, policy); err != nil {
		_ = backend.Close()
		return err
	}
	deps.reporter = analytics.NewReporter(backend)
	deps.goRun(func() {
		defer backend.Close()
		runFollower(deps.ctx, "analytics-sink", sink.Run)
	})
	if policy != nil {
		deps.goRun(func() { runFollower(deps.ctx, "qa", policy.Run) })
	}
	slog.Info("analytics enabled", "backend", backend.Dialect().Name(), "qa", c.qa)
	return nil
}

func registerSinkMetrics(reg prometheus.Registerer, sink *analytics.Sink, policy *qa.Policy) error {
	if reg == nil {
		return nil
	}
	collectors := []prometheus.Collector{prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ledger_analytics_sink_position", Help: "$all position the analytics sink has written to its back end.",
	}, func() float64 { return float64(sink.Position()) })}
	if policy != nil {
		collectors = append(collectors, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ledger_qa_policy_position", Help: "$all position the QA policy has scored up to.",
		}, func() float64 { return float64(policy.Position()) }))
	}
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
