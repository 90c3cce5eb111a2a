package transport

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the transports' Prometheus metrics.
type metrics struct {
	requests *prometheus.CounterVec   // by operation type and outcome
	duration *prometheus.HistogramVec // by operation type
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_graphql_requests_total",
			Help: "GraphQL operations answered, by operation type (query, mutation, subscription) and outcome (ok, error).",
		}, []string{"type", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ledger_graphql_request_duration_seconds",
			Help:    "Time to answer a GraphQL query or mutation over HTTP.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"type"}),
	}
	// The series exist at 0 from the start, so the dashboard's rates and
	// quantiles read 0 rather than "no data" before the first request.
	for _, typ := range []string{"query", "mutation"} {
		m.duration.WithLabelValues(typ)
		m.requests.WithLabelValues(typ, outcome(false))
		m.requests.WithLabelValues(typ, outcome(true))
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("graphql metrics: %w", err)
		}
	}
	return m, nil
}

// outcome labels a response: "error" when it carries any error.
func outcome(hasErrors bool) string {
	if hasErrors {
		return "error"
	}
	return "ok"
}
