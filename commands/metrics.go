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
		r.MustRegister(m.commands, m.duration, m.retries, m.cacheHits, m.cacheMisses, m.cacheEvictions, m.cacheEntries)
	}
	return m
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
