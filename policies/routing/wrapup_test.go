package routing_test

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/commands/commandstest"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/policies/routing"
)

// fakeClock is the handlers' clock in the wrap-up tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func clockHandler(t *testing.T) (*commands.Handler, eventstore.Store, *fakeClock) {
	store := commandstest.NewStore(t)
	clock := &fakeClock{t: t0}
	return commands.NewHandler(store, commands.WithClock(clock.Now), commands.WithLogger(slog.New(slog.DiscardHandler))), store, clock
}

const wrapUp = time.Minute

// answeredCall starts a call in the general queue, gives it to agentID
// through the capacity protocol (the agent's voice hold and the
// assignment), has the agent answer, and returns.
func answeredCall(t *testing.T, h *commands.Handler, cfg routing.Config, id, agentID string) {
	t.Helper()
	ctx := t.Context()
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613900000042"}
	if _, err := h.Interaction(ctx, id, commands.Meta{},
		domain.StartInteraction{InteractionID: id, CustomerID: "c-" + id, Channel: domain.ChannelPhone, Identity: phone},
		domain.QueueInteraction{Queue: "general"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.AssignRouted(ctx, cfg.Assignment(id, agentID, false)); err != nil {
		t.Fatalf("assign %s to %s: %v", id, agentID, err)
	}
	if _, err := h.Interaction(ctx, id, commands.Meta{}, domain.OfferCall{AgentID: agentID}, domain.AnswerCall{AgentID: agentID}); err != nil {
		t.Fatal(err)
	}
}

func endCall(t *testing.T, h *commands.Handler, id string) {
	t.Helper()
	if _, err := h.Interaction(t.Context(), id, commands.Meta{}, domain.EndCall{EndedBy: "CUSTOMER"}); err != nil {
		t.Fatal(err)
	}
}

func newWrapUp(t *testing.T, h *commands.Handler, path string) *routing.WrapUp {
	t.Helper()
	w, err := routing.NewWrapUp(t.Context(), h, wrapUp, path, slog.New(slog.DiscardHandler), routing.WithWrapUpHistory())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// follow has the timer handle the ledger up to its head.
func follow(t *testing.T, w *routing.WrapUp, store eventstore.Store) {
	t.Helper()
	if head := commandstest.Head(t, store); head > w.Position() {
		if err := w.Follow(t.Context(), head); err != nil {
			t.Fatal(err)
		}
	}
}

func fire(t *testing.T, w *routing.WrapUp, want int) {
	t.Helper()
	n, err := w.FireDue(t.Context())
	if err != nil || n != want {
		t.Fatalf("FireDue = %d, %v; want %d expiries", n, err, want)
	}
}

// expiries returns the WrapUpExpired events of the ledger, with their
// records, and the AgentWorkReleased events.
func expiries(t *testing.T, store eventstore.Store) ([]eventstore.RecordedEvent, []domain.WrapUpExpired, []domain.AgentWorkReleased) {
	t.Helper()
	recs, events := allEvents(t, store)
	var outRecs []eventstore.RecordedEvent
	var out []domain.WrapUpExpired
	var released []domain.AgentWorkReleased
	for i, e := range events {
		switch e := e.(type) {
		case domain.WrapUpExpired:
			outRecs, out = append(outRecs, recs[i]), append(out, e)
		case domain.AgentWorkReleased:
			released = append(released, e)
		}
	}
	return outRecs, out, released
}

// TestWrapUpExpiresOnceAfterTheTimeout: the expiry is recorded when the
// timeout has passed since the call ended, not a moment before, once,
// with an id derived from the CallEnded event; the agent's hold is
// released on their stream with it.
func TestWrapUpExpiresOnceAfterTheTimeout(t *testing.T) {
	h, store, clock := clockHandler(t)
	cfg := routing.DefaultConfig()
	registerAvailable(t, h, "a1", nil, nil)
	w := newWrapUp(t, h, "")
	answeredCall(t, h, cfg, "call1", "a1")
	ended := t0.Add(2 * time.Minute)
	clock.Set(ended)
	endCall(t, h, "call1")
	follow(t, w, store)
	if n, err := w.Pending(t.Context()); err != nil || n != 1 {
		t.Fatalf("Pending = %d, %v; want the call in wrap-up", n, err)
	}

	clock.Set(ended.Add(wrapUp - time.Millisecond))
	fire(t, w, 0)
	if _, got, _ := expiries(t, store); len(got) != 0 {
		t.Fatalf("expired before the timeout: %+v", got)
	}
	clock.Set(ended.Add(wrapUp))
	fire(t, w, 1)
	fire(t, w, 0)
	clock.Set(ended.Add(10 * wrapUp))
	fire(t, w, 0)
	follow(t, w, store)
	fire(t, w, 0)

	recs, got, released := expiries(t, store)
	if len(got) != 1 {
		t.Fatalf("%d WrapUpExpired events, want 1: %+v", len(got), got)
	}
	want := domain.WrapUpExpired{InteractionID: "call1", AgentID: "a1", CallEndedAt: ended, TimeoutSeconds: 60, At: ended.Add(wrapUp)}
	if got[0] != want {
		t.Errorf("WrapUpExpired = %+v, want %+v", got[0], want)
	}
	meta, err := eventstore.ParseMetadata(recs[0].Metadata)
	if err != nil || meta.Actor != routing.WrapUpActor || meta.CausationID == "" {
		t.Errorf("metadata %+v, %v; want the wrap-up actor, caused by CallEnded", meta, err)
	}
	if len(released) != 1 || released[0].InteractionID != "call1" || released[0].AgentID != "a1" || released[0].Reason != "wrap-up expired" {
		t.Errorf("AgentWorkReleased = %+v, want call1's hold released", released)
	}
	it, _ := h.LoadInteraction(t.Context(), "call1")
	if it.Status.Ended() || it.AgentID != "a1" || it.TakesVoiceCapacity() {
		t.Errorf("after the expiry the call is %+v; want open, a1's, without voice capacity", it)
	}
	if a, _ := h.LoadAgent(t.Context(), "a1"); a.Load(domain.ChannelPhone) != 0 {
		t.Errorf("a1 still holds %v", a.Work)
	}
	// The agent can still close it, with a disposition.
	if _, err := h.Interaction(t.Context(), "call1", commands.Meta{}, domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: "a1"}); err != nil {
		t.Errorf("closing after the expiry: %v", err)
	}
	if w.Expired() != 1 {
		t.Errorf("Expired = %d, want 1", w.Expired())
	}
}

// TestWrapUpSurvivesARestart: the schedule is in the timer's state file, so
// a timer started again after the call ended (the CallEnded event long
// handled) still fires it; a second process with its own state, reading
// the same ledger, records nothing more.
func TestWrapUpSurvivesARestart(t *testing.T) {
	h, store, clock := clockHandler(t)
	cfg := routing.DefaultConfig()
	registerAvailable(t, h, "a1", nil, nil)
	path := filepath.Join(t.TempDir(), "wrapup.db")
	first, err := routing.NewWrapUp(t.Context(), h, wrapUp, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	answeredCall(t, h, cfg, "call1", "a1")
	clock.Set(t0.Add(time.Minute))
	endCall(t, h, "call1")
	follow(t, first, store)
	seen := first.Position()
	if err := first.Close(); err != nil { // the process stops
		t.Fatal(err)
	}

	clock.Set(t0.Add(5 * time.Minute))
	again, err := routing.NewWrapUp(t.Context(), h, wrapUp, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Position() != seen {
		t.Fatalf("restarted at position %d, want the checkpoint %d", again.Position(), seen)
	}
	fire(t, again, 1)

	// Another node, catching up on the same ledger from the start: its
	// firing finds the expiry recorded.
	other := newWrapUp(t, h, "")
	if err := other.Follow(t.Context(), seen); err != nil {
		t.Fatal(err)
	}
	fire(t, other, 0)
	if _, got, _ := expiries(t, store); len(got) != 1 {
		t.Fatalf("%d WrapUpExpired events after a restart and a second process, want 1", len(got))
	}
}

// TestWrapUpClosedBeforeTheTimeout: closing the interaction in time
// prevents the expiry, whether the timer saw the close or not.
func TestWrapUpClosedBeforeTheTimeout(t *testing.T) {
	h, store, clock := clockHandler(t)
	cfg := routing.DefaultConfig()
	registerAvailable(t, h, "a1", nil, nil)
	registerAvailable(t, h, "a2", nil, nil)
	w := newWrapUp(t, h, "")
	answeredCall(t, h, cfg, "seen", "a1")
	answeredCall(t, h, cfg, "unseen", "a2")
	clock.Set(t0.Add(time.Minute))
	endCall(t, h, "seen")
	endCall(t, h, "unseen")
	follow(t, w, store)
	clock.Set(t0.Add(time.Minute + 30*time.Second))
	for _, id := range []string{"seen", "unseen"} {
		if _, err := h.Interaction(t.Context(), id, commands.Meta{}, domain.CloseInteraction{Disposition: domain.DispositionResolved}); err != nil {
			t.Fatal(err)
		}
		if id == "seen" {
			follow(t, w, store) // the timer learns of this close before the deadline
		}
	}
	clock.Set(t0.Add(time.Hour))
	fire(t, w, 0)
	follow(t, w, store)
	fire(t, w, 0)
	if _, got, _ := expiries(t, store); len(got) != 0 {
		t.Fatalf("closed calls expired: %+v", got)
	}
	if n, err := w.Pending(t.Context()); err != nil || n != 0 {
		t.Fatalf("Pending = %d, %v; want nothing left", n, err)
	}
}

// TestWrapUpReleasesVoiceCapacity: the router gives an agent in after-call
// work no next call and, as voice blocks written work, no chat; once the
// wrap-up expired it gives them both. The read side here shows the agent
// free throughout (the worst lag): the agent's stream decides, whether the
// chooser writes the call's hold before answering (syncCallHolds) or just
// after (the default, which checks the stream first). The read side's own
// load has its test in projections (TestAgentsWrapUpExpiredReleasesVoiceLoad).
func TestWrapUpReleasesVoiceCapacity(t *testing.T) {
	for _, sync := range []bool{false, true} {
		t.Run(fmt.Sprintf("syncCallHolds=%t", sync), func(t *testing.T) {
			h, store, clock := clockHandler(t)
			ctx := t.Context()
			cfg := routing.DefaultConfig()
			cfg.SyncCallHolds = sync
			a1 := registerAvailable(t, h, "a1", nil, nil)
			router := routing.NewRouter(h, cfg, &staticView{agents: []domain.RoutingAgent{a1}})
			w := newWrapUp(t, h, "")
			phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613900000043"}
			waitingCall := func(id string) domain.WaitingItem {
				t.Helper()
				if _, err := h.Interaction(ctx, id, commands.Meta{},
					domain.StartInteraction{InteractionID: id, CustomerID: "c-" + id, Channel: domain.ChannelPhone, Identity: phone},
					domain.QueueInteraction{Queue: "general"}); err != nil {
					t.Fatal(err)
				}
				return domain.WaitingItem{InteractionID: id, Channel: domain.ChannelPhone, Queue: "general", Priority: domain.PriorityNormal, QueuedAt: clock.Now()}
			}
			choose := func(call domain.WaitingItem, want string) {
				t.Helper()
				got, err := router.ChooseAgent(ctx, call, map[string]time.Time{"a1": t0})
				if err != nil || got != want {
					t.Fatalf("ChooseAgent(%s) = %q, %v; want %q", call.InteractionID, got, err, want)
				}
				if want == "" {
					return
				}
				// As the phone channel does: assign, offer, answer.
				if _, err := h.Interaction(ctx, call.InteractionID, commands.Meta{}, domain.AssignInteraction{AgentID: want},
					domain.OfferCall{AgentID: want}, domain.AnswerCall{AgentID: want}); err != nil {
					t.Fatal(err)
				}
				waitHold(t, h, want, call.InteractionID)
			}

			call1 := waitingCall("call1")
			choose(call1, "a1")
			// While a1 is on call1, and while its hold may still be being
			// written: nobody for call2.
			call2 := waitingCall("call2")
			choose(call2, "")
			ended := t0.Add(time.Minute)
			clock.Set(ended)
			endCall(t, h, "call1")
			follow(t, w, store)

			queueChat(t, h, "chat1", "general", 1)
			assertRefused := func(when string) {
				t.Helper()
				if got, err := router.ChooseAgent(ctx, call2, map[string]time.Time{"a1": t0}); err != nil || got != "" {
					t.Fatalf("%s: ChooseAgent = %q, %v; want nobody (a1 is in wrap-up)", when, got, err)
				}
				if _, err := h.AssignRouted(ctx, cfg.Assignment("chat1", "a1", false)); !errors.Is(err, commands.ErrAssignmentLost) {
					t.Fatalf("%s: chat to a1 = %v; want refused (voice blocks others)", when, err)
				}
			}
			clock.Set(ended.Add(wrapUp / 2))
			assertRefused("in wrap-up")
			clock.Set(ended.Add(wrapUp - time.Millisecond))
			fire(t, w, 0)
			assertRefused("just before the timeout")

			clock.Set(ended.Add(wrapUp))
			fire(t, w, 1)
			// The chooser leaves an agent their stream just refused out
			// for a moment (the read side catching up), then asks again.
			clock.Set(ended.Add(wrapUp + time.Second))
			choose(call2, "a1")
			a, _ := h.LoadAgent(ctx, "a1")
			if _, held := a.Work["call2"]; !held || a.Load(domain.ChannelPhone) != 1 {
				t.Fatalf("a1 holds %v, want call2 only", a.Work)
			}
		})
	}
}

// waitHold waits until the agent's stream holds the interaction (the
// chooser may write the hold just after answering).
func waitHold(t *testing.T, h *commands.Handler, agentID, interactionID string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, err := h.LoadAgent(t.Context(), agentID)
		if err != nil {
			t.Fatal(err)
		}
		if _, held := a.Work[interactionID]; held {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never held %s: %v", agentID, interactionID, a.Work)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWrapUpStaleHoldWithoutTheRelease: should the timer's release on the
// agent's stream be lost (a crash between its two appends), the agent's
// next reservation releases the hold as stale in the same append.
func TestWrapUpStaleHoldWithoutTheRelease(t *testing.T) {
	h, _, clock := clockHandler(t)
	ctx := t.Context()
	cfg := routing.DefaultConfig()
	registerAvailable(t, h, "a1", nil, nil)
	answeredCall(t, h, cfg, "call1", "a1")
	clock.Set(t0.Add(time.Minute))
	endCall(t, h, "call1")
	clock.Set(t0.Add(2 * time.Minute))
	// Only the interaction's event, as the timer's first append.
	if _, err := h.Interaction(ctx, "call1", commands.Meta{}, domain.ExpireWrapUp{Timeout: wrapUp}); err != nil {
		t.Fatal(err)
	}
	queueChat(t, h, "chat1", "general", 1)
	if _, err := h.AssignRouted(ctx, cfg.Assignment("chat1", "a1", false)); err != nil {
		t.Fatalf("chat to a1 after the expiry: %v", err)
	}
	if a, _ := h.LoadAgent(ctx, "a1"); a.Load(domain.ChannelPhone) != 0 || a.Load(domain.ChannelWebchat) != 1 {
		t.Fatalf("a1 holds %v, want chat1 only", a.Work)
	}
}
