package follow

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are every follower's metrics, labelled follower=<name>. One
// value serves all followers of a process.
type Metrics struct {
	position *prometheus.GaugeVec
	lag      *prometheus.GaugeVec
	events   *prometheus.CounterVec
	errors   *prometheus.CounterVec
	halted   *prometheus.GaugeVec
	leader   *prometheus.GaugeVec
}

// NewMetrics returns the followers' metrics, registered with reg when it
// is not nil (a collector registered already is reused).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		position: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ledger_follower_position", Help: "Position in $all of the last event the follower handled."}, []string{"follower"}),
		lag:      prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ledger_follower_lag_events", Help: "Events in the ledger the follower has not handled yet."}, []string{"follower"}),
		events:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ledger_follower_events_total", Help: "Events the follower handled."}, []string{"follower"}),
		errors:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ledger_follower_errors_total", Help: "Failures of the follower (each one retried with backoff, or a halt)."}, []string{"follower"}),
		halted:   prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ledger_follower_halted_position", Help: "Position of the event the follower halted on (a poison event); 0 while it runs."}, []string{"follower"}),
		leader:   prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ledger_follower_leader", Help: "1 while this node holds the singleton follower's lease."}, []string{"follower"}),
	}
	if reg == nil {
		return m, nil
	}
	var errs []error
	m.position = register(reg, m.position, &errs)
	m.lag = register(reg, m.lag, &errs)
	m.events = register(reg, m.events, &errs)
	m.errors = register(reg, m.errors, &errs)
	m.halted = register(reg, m.halted, &errs)
	m.leader = register(reg, m.leader, &errs)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("follower metrics: %w", err)
	}
	return m, nil
}

// register registers c, or returns the collector registered before it.
func register[C prometheus.Collector](reg prometheus.Registerer, c C, errs *[]error) C {
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(C); ok {
				return existing
			}
		}
		*errs = append(*errs, err)
	}
	return c
}

// unregistered serves followers given no Metrics.
var unregistered, _ = NewMetrics(nil)

// followerMetrics are one follower's series.
type followerMetrics struct {
	position, lag, halted, leader prometheus.Gauge
	events, errors                prometheus.Counter
}

func (m *Metrics) of(name string) followerMetrics {
	if m == nil {
		m = unregistered
	}
	return followerMetrics{
		position: m.position.WithLabelValues(name), lag: m.lag.WithLabelValues(name),
		halted: m.halted.WithLabelValues(name), leader: m.leader.WithLabelValues(name),
		events: m.events.WithLabelValues(name), errors: m.errors.WithLabelValues(name),
	}
}
