package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/prometheus/client_golang/prometheus"
)

// runnerMetrics are the runner's Prometheus instruments. They always exist
// (recording into unregistered collectors is cheap); RegisterMetrics
// exposes them.
type runnerMetrics struct {
	position      *prometheus.GaugeVec
	applied       *prometheus.CounterVec
	blocked       *prometheus.GaugeVec
	failures      *prometheus.CounterVec
	batchSeconds  prometheus.Histogram
	batchEvents   prometheus.Histogram
	positionTotal prometheus.Gauge
}

func newRunnerMetrics() *runnerMetrics {
	return &runnerMetrics{
		position: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ledger_projection_position",
			Help: "The $all position each projection has applied.",
		}, []string{"projection"}),
		applied: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_projection_events_applied_total",
			Help: "Events applied, by projection.",
		}, []string{"projection"}),
		blocked: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ledger_projection_blocked",
			Help: "1 while the projection is stopped before an event it cannot decode or apply (see the log), else 0.",
		}, []string{"projection"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_projection_batch_failures_total",
			Help: "Batches that failed and were rolled back, by reason: unknown_type, newer_schema, bad_data (undecodable events), apply.",
		}, []string{"reason"}),
		batchSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ledger_projection_batch_seconds",
			Help:    "Time to apply and commit one batch of events.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 18),
		}),
		batchEvents: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ledger_projection_batch_events",
			Help:    "Events per applied batch.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}),
		positionTotal: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ledger_projection_applied_position",
			Help: "The $all position every projection has applied (read-your-writes waits for it).",
		}),
	}
}

func (m *runnerMetrics) register(reg prometheus.Registerer, lag prometheus.Collector) error {
	for _, c := range []prometheus.Collector{m.position, m.applied, m.blocked, m.failures, m.batchSeconds, m.batchEvents, m.positionTotal, lag} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register projection metrics: %w", err)
		}
	}
	return nil
}

// RegisterMetrics registers the runner's Prometheus metrics with reg:
// ledger_projection_position{projection}, ledger_projection_applied_position,
// ledger_projection_lag_events (head of the store minus the applied
// position, read at scrape time), ledger_projection_events_applied_total,
// ledger_projection_blocked{projection} (1 while a projection is stopped
// before an event it cannot decode or apply: alert on it),
// ledger_projection_batch_failures_total{reason}, the batch histograms,
// and the read database's ledger_view_cache_lookups_total{view, result}.
func (r *Runner) RegisterMetrics(reg prometheus.Registerer) error {
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "ledger_projection_lag_events",
		Help: "Events committed to the store that not every projection has applied yet.",
	}, r.lag)
	m, err := follow.NewMetrics(reg)
	if err != nil {
		return err
	}
	r.followMetrics = m
	if err := reg.Register(r.db.views.lookups); err != nil {
		return fmt.Errorf("register view cache metrics: %w", err)
	}
	return r.metrics.register(reg, lag)
}

func (r *Runner) lag() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	head, err := r.store.HeadPosition(ctx)
	if err != nil {
		head = r.head.Load()
	}
	if pos := r.position.Load(); head > pos {
		return float64(head - pos)
	}
	return 0
}
