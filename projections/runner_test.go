package projections

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
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
	err := r.RunOnce(h.ctx)
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

// TestRunnerStopsAtUndecodableEvent: an event the projections cannot read
// (a type this build does not know, a newer schema, data that does not
// decode) is never skipped. Run fails with an error naming it; everything
// before it is applied, nothing from it on, and the checkpoints stay just
// before it, across retries and rebuilds; the blocked gauge shows it.
func TestRunnerStopsAtUndecodableEvent(t *testing.T) {
	for _, c := range []struct {
		name, stream, typ string
		schema            int
		data, reason      string
	}{
		{"unknown type", "other-1", "SomethingFromTheFuture", 1, `{"x":1}`, ReasonUnknownType},
		{"newer schema", "customer-c9", "CustomerRegistered", domain.CurrentSchema + 1, `{"customerId":"c9"}`, ReasonNewerSchema},
		{"bad data", "customer-c9", "CustomerRegistered", 1, `{"customerId": 42}`, ReasonBadData},
		{"bad message on the fast path", "interaction-i9", "MessageReceived", 1, `{"text":5}`, ReasonBadData},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			before := h.append(domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Ann", Tier: domain.TierStandard, At: at(0)})
			bad := h.appendRaw(c.stream, c.typ, c.schema, c.data)
			h.append(domain.CustomerRegistered{CustomerID: "c2", DisplayName: "Bo", Tier: domain.TierStandard, At: at(1)})

			reg := prometheus.NewPedanticRegistry()
			r := NewRunner(h.store, h.db, quietLogger, Standard()...)
			if err := r.RegisterMetrics(reg); err != nil {
				t.Fatal(err)
			}
			for attempt := range 2 { // a retry stops at the same event
				checkBlocked(t, h, r, runWithTimeout(t, h, r), bad, c.stream, c.typ, c.reason)
				if attempt == 0 {
					for _, p := range r.Projections() {
						if got := metricValue(t, reg, "ledger_projection_blocked", p); got != 1 {
							t.Errorf("ledger_projection_blocked{%s} = %v, want 1", p, got)
						}
					}
				}
			}
			if _, err := h.db.Customer(h.ctx, "c1"); err != nil || before != bad-1 {
				t.Errorf("the event before the bad one was not applied: %v", err)
			}
			if _, err := h.db.Customer(h.ctx, "c2"); !isNotFound(err) {
				t.Errorf("the event after the bad one was applied: %v", err)
			}
			// A rebuild stops at the same place.
			var ue *UndecodableEventError
			if err := r.Rebuild(h.ctx, nil); !errors.As(err, &ue) || ue.Position != bad {
				t.Fatalf("Rebuild = %v, want an UndecodableEventError at %d", err, bad)
			}
			checkBlocked(t, h, r, runWithTimeout(t, h, r), bad, c.stream, c.typ, c.reason)
		})
	}
}

// TestRunnerStopsAtUndecodableEventLive: the same on the live feed, and on
// a store without the lean bulk read.
func TestRunnerStopsAtUndecodableEventLive(t *testing.T) {
	h := newHarness(t)
	r := NewRunner(plainStore{h.store}, h.db, quietLogger, Standard()...)
	done := make(chan error, 1)
	go func() { done <- r.Run(h.ctx) }()
	h.wait(r, h.append(domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Ann", Tier: domain.TierStandard, At: at(0)}))
	bad := h.appendRaw("other-1", "SomethingFromTheFuture", 1, `{"x":1}`)
	h.append(domain.CustomerRegistered{CustomerID: "c2", DisplayName: "Bo", Tier: domain.TierStandard, At: at(1)})
	select {
	case err := <-done:
		checkBlocked(t, h, r, err, bad, "other-1", "SomethingFromTheFuture", ReasonUnknownType)
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not stop at the bad event")
	}
	checkBlocked(t, h, r, runWithTimeout(t, h, r), bad, "other-1", "SomethingFromTheFuture", ReasonUnknownType)
}

// plainStore hides the store's optional interfaces (eventstore.BulkReader),
// so the runner takes its fallback path.
type plainStore struct{ eventstore.Store }

// runWithTimeout runs r until it returns, failing the test if it does not
// within 30 seconds.
func runWithTimeout(t *testing.T, h *harness, r *Runner) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	err := r.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("Run did not stop at the bad event")
	}
	return err
}

// checkBlocked checks that err reports the bad event and that every
// checkpoint, in memory and stored, is just before it.
func checkBlocked(t *testing.T, h *harness, r *Runner, err error, bad uint64, stream, typ, reason string) {
	t.Helper()
	var ue *UndecodableEventError
	if !errors.As(err, &ue) {
		t.Fatalf("Run = %v, want an *UndecodableEventError", err)
	}
	if ue.Position != bad || ue.Stream != stream || ue.Type != typ || ue.Reason != reason {
		t.Errorf("error names position %d, stream %s, type %s, reason %s; want %d, %s, %s, %s",
			ue.Position, ue.Stream, ue.Type, ue.Reason, bad, stream, typ, reason)
	}
	for _, want := range []string{fmt.Sprint("position ", bad), stream, typ, reason} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if pos := r.Position(); pos != bad-1 {
		t.Errorf("Position() = %d, want %d (just before the bad event)", pos, bad-1)
	}
	if n := count(t, h.db, "checkpoints", "position = ?", bad-1); n != len(Standard()) {
		t.Errorf("%d stored checkpoints at %d, want all %d", n, bad-1, len(Standard()))
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
