package projections

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/prometheus/client_golang/prometheus"
)

// generated fills the harness's store with a generated ledger.
func (h *harness) generated(n int) *ledgerGen {
	h.t.Helper()
	g, err := appendGenerated(h.ctx, h.store, 7, n, 32)
	if err != nil {
		h.t.Fatal(err)
	}
	return g
}

func TestRunnerAppliesGeneratedLedger(t *testing.T) {
	h := newHarness(t)
	g := h.generated(4000)
	h.runToHead(h.db)

	messages := g.counts["MessageReceived"] + g.counts["MessageSent"]
	for _, c := range []struct {
		table, where string
		want         int
	}{
		{"messages", "1", messages},
		{"interactions", "1", g.counts["InteractionStarted"]},
		{"tickets", "1", g.counts["TicketOpened"]},
		{"ticket_notes", "1", g.counts["TicketNoteAdded"]},
		{"agents", "1", g.counts["AgentRegistered"]},
		{"customers", "1", g.counts["CustomerRegistered"]},
		{"interactions", "csat_pos > 0", g.counts["CsatRecorded"]},
		{"timeline", "1", g.counts["TicketOpened"] + g.counts["TicketStatusChanged"] + g.counts["TicketResolved"] + g.counts["TicketClosed"]},
		{"interactions", "status = 'ABANDONED'", g.counts["InteractionAbandoned"]},
		{"agent_work", "1", 0}, // every generated interaction ends
		{"queue_items", "1", 0},
	} {
		if got := count(t, h.db, c.table, c.where); got != c.want {
			t.Errorf("%s where %s: %d rows, want %d", c.table, c.where, got, c.want)
		}
	}
}

// TestRunnerExactlyOnceAcrossRestarts stops the runner at many points
// (between batches and inside them) and checks the result equals one
// uninterrupted run.
func TestRunnerExactlyOnceAcrossRestarts(t *testing.T) {
	h := newHarness(t)
	h.generated(3000)
	head, _ := h.store.HeadPosition(h.ctx)

	whole := h.openReadDB("whole.db")
	h.runToHead(whole)

	// The interrupted run is stopped each time the interactions projection
	// has applied 700 events: the context is cancelled in the middle of a
	// batch, which must roll the batch back; the batches before it stay.
	interrupted := h.openReadDB("interrupted.db")
	restarts := 0
	for {
		var applied atomic.Int64
		ctx, cancel := context.WithCancel(h.ctx)
		projs := Standard()
		projs[2] = &cancelAfter{Projection: projs[2], n: 700, applied: &applied, cancel: cancel}
		r := NewRunner(h.store, interrupted, quietLogger, projs...)
		r.catchUpPage, r.maxBatchEvents = 100, 250
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		waitCtx, stop := context.WithTimeout(ctx, 30*time.Second)
		err := r.WaitFor(waitCtx, head)
		stop()
		cancel()
		if runErr := <-done; runErr != nil {
			t.Fatalf("Run: %v", runErr)
		}
		if err == nil {
			break
		}
		restarts++
		if restarts > 100 {
			t.Fatal("no progress across restarts")
		}
	}
	if restarts < 2 {
		t.Fatalf("the runner was interrupted %d times, want several", restarts)
	}
	t.Logf("interrupted %d times", restarts)
	compareDumps(t, whole, interrupted)
}

// cancelAfter cancels the run's context after n applied events, so the
// batch in progress fails.
type cancelAfter struct {
	Projection
	n       int64
	applied *atomic.Int64
	cancel  context.CancelFunc
}

func (c *cancelAfter) Apply(ctx context.Context, tx *Tx, e Event) error {
	if c.applied.Add(1) == c.n {
		c.cancel()
	}
	return c.Projection.Apply(ctx, tx, e)
}

func (c *cancelAfter) Reset() { resetCache(c.Projection) }

func (c *cancelAfter) Flush(ctx context.Context, tx *Tx) error {
	return flushProjection(ctx, tx, c.Projection)
}

func flushProjection(ctx context.Context, tx *Tx, p Projection) error {
	if f, ok := p.(Flusher); ok {
		return f.Flush(ctx, tx)
	}
	return nil
}

// failingProjection fails on the event at position failAt.
type failingProjection struct {
	Projection
	failAt uint64
}

var errInjected = errors.New("injected failure")

func (f *failingProjection) Reset() { resetCache(f.Projection) }

func (f *failingProjection) Flush(ctx context.Context, tx *Tx) error {
	return flushProjection(ctx, tx, f.Projection)
}

func (f *failingProjection) Apply(ctx context.Context, tx *Tx, e Event) error {
	if e.Position == f.failAt {
		return errInjected
	}
	return f.Projection.Apply(ctx, tx, e)
}

func TestRunnerFailedBatchChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.generated(1500)
	head, _ := h.store.HeadPosition(h.ctx)

	whole := h.openReadDB("whole.db")
	h.runToHead(whole)

	db := h.openReadDB("failing.db")
	projs := Standard()
	projs[1] = &failingProjection{Projection: projs[1], failAt: head / 2}
	r := NewRunner(h.store, db, quietLogger, projs...)
	err := r.Run(h.ctx)
	if !errors.Is(err, errInjected) {
		t.Fatalf("Run = %v, want the injected failure", err)
	}
	if pos := r.Position(); pos >= head/2 {
		t.Fatalf("position %d: the failing event at %d was checkpointed", pos, head/2)
	}
	h.runToHead(db) // restart without the fault
	compareDumps(t, whole, db)
}

func TestWaitFor(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)

	ctx, cancel := context.WithTimeout(h.ctx, 50*time.Millisecond)
	defer cancel()
	if err := r.WaitFor(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitFor on an empty ledger = %v, want deadline exceeded", err)
	}

	pos := h.append(domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Ann", Tier: domain.TierGold, At: at(0)})
	h.wait(r, pos)
	if got := r.Position(); got < pos {
		t.Fatalf("Position = %d after WaitFor(%d)", got, pos)
	}
	// Read your writes: the customer is visible as soon as WaitFor returns.
	if _, err := h.db.Customer(h.ctx, "c1"); err != nil {
		t.Fatalf("Customer after WaitFor: %v", err)
	}
	if err := r.WaitFor(h.ctx, pos-1); err != nil {
		t.Fatalf("WaitFor a past position: %v", err)
	}
}

func TestRunnerSkipsUnknownAndUndecodableEvents(t *testing.T) {
	h := newHarness(t)
	reg := prometheus.NewPedanticRegistry()
	r := NewRunner(h.store, h.db, quietLogger, Standard()...)
	if err := r.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}
	h.appendRaw("other-1", "SomethingFromTheFuture", 1, `{"x":1}`)
	h.appendRaw("other-1", "SomethingFromTheFuture", 1, `{"x":2}`)
	h.appendRaw("customer-c1", "CustomerRegistered", 1, `{"customerId": 42}`) // wrong JSON type
	h.appendRaw("customer-c1", "CustomerRegistered", 99, `{"customerId":"c1"}`)
	pos := h.append(domain.CustomerRegistered{CustomerID: "c2", DisplayName: "Bo", Tier: domain.TierStandard, At: at(0)})

	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	h.wait(r, pos)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := h.db.Customer(h.ctx, "c2"); err != nil {
		t.Fatalf("the event after the bad ones was not applied: %v", err)
	}
	for _, c := range []struct {
		name, label string
		want        float64
	}{
		{"ledger_projection_events_skipped_total", skipUnknownType, 2},
		{"ledger_projection_events_skipped_total", skipUndecodable, 2},
		{"ledger_projection_events_applied_total", "customer360", 1},
		{"ledger_projection_position", "identities", float64(pos)},
		{"ledger_projection_applied_position", "", float64(pos)},
		{"ledger_projection_lag_events", "", 0},
	} {
		if got := metricValue(t, reg, c.name, c.label); got != c.want {
			t.Errorf("%s{%s} = %v, want %v", c.name, c.label, got, c.want)
		}
	}
}

// metricValue returns the value of the series of metric name whose one
// label has value label ("" for a metric without labels).
func metricValue(t *testing.T, reg prometheus.Gatherer, name, label string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if label != "" && (len(m.GetLabel()) != 1 || m.GetLabel()[0].GetValue() != label) {
				continue
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			case m.Gauge != nil:
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no metric %s{%s}", name, label)
	return 0
}
