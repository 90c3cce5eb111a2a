package sla_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/sla"
)

// TestSlaHandoverToAStandbyNode: two nodes share a ledger, each with its
// own state file. Node A leads and starts a ticket's clocks; node B never
// reacted to the ticket. When A stops, B takes the lease, brings its state
// up to A's handover without reacting, and then fires the ticket's breach
// when it comes due: once, with the clocks started once.
func TestSlaHandoverToAStandbyNode(t *testing.T) {
	ctx := t.Context()
	store, h, clock := clockedLedger(t)
	handover := &follow.MemoryCheckpoint{}
	lease := follow.FileLease{Dir: t.TempDir(), Poll: 10 * time.Millisecond}
	node := func(name string) (*sla.Runner, context.CancelFunc, func() error) {
		r, err := sla.NewRunner(ctx, h, testSlaConfig, filepath.Join(t.TempDir(), name+".db"), slog.New(slog.DiscardHandler),
			sla.WithHistory(), sla.WithCheckEvery(10*time.Millisecond), sla.WithFollower(follow.Options{Lease: lease}), sla.WithHandover(handover))
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		var runErr error
		go func() { runErr = r.Run(runCtx); close(done) }()
		wait := func() error { <-done; return runErr }
		t.Cleanup(func() { stop(); <-done; r.Close() })
		return r, stop, wait
	}
	a, stopA, waitA := node("a")
	ticket, chat := openTicketFromChat(t, h, "a")
	// The customer writes again before anyone answered (no next-response
	// clock: the first response is still owed), then an agent answers.
	// Reacting to that message again now, after the answer, would wrongly
	// start a next-response clock: a taking-over node must not.
	clock.Set(t0.Add(5 * time.Minute))
	if _, err := h.ReceiveInbound(ctx, inbound(domain.ChannelWebchat, domain.IdentityAccount, "acct-a", "msg-a2"), commands.Meta{Actor: "customer"}); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(10 * time.Minute))
	if _, err := h.Interaction(ctx, chat, commands.Meta{Actor: "agent:a1"}, domain.SendMessage{MessageID: "reply-a", AgentID: "a1", Text: "on it"}); err != nil {
		t.Fatal(err)
	}
	commandstest.Eventually(t, "node A reacted to the ticket", func() bool { return a.Position() >= head(t, store) })
	started := slaEvents(t, store, ticket, "SlaStarted")
	if len(started) == 0 {
		t.Fatal("node A started no clock")
	}
	b, _, _ := node("b") // waits for the lease A holds
	time.Sleep(50 * time.Millisecond)
	if b.Fired() != 0 || b.Position() != 0 {
		t.Fatalf("node B acted while A leads: position %d, fired %d", b.Position(), b.Fired())
	}

	stopA()
	if err := waitA(); err != nil {
		t.Fatal(err)
	}
	if pos, found, _ := handover.Load(ctx); !found || pos < a.Position() {
		t.Fatalf("A stopped with its handover at %d (found %v); it had reacted up to %d", pos, found, a.Position())
	}
	commandstest.Eventually(t, "node B took over", func() bool { return b.Position() >= a.Position() })
	clock.Set(t0.Add(5 * time.Hour)) // past the resolution's target
	commandstest.Eventually(t, "node B fired the ticket's resolution breach", func() bool {
		return len(slaEvents(t, store, ticket, "SlaBreached")) > 0
	})
	time.Sleep(100 * time.Millisecond) // a second firing would come by now
	if got := slaEvents(t, store, ticket, "SlaBreached"); len(got) != 1 {
		t.Fatalf("%d breaches recorded, want the resolution's once", len(got))
	}
	if got := slaEvents(t, store, ticket, "SlaStarted"); len(got) != len(started) {
		t.Fatalf("%d clocks started after the takeover, want A's %d: B reacted again to what A handled", len(got), len(started))
	}
	warnings := len(slaEvents(t, store, ticket, "SlaWarning"))
	if a.Fired() != 0 || b.Fired() != int64(warnings+1) {
		t.Fatalf("fired: A %d, B %d; want B's %d warnings and the breach", a.Fired(), b.Fired(), warnings)
	}
}

// slaEvents returns the events of type typ on the ticket's SLA stream.
func slaEvents(t *testing.T, store eventstore.Store, ticketID, typ string) []eventstore.RecordedEvent {
	t.Helper()
	events, err := store.ReadStream(t.Context(), domain.SlaStream(ticketID), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []eventstore.RecordedEvent
	for _, e := range events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}
