package sip

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// recordingChooser picks the first candidate and remembers what it saw.
type recordingChooser struct{ seen [][]string }

func (r *recordingChooser) Choose(_ context.Context, _ WaitingCall, cs []Candidate) (string, error) {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.AgentID
	}
	r.seen = append(r.seen, ids)
	if len(cs) == 0 {
		return "", nil
	}
	return cs[0].AgentID, nil
}

func newTestCall(id string, queuedAt time.Time) *call {
	return &call{id: id, queuedAt: queuedAt, events: make(chan callEvent, 8), done: make(chan struct{})}
}

// chosen returns the agent the dispatcher gave c, or "".
func chosen(c *call) string {
	select {
	case ev := <-c.events:
		return ev.(evAgentChosen).agentID
	default:
		return ""
	}
}

func TestDispatcherMatching(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	registered := []string{"a-1", "a-2"}
	chooser := &recordingChooser{}
	d := newDispatcher(chooser, func() []string { return registered }, func() time.Time { return now }, 10*time.Second, slog.Default())
	ctx := context.Background()

	// The oldest call is served first, whatever the order they are queued in.
	late, early, third := newTestCall("late", now.Add(2*time.Second)), newTestCall("early", now), newTestCall("third", now.Add(3*time.Second))
	d.enqueue(late)
	d.enqueue(early)
	d.enqueue(third)
	d.match(ctx)
	if got := chosen(early); got != "a-1" {
		t.Fatalf("early call got %q, want a-1", got)
	}
	if got := chosen(late); got != "a-2" {
		t.Fatalf("late call got %q, want a-2", got)
	}
	if got := chosen(third); got != "" {
		t.Fatalf("third call got %q with every agent busy", got)
	}

	// An agent whose phone did not answer rests; the call does not go back to them.
	now = now.Add(time.Second)
	d.release("a-1", early, true)
	early.decline("a-1")
	d.enqueue(early)
	d.match(ctx)
	if got := chosen(early) + chosen(third); got != "" {
		t.Fatalf("an agent resting after no answer was offered a call: %q", got)
	}

	// After the cooldown the agent takes the waiting call it did not
	// decline; the call that a-1 declined keeps waiting for someone else.
	now = now.Add(11 * time.Second)
	d.match(ctx)
	if got := chosen(early); got != "" {
		t.Fatalf("a declined call went back to the agent who declined it: %q", got)
	}
	if got := chosen(third); got != "a-1" {
		t.Fatalf("third call got %q, want a-1", got)
	}

	// A REFER reserves a named agent; a busy one cannot be reserved.
	if d.reserve("a-2", third) {
		t.Fatal("reserved an agent who is on a call")
	}
	d.release("a-2", late, false)
	if !d.reserve("a-2", third) || d.onCall("a-2") != third {
		t.Fatal("could not reserve a free agent")
	}
	// A call that left the queue is not matched.
	d.dequeue(early)
	d.release("a-2", third, false)
	d.match(ctx)
	if got := chosen(early); got != "" {
		t.Fatalf("a dequeued call was matched with %q", got)
	}
}
