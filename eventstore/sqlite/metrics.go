package sqlite

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the store's Prometheus instruments. A nil *metrics records
// nothing.
type metrics struct {
	appends    *prometheus.CounterVec
	events     prometheus.Counter
	batchSize  prometheus.Histogram
	commitTime prometheus.Histogram
}

// Append outcomes, the "result" label of ledger_eventstore_appends_total.
const (
	resultOK         = "ok"
	resultIdempotent = "idempotent"
	resultConflict   = "conflict"
	resultError      = "error"
)

func newMetrics(r prometheus.Registerer) (*metrics, error) {
	if r == nil {
		return nil, nil
	}
	m := &metrics{
		appends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_eventstore_appends_total",
			Help: "Append calls handled by the writer, by result (ok, idempotent, conflict, error).",
		}, []string{"result"}),
		events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ledger_eventstore_events_appended_total",
			Help: "Events committed to the store.",
		}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ledger_eventstore_batch_events",
			Help:    "Events written per group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}),
		commitTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ledger_eventstore_batch_seconds",
			Help:    "Time to write and commit (fsync) one group commit.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}),
	}
	for _, c := range []prometheus.Collector{m.appends, m.events, m.batchSize, m.commitTime} {
		if err := r.Register(c); err != nil {
			return nil, fmt.Errorf("register event store metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) observeAppend(result string) {
	if m != nil {
		m.appends.WithLabelValues(result).Inc()
	}
}

func (m *metrics) observeBatch(events int, took time.Duration) {
	if m != nil {
		m.events.Add(float64(events))
		m.batchSize.Observe(float64(events))
		m.commitTime.Observe(took.Seconds())
	}
}
