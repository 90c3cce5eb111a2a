package domain_test

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideWrapUpExpiry(t *testing.T) {
	const timeout = time.Minute
	started := events(domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelPhone, Identity: phone, At: ago(10 * minute)})
	queued := concat(started, events(domain.InteractionQueued{InteractionID: "i1", Queue: "general", Priority: domain.PriorityNormal, At: ago(9 * minute)}))
	assigned := concat(queued, events(domain.InteractionAssigned{InteractionID: "i1", AgentID: "a1", Queue: "general", At: ago(8 * minute)}))
	answered := concat(assigned, events(domain.CallAnswered{InteractionID: "i1", AgentID: "a1", At: ago(7 * minute)}))
	endedAt := func(d time.Duration) []domain.Event {
		return concat(answered, events(domain.CallEnded{InteractionID: "i1", EndedBy: "CUSTOMER", At: ago(d)}))
	}
	ended := endedAt(2 * minute) // the deadline (one minute later) has passed
	expired := concat(ended, events(domain.WrapUpExpired{InteractionID: "i1", AgentID: "a1", CallEndedAt: ago(2 * minute), TimeoutSeconds: 60, At: ago(minute)}))
	closed := concat(ended, events(domain.InteractionClosed{InteractionID: "i1", Disposition: domain.DispositionResolved, AgentID: "a1", At: ago(90 * second)}))
	abandoned := concat(queued, events(domain.InteractionAbandoned{InteractionID: "i1", At: ago(minute)}))
	chat := events(
		domain.InteractionStarted{InteractionID: "i1", CustomerID: "c1", Channel: domain.ChannelWebchat, Identity: email, At: ago(10 * minute)},
		domain.InteractionAssigned{InteractionID: "i1", AgentID: "a1", At: ago(8 * minute)},
	)
	want := func(callEnded time.Time) []domain.Event {
		return events(domain.WrapUpExpired{InteractionID: "i1", AgentID: "a1", CallEndedAt: callEnded, TimeoutSeconds: 60, At: now})
	}

	cases := []struct {
		name    string
		given   []domain.Event
		timeout time.Duration
		want    []domain.Event
	}{
		{name: "never started", timeout: timeout},
		{name: "queued, no call yet", given: queued, timeout: timeout},
		{name: "assigned, ringing", given: assigned, timeout: timeout},
		{name: "answered, call not ended", given: answered, timeout: timeout},
		{name: "ended, before the deadline", given: endedAt(59 * second), timeout: timeout},
		{name: "ended, a nanosecond before the deadline", given: endedAt(minute - 1), timeout: timeout},
		{name: "ended, exactly at the deadline", given: endedAt(minute), timeout: timeout, want: want(ago(minute))},
		{name: "ended, past the deadline", given: ended, timeout: timeout, want: want(ago(2 * minute))},
		{name: "ended but closed", given: closed, timeout: timeout},
		{name: "abandoned", given: abandoned, timeout: timeout},
		{name: "expired already", given: expired, timeout: timeout},
		{name: "written channel", given: chat, timeout: timeout},
		{name: "timeout disabled", given: ended, timeout: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			state := foldAll(domain.Interaction{ID: "i1"}, domain.EvolveInteraction, tc.given)
			got := domain.DecideWrapUpExpiry(state, tc.timeout, now)
			deepEq(t, "events", got, tc.want)
			// Through the aggregate's command: the same decision, never an
			// error (a timer may ask early, late or twice), except on an
			// interaction that does not exist.
			viaCmd, err := domain.DecideInteraction(state, domain.ExpireWrapUp{Timeout: tc.timeout}, now)
			if !state.Exists() {
				eq(t, "code", domain.ErrorCode(err), domain.ENOTFOUND)
				return
			}
			if err != nil {
				t.Fatalf("ExpireWrapUp: %v", err)
			}
			deepEq(t, "events via ExpireWrapUp", viaCmd, tc.want)
			if len(got) == 0 {
				return
			}
			after := foldAll(state, domain.EvolveInteraction, got)
			eq(t, "WrapUpExpiredAt", after.WrapUpExpiredAt, now)
			eq(t, "Status", after.Status, state.Status) // still open, still the agent's
			eq(t, "AgentID", after.AgentID, "a1")
			eq(t, "takes voice capacity before", state.TakesVoiceCapacity(), true)
			eq(t, "takes voice capacity after", after.TakesVoiceCapacity(), false)
			again := domain.DecideWrapUpExpiry(after, tc.timeout, now.Add(time.Hour))
			eq(t, "expiring twice", len(again), 0)
		})
	}
}

func TestWrapUpDeadline(t *testing.T) {
	i := domain.Interaction{ID: "i1", Channel: domain.ChannelPhone, Status: domain.InteractionStatusAssigned, AgentID: "a1",
		AnsweredAt: ago(3 * minute), CallEndedAt: ago(2 * minute)}
	deadline, ok := domain.WrapUpDeadline(i, 90*time.Second)
	eq(t, "ok", ok, true)
	eq(t, "deadline", deadline, ago(30*second))
	if _, ok := domain.WrapUpDeadline(i, -time.Second); ok {
		t.Fatal("a negative timeout has a deadline")
	}
}

func TestTakesVoiceCapacity(t *testing.T) {
	call := domain.Interaction{ID: "i1", Channel: domain.ChannelPhone, Status: domain.InteractionStatusAssigned, AgentID: "a1"}
	cases := []struct {
		name string
		i    func(domain.Interaction) domain.Interaction
		want bool
	}{
		{"offered call", func(i domain.Interaction) domain.Interaction { return i }, true},
		{"ended call in wrap-up", func(i domain.Interaction) domain.Interaction {
			i.AnsweredAt, i.CallEndedAt = ago(2*minute), ago(minute)
			return i
		}, true},
		{"wrap-up expired", func(i domain.Interaction) domain.Interaction {
			i.AnsweredAt, i.CallEndedAt, i.WrapUpExpiredAt = ago(3*minute), ago(2*minute), ago(minute)
			return i
		}, false},
		{"closed", func(i domain.Interaction) domain.Interaction { i.Status = domain.InteractionStatusClosed; return i }, false},
		{"queued", func(i domain.Interaction) domain.Interaction {
			i.Status, i.AgentID = domain.InteractionStatusQueued, ""
			return i
		}, false},
		{"chat", func(i domain.Interaction) domain.Interaction { i.Channel = domain.ChannelWebchat; return i }, false},
	}
	for _, tc := range cases {
		eq(t, tc.name, tc.i(call).TakesVoiceCapacity(), tc.want)
	}
}
