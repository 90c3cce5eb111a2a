package webchat

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	sessions prometheus.Gauge
	slow     prometheus.Counter
	receive  prometheus.Histogram
	limited  prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		sessions: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ledger_webchat_sessions", Help: "Live web chat sockets."}),
		slow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ledger_webchat_slow_clients_total", Help: "Web chat sockets dropped because the client did not keep up with its frames.",
		}),
		receive: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ledger_webchat_receive_seconds",
			Help:    "Time from a customer's message frame read to its events appended.",
			Buckets: prometheus.ExponentialBuckets(0.00025, 1.5, 22), // 0.25 ms to 1.2 s, fine enough for a p99
		}),
		limited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ledger_webchat_limited_total", Help: "Web chat sockets and messages refused for coming too often from one address.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	return m, errors.Join(reg.Register(m.sessions), reg.Register(m.slow), reg.Register(m.receive), reg.Register(m.limited))
}
