package commands

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

type metrics struct {
	commands *prometheus.CounterVec
	duration *prometheus.HistogramVec
	retries  *prometheus.CounterVec
	// intake counts customers' messages by channel: the dashboard's
	// intake panel (ledger_commands_total has no channel).
	intake *prometheus.CounterVec
	// queueWait is how long interactions waited in their queue for an
	// agent, observed once when the assignment is appended.
	queueWait *prometheus.HistogramVec
	// slaBreaches counts SLA breaches appended (ledger_sla_fired_total
	// counts warnings too), by the clock's metric.
	slaBreaches *prometheus.CounterVec

	// The aggregate state cache (cache.go).
	cacheHits      prometheus.Counter
	cacheMisses    *prometheus.CounterVec
	cacheEvictions *prometheus.CounterVec
	cacheEntries   prometheus.Gauge
}

// newMetrics creates the command metrics and registers them with r (when
// r is nil they are kept but not exported).
func newMetrics(r prometheus.Registerer) *metrics {
	m := &metrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_commands_total", Help: "Commands executed, by command and outcome code.",
		}, []string{"command", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ledger_command_duration_seconds", Help: "Command latency: load, decide and append.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, []string{"command"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_command_conflict_retries_total", Help: "Commands decided again after a version conflict.",
		}, []string{"command"}),
		intake: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_channel_messages_total", Help: "Customers' inbound messages handed to the ledger, by channel and outcome code (ok once recorded, a provider's redelivery included).",
		}, []string{"channel", "outcome"}),
		queueWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ledger_queue_wait_seconds", Help: "How long interactions waited in their queue before an agent was assigned, by queue.",
			Buckets: []float64{1, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600},
		}, []string{"queue"}),
		slaBreaches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_sla_breaches_total", Help: "SLA breaches recorded, by the clock's metric (FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION).",
		}, []string{"metric"}),
		cacheHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ledger_aggregate_cache_hits_total", Help: "Aggregate loads that started from a cached state and read only the events after it.",
		}),
		cacheMisses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_aggregate_cache_misses_total",
			Help: "Aggregate loads that read the whole stream: absent (no entry) or idempotency (the entry could not tell whether a retried request was applied).",
		}, []string{"reason"}),
		cacheEvictions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_aggregate_cache_evictions_total",
			Help: "Aggregate cache entries dropped: budget (least recently used), conflict (a version or event id conflict on append), failed (another append error).",
		}, []string{"reason"}),
		cacheEntries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ledger_aggregate_cache_entries", Help: "Streams whose folded state the aggregate cache holds.",
		}),
	}
	if r != nil {
		r.MustRegister(m.commands, m.duration, m.retries, m.intake, m.queueWait, m.slaBreaches, m.cacheHits, m.cacheMisses, m.cacheEvictions, m.cacheEntries)
	}
	// The default queue always exists: its series are there (empty)
	// before the first assignment, so dashboards and alerts see 0, not
	// "no data".
	m.queueWait.WithLabelValues(DefaultQueue)
	for _, metric := range []domain.SlaMetric{domain.SlaFirstResponse, domain.SlaNextResponse, domain.SlaResolution} {
		m.slaBreaches.WithLabelValues(string(metric))
	}
	return m
}

// observeEvents measures what the appended events tell: queue waits and
// SLA breaches.
func (h *Handler) observeEvents(events []domain.Event) {
	for _, e := range events {
		switch e := e.(type) {
		case domain.InteractionAssigned:
			queue := e.Queue
			if queue == "" {
				queue = DefaultQueue
			}
			h.metrics.queueWait.WithLabelValues(queue).Observe(e.WaitSeconds)
		case domain.SlaBreached:
			h.metrics.slaBreaches.WithLabelValues(string(e.Metric)).Inc()
		}
	}
}

// observe logs and measures one executed command.
func (h *Handler) observe(ctx context.Context, command, stream string, start time.Time, res Result, err error) {
	elapsed := time.Since(start)
	outcome := "ok"
	if err != nil {
		outcome = domain.ErrorCode(err)
	}
	h.metrics.commands.WithLabelValues(command, outcome).Inc()
	h.metrics.duration.WithLabelValues(command).Observe(elapsed.Seconds())
	level := slog.LevelDebug
	if _, unavailable := eventstore.Unavailable(err); err != nil && outcome == domain.EINTERNAL && !unavailable {
		// A full disk is logged once per episode by the store, not once
		// per refused command.
		level = slog.LevelWarn
	}
	h.logger.Log(ctx, level, "command", "command", command, "stream", stream,
		"events", len(res.Events), "position", res.Position, "duration", elapsed, "outcome", outcome, "err", err)
}
