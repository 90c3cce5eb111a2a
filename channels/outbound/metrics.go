package outbound

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/domain"
)

type metrics struct {
	attempts   *prometheus.CounterVec
	pending    prometheus.Gauge
	checkpoint prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_outbound_attempts_total",
			Help: "Reply delivery attempts by channel and outcome (delivered, failed: will retry, gave_up).",
		}, []string{"channel", "outcome"}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ledger_outbound_pending",
			Help: "Replies read from the ledger and not yet delivered or given up.",
		}),
		checkpoint: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ledger_outbound_checkpoint",
			Help: "Ledger position up to which every reply is settled.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	for _, c := range []prometheus.Collector{m.attempts, m.pending, m.checkpoint} {
		errs = append(errs, reg.Register(c))
	}
	return m, errors.Join(errs...)
}

// known creates ch's attempt series at 0, so a failure-rate alert has a
// rate to compute (and a dashboard a line) before the first attempt.
func (m *metrics) known(ch domain.Channel) {
	for _, outcome := range []string{"delivered", "failed", "gave_up"} {
		m.attempts.WithLabelValues(string(ch), outcome)
	}
}
