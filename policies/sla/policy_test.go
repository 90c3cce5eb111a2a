package sla_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/policies/sla"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var testSlaConfig = sla.Config{SupervisorQueue: "supervisors", Policies: []domain.SlaPolicy{{
	Name: "test", WarnShare: 0.5,
	Targets: domain.SlaTargets{FirstResponse: time.Hour, NextResponse: time.Hour, Resolution: 4 * time.Hour},
}}}

func newSlaRunner(t *testing.T, h *commands.Handler, statePath string) *sla.Runner {
	t.Helper()
	r, err := sla.NewRunner(t.Context(), h, testSlaConfig, statePath, slog.New(slog.DiscardHandler), sla.WithHistory())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func head(t *testing.T, store eventstore.Store) uint64 {
	t.Helper()
	pos, err := store.HeadPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// copyFile copies a closed SQLite file (the state of a process at the
// moment it stopped).
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// openTicketFromChat starts a chat from a customer and opens a ticket on
// it; it returns the ticket and the chat's interaction.
func openTicketFromChat(t *testing.T, h *commands.Handler, who string) (string, string) {
	t.Helper()
	in, err := h.ReceiveInbound(t.Context(), inbound(domain.ChannelWebchat, domain.IdentityAccount, "acct-"+who, "msg-"+who), commands.Meta{Actor: "customer"})
	if err != nil {
		t.Fatal(err)
	}
	_, ticket, err := h.OpenTicket(t.Context(), domain.OpenTicket{CustomerID: in.CustomerID, Category: domain.CategoryComplaint,
		Subject: "ticket " + who, InteractionID: in.InteractionID, OpenedBy: "agent:a1"}, commands.Meta{Actor: "agent:a1"})
	if err != nil {
		t.Fatal(err)
	}
	return ticket.ID, in.InteractionID
}

// TestSlaRestartLosesNoBreachAndFiresNoneTwice runs SLA clocks of three
// tickets through responses, a pause and breaches, stopping the policy in
// the middle (its state file rolled back to before a breach it had fired,
// as after a crash before the due time was saved), restarting it twice
// from its checkpoint and racing two timers; every clock must breach
// exactly once, and every breach escalate its ticket exactly once.
func TestSlaRestartLosesNoBreachAndFiresNoneTwice(t *testing.T) {
	ctx := t.Context()
	store, h, clock := clockedLedger(t)
	dir := t.TempDir()
	statePath := filepath.Join(dir, "sla.db")
	agent := commands.Meta{Actor: "agent:a1"}

	a, chatA := openTicketFromChat(t, h, "a") // answered in time, resolution breaches
	b, _ := openTicketFromChat(t, h, "b")     // waits on the customer for a while
	c, _ := openTicketFromChat(t, h, "c")     // never answered: both clocks breach

	r1 := newSlaRunner(t, h, statePath)
	follow := func(r *sla.Runner) {
		t.Helper()
		if err := r.Follow(ctx, head(t, store)); err != nil {
			t.Fatal(err)
		}
	}
	fire := func(r *sla.Runner, at time.Duration) int {
		t.Helper()
		clock.Set(t0.Add(at))
		n, err := r.FireDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	follow(r1)

	clock.Set(t0.Add(10 * time.Minute))
	if _, err := h.Ticket(ctx, b, domain.AssignTicket{AgentID: "a1"}, agent); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Ticket(ctx, b, domain.ChangeTicketStatus{To: domain.TicketStatusPendingCustomer, Reason: "need the invoice"}, agent); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(20 * time.Minute))
	if _, err := h.Interaction(ctx, chatA, agent, domain.SendMessage{MessageID: "reply-a", AgentID: "a1", Text: "we are on it"}); err != nil {
		t.Fatal(err)
	}
	follow(r1)
	if n := fire(r1, 29*time.Minute); n != 0 {
		t.Fatalf("%d SLA events fired before anything was due", n)
	}
	if n := fire(r1, 30*time.Minute); n != 1 {
		t.Fatalf("at 30 min: %d SLA events fired, want ticket c's first-response warning", n)
	}

	// The process stops here; a copy of its state is what a crash right
	// after the next firing would have left behind.
	if err := r1.Close(); err != nil {
		t.Fatal(err)
	}
	copyFile(t, statePath, filepath.Join(dir, "before-breach.db"))
	r1 = newSlaRunner(t, h, statePath)
	if n := fire(r1, time.Hour); n != 1 {
		t.Fatalf("at 1 h: %d SLA events fired, want ticket c's first-response breach", n)
	}
	if err := r1.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart from the state as it was before the breach was fired: the
	// due time still says "due", the checkpoint lies before the breach.
	copyFile(t, filepath.Join(dir, "before-breach.db"), statePath)
	r2 := newSlaRunner(t, h, statePath)
	if n := fire(r2, time.Hour+time.Minute); n != 0 {
		t.Fatalf("after the restart %d SLA events fired again", n)
	}
	follow(r2) // sees the breach: escalates ticket c
	if err := r2.Close(); err != nil {
		t.Fatal(err)
	}
	// A second crash, again before the checkpoint moved past the breach:
	// the escalation is read again and must not happen twice.
	copyFile(t, filepath.Join(dir, "before-breach.db"), statePath)
	r3 := newSlaRunner(t, h, statePath)
	defer r3.Close()
	follow(r3)

	clock.Set(t0.Add(2 * time.Hour))
	if _, err := h.Ticket(ctx, b, domain.ChangeTicketStatus{To: domain.TicketStatusInProgress, Reason: "invoice received"}, agent); err != nil {
		t.Fatal(err)
	}
	follow(r3)

	// Two timers (two processes, each with its own state) race at 4 h:
	// tickets a and c breach their resolution clocks, each once.
	other := newSlaRunner(t, h, "")
	defer other.Close()
	if err := other.Follow(ctx, head(t, store)); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(4 * time.Hour))
	var wg sync.WaitGroup
	for _, r := range []*sla.Runner{r3, other} {
		wg.Go(func() {
			if _, err := r.FireDue(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	follow(r3)
	// Ticket b was paused for 1 h 50 min (10 min to 2 h): its resolution
	// deadline is 5 h 50 min after opening.
	if n := fire(r3, 5*time.Hour+49*time.Minute); n != 0 {
		t.Fatalf("ticket b fired %d SLA events before its moved deadline", n)
	}
	fire(r3, 5*time.Hour+50*time.Minute)
	follow(r3)
	if err := other.Follow(ctx, head(t, store)); err != nil {
		t.Fatal(err)
	}

	recs, events := allEvents(t, store)
	breaches := map[string]int{}
	escalations := map[string]int{}
	for i, e := range events {
		switch e := e.(type) {
		case domain.SlaBreached:
			breaches[fmt.Sprintf("%s/%s/%d", name(a, b, c, e.TicketID), e.Metric, e.Cycle)]++
		case domain.TicketEscalated:
			escalations[fmt.Sprintf("%s/%s", name(a, b, c, e.TicketID), e.Metric)]++
			if recs[i].Stream != domain.TicketStream(e.TicketID) {
				t.Fatalf("escalation in %s", recs[i].Stream)
			}
		}
	}
	want := map[string]int{"c/FIRST_RESPONSE/0": 1, "a/RESOLUTION/0": 1, "c/RESOLUTION/0": 1, "b/RESOLUTION/0": 1}
	if fmt.Sprint(breaches) != fmt.Sprint(want) {
		t.Fatalf("breaches %v, want each of %v exactly once", breaches, want)
	}
	wantEsc := map[string]int{"c/FIRST_RESPONSE": 1, "a/RESOLUTION": 1, "c/RESOLUTION": 1, "b/RESOLUTION": 1}
	if fmt.Sprint(escalations) != fmt.Sprint(wantEsc) {
		t.Fatalf("escalations %v, want %v", escalations, wantEsc)
	}
	// Ticket c breached twice: NORMAL -> URGENT -> CRITICAL, in the
	// supervisors' queue.
	tc, err := h.LoadTicket(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if tc.Priority != domain.PriorityCritical || tc.Queue != "supervisors" || tc.Escalations != 2 {
		t.Fatalf("ticket c after two breaches: priority %s queue %q escalations %d", tc.Priority, tc.Queue, tc.Escalations)
	}
	// Ticket a's first response was in time.
	sa, err := h.LoadSla(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if fr := sa.Clocks[domain.SlaFirstResponse]; !fr.Fulfilled || fr.Breached || fr.Consumed != 20*time.Minute {
		t.Fatalf("ticket a's first response: %+v", fr)
	}
	if n := countType[domain.SlaWarning](events); n != 4 {
		t.Fatalf("%d warnings, want one per breached clock (4)", n)
	}
}

func name(a, b, c, id string) string {
	return map[string]string{a: "a", b: "b", c: "c"}[id]
}

// TestSlaFirstStartBeginsAtTheHead: enabling SLA clocks on a ledger with
// old tickets does not breach and escalate them all at once; tickets
// opened afterwards get their clocks.
func TestSlaFirstStartBeginsAtTheHead(t *testing.T) {
	ctx := t.Context()
	h, store := newHandler(t)
	old, _ := openTicketFromChat(t, h, "old")
	r, err := sla.NewRunner(ctx, h, testSlaConfig, filepath.Join(t.TempDir(), "sla.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Position() != head(t, store) {
		t.Fatalf("first start at %d, want the head %d", r.Position(), head(t, store))
	}
	fresh, _ := openTicketFromChat(t, h, "new")
	if err := r.Follow(ctx, head(t, store)); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int{old: 0, fresh: 2} {
		s, err := h.LoadSla(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Clocks) != want {
			t.Errorf("ticket %s has %d clocks, want %d", id, len(s.Clocks), want)
		}
	}
}
