package commands

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/domain"
)

type metrics struct {
	commands *prometheus.CounterVec
	duration *prometheus.HistogramVec
	retries  *prometheus.CounterVec
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
	}
	if r != nil {
		r.MustRegister(m.commands, m.duration, m.retries)
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
	if err != nil && outcome == domain.EINTERNAL {
		level = slog.LevelWarn
	}
	h.logger.Log(ctx, level, "command", "command", command, "stream", stream,
		"events", len(res.Events), "position", res.Position, "duration", elapsed, "outcome", outcome, "err", err)
}
