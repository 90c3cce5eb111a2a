package graphql

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the API's Prometheus metrics, except the request counts
// and durations, which graphql/transport keeps.
type metrics struct {
	subscriptions prometheus.Gauge
	dropped       prometheus.Counter
	batches       *prometheus.CounterVec // data loader batches, by entity kind
	batchKeys     *prometheus.CounterVec // ids those batches read, by entity kind
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		subscriptions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "ledger_graphql_subscriptions",
			Help: "Live GraphQL subscriptions.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ledger_graphql_subscribers_dropped_total",
			Help: "Subscriptions ended because the subscriber did not keep up.",
		}),
		batches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_graphql_loader_batches_total",
			Help: "Batched reads by the data loaders, by entity kind (customer, interaction, agent).",
		}, []string{"kind"}),
		batchKeys: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ledger_graphql_loader_keys_total",
			Help: "Entities read by the data loaders' batches, by entity kind.",
		}, []string{"kind"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.subscriptions, m.dropped, m.batches, m.batchKeys} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("graphql metrics: %w", err)
		}
	}
	return m, nil
}
