package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/eventstore"
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
	cache     int // entities the sink keeps folded

	backend analytics.Backend // opened by provide
	running sync.WaitGroup    // the sink, which writes to backend
}

// qaPolicyCacheEntries is the QA policy's aggregate cache: the agents it
// looks up stay in it, while a review's stream, written once when its
// interaction closes, passes through instead of filling the serve-wide
// budget with states nothing reads again.
const qaPolicyCacheEntries = 1000

func newAnalyticsComponent() serveComponent { return &analyticsComponent{} }

func (c *analyticsComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.dsn, "clickhouse", envOr("LEDGER_CLICKHOUSE", ""),
		"ClickHouse DSN for analytics, e.g. clickhouse://127.0.0.1:9000/default (env LEDGER_CLICKHOUSE); empty: the embedded back end in the data directory")
	fs.BoolVar(&c.qa, "qa", true, "score closed interactions with the QA scorecards")
	fs.IntVar(&c.cache, "analytics-cache", analytics.LiveCacheLimit,
		"entities (interactions, tickets, QA reviews, customers) the analytics sink keeps folded in memory, those changed longest ago out first; a start-up catch-up of a long history runs faster with more; 0: the default")
	fs.StringVar(&c.scorecard, "qa-scorecards", envOr("LEDGER_QA_SCORECARDS", ""), "QA scorecard file, JSON or YAML (env LEDGER_QA_SCORECARDS; default: the built-in scorecards)")
}

// provide opens the back end and offers its reports. The back end closes
// at shutdown, once the sink has stopped.
func (c *analyticsComponent) provide(core *serveCore) (offers, error) {
	if c.cache < 0 {
		return offers{}, &exitError{code: 2, err: fmt.Errorf("--analytics-cache must not be negative, not %d", c.cache)}
	}
	if c.cache == 0 { // a component built without its flags
		c.cache = analytics.LiveCacheLimit
	}
	backend, err := openAnalytics(core.ctx, core.dataDir, c.dsn)
	if err != nil {
		return offers{}, err
	}
	c.backend = backend
	core.goRun(func() {
		<-core.ctx.Done()
		c.running.Wait()
		_ = backend.Close()
	})
	return offers{reporter: analytics.NewReporter(backend)}, nil
}

// start runs the sink and the QA policy.
func (c *analyticsComponent) start(core *serveCore, _ offers) error {
	key, err := analyticsKey(core.dataDir)
	if err != nil {
		return err
	}
	var policy *qa.Policy
	if c.qa {
		cards, err := loadScorecards(c.scorecard)
		if err != nil {
			return err
		}
		policy = qa.NewPolicy(core.store, commands.NewHandler(core.store, commands.WithAggregateCache(min(core.aggregateCache, qaPolicyCacheEntries))), cards, qa.CheckpointPath(core.dataDir), slog.Default(),
			follow.Options{Lease: core.lease, Metrics: core.followMetrics,
				Checkpoint: core.singletons.checkpoint("qa", follow.FileCheckpoint(qa.CheckpointPath(core.dataDir)))})
	}
	sinkLease := core.lease
	if c.dsn == "" && core.singletons.shared != nil {
		// Embedded analytics are this node's own, like its read models:
		// every node fills its own.
		sinkLease = nil
	}
	sink := analytics.NewSink(core.store, c.backend, key, analytics.WithLease(sinkLease), analytics.WithFollowerMetrics(core.followMetrics),
		analytics.WithCacheLimit(c.cache))
	if err := registerSinkMetrics(core.registry, core.store, sink, policy); err != nil {
		return err
	}
	c.running.Add(1)
	core.goRun(func() {
		defer c.running.Done()
		runFollower(core.ctx, "analytics-sink", sink.Run)
	})
	if policy != nil {
		core.goRun(func() { runFollower(core.ctx, "qa", policy.Run) })
	}
	slog.Info("analytics enabled", "backend", c.backend.Dialect().Name(), "qa", c.qa)
	return nil
}

func registerSinkMetrics(reg prometheus.Registerer, store eventstore.Store, sink *analytics.Sink, policy *qa.Policy) error {
	if reg == nil {
		return nil
	}
	collectors := []prometheus.Collector{prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ledger_analytics_sink_position", Help: "$all position the analytics sink has written to its back end.",
	}, func() float64 { return float64(sink.Position()) }), prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ledger_analytics_sink_lag_events", Help: "Events in the ledger the analytics sink has not written to its back end yet (the sink-stall alert watches it).",
	}, func() float64 { return sinkLag(store, sink) })}
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

// sinkLag is the ledger's head less the sink's position, read at a
// scrape; -1 when the head cannot be read (a closed store).
func sinkLag(store eventstore.Store, sink *analytics.Sink) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return -1
	}
	return float64(head - min(head, sink.Position()))
}
