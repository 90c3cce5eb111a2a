package domain

import "time"

// Wrap-up (after-call work). After an answered call ends, the agent
// usually still has work on it (notes, a disposition, a follow-up): the
// interaction stays open, assigned to them and in their inbox, and it
// keeps taking their voice capacity, so the router gives them no next
// call (and, with voiceBlocksOthers, no written work). A contact centre
// bounds that time: once the wrap-up timeout has passed since the call
// ended and the agent has not closed the interaction, WrapUpExpired is
// recorded on the interaction. From then on the interaction no longer
// counts against the agent's PHONE capacity, on the write side (the
// agent's hold is stale, see commands.AssignRouted) and on the read side
// (projections.Agents' load), but it stays open and the agent's: they can
// still close it with a disposition, send a message about it and so on.
// The expiry is final for the interaction: a later transfer or re-queue of
// it does not make it take voice capacity again.

// DefaultWrapUpTimeout is how long after a call ends an agent may keep its
// interaction open before their voice capacity is released.
const DefaultWrapUpTimeout = 60 * time.Second

// WrapUpExpired records that the after-call work of an answered call ran
// past the wrap-up timeout with the interaction still open: the call no
// longer takes its agent's voice capacity. The interaction stays open.
type WrapUpExpired struct {
	InteractionID string    `json:"interactionId"`
	AgentID       string    `json:"agentId"`
	CallEndedAt   time.Time `json:"callEndedAt"`
	// TimeoutSeconds is the wrap-up timeout that applied.
	TimeoutSeconds float64   `json:"timeoutSeconds"`
	At             time.Time `json:"at"`
}

// EventType implements Event.
func (WrapUpExpired) EventType() string { return "WrapUpExpired" }

func init() { register[WrapUpExpired]() }

// ExpireWrapUp asks for the wrap-up of an ended call to be expired, given
// the configured timeout; it records WrapUpExpired only when
// WrapUpDeadline says so and the deadline has come, and is a no-op (never
// an error) otherwise, so a timer may send it early, late or twice.
type ExpireWrapUp struct{ Timeout time.Duration }

func (ExpireWrapUp) interactionCommand() {}

// WrapUpDeadline returns when the interaction's wrap-up expires under
// timeout: CallEndedAt + timeout, for an answered phone call that ended,
// is still open and assigned, and whose wrap-up has not expired yet. ok is
// false when nothing is to expire (or timeout is not positive: disabled).
func WrapUpDeadline(i Interaction, timeout time.Duration) (deadline time.Time, ok bool) {
	if timeout <= 0 || i.Channel != ChannelPhone || i.Status.Ended() || i.AgentID == "" ||
		i.AnsweredAt.IsZero() || i.CallEndedAt.IsZero() || !i.WrapUpExpiredAt.IsZero() {
		return time.Time{}, false
	}
	return i.CallEndedAt.Add(timeout), true
}

// DecideWrapUpExpiry is the wrap-up decision: WrapUpExpired once now has
// reached the deadline (exactly at it included), nothing before it or when
// nothing is to expire.
func DecideWrapUpExpiry(i Interaction, timeout time.Duration, now time.Time) []Event {
	deadline, ok := WrapUpDeadline(i, timeout)
	if !ok || now.Before(deadline) {
		return nil
	}
	return []Event{WrapUpExpired{
		InteractionID: i.ID, AgentID: i.AgentID, CallEndedAt: i.CallEndedAt,
		TimeoutSeconds: timeout.Seconds(), At: now,
	}}
}

// TakesVoiceCapacity reports whether the interaction takes a unit of its
// agent's PHONE capacity: a phone interaction that is open and assigned,
// whose wrap-up has not expired (a call in progress, or an ended call in
// after-call work). Every place that counts voice load counts this.
func (i Interaction) TakesVoiceCapacity() bool {
	return i.Channel == ChannelPhone && !i.Status.Ended() && i.AgentID != "" && i.WrapUpExpiredAt.IsZero()
}
