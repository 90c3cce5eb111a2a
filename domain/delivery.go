package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CategoryDelivery holds the delivery record of each interaction's replies.
const CategoryDelivery = "delivery"

// DeliveryStream names the stream recording how the agents' replies of one
// interaction reached the customer. It is separate from the interaction's
// own stream so delivery attempts (written by the outbound dispatcher, at
// its own pace and with retries) never contend with the conversation.
func DeliveryStream(interactionID string) string { return CategoryDelivery + "-" + interactionID }

// maxDeliveryReasonBytes bounds the failure text kept from a provider.
const maxDeliveryReasonBytes = 1024

// Deliveries is the delivery record of one interaction's replies, folded
// from delivery-<interactionId>: per reply (keyed by the id of its
// MessageSent event), how many attempts were made and how they ended.
type Deliveries struct {
	InteractionID string
	// Messages is keyed by the MessageSent event's id. It is copied on
	// write, so states returned by earlier Evolve calls stay unchanged.
	Messages map[string]MessageDelivery
}

// MessageDelivery is the delivery state of one reply.
type MessageDelivery struct {
	Attempts  int
	Delivered bool
	// GaveUp is true once a failure was permanent or the last attempt the
	// dispatcher was willing to make failed.
	GaveUp    bool
	LastError string
}

// Settled reports whether no further attempt will be made.
func (m MessageDelivery) Settled() bool { return m.Delivered || m.GaveUp }

// Of returns the delivery state of the reply recorded by the MessageSent
// event with id sourceEventID (zero when nothing was attempted yet).
func (d Deliveries) Of(sourceEventID string) MessageDelivery { return d.Messages[sourceEventID] }

// Delivery events. Each attempt to hand a reply to the channel is recorded,
// successful or not.
type (
	// MessageDelivered records that an attempt handed the reply to the
	// customer's channel (the provider accepted it, or a live web chat
	// session received it).
	MessageDelivered struct {
		InteractionID string  `json:"interactionId"`
		SourceEventID string  `json:"sourceEventId"`
		MessageID     string  `json:"messageId,omitempty"`
		Channel       Channel `json:"channel"`
		Attempt       int     `json:"attempt"`
		// ProviderMessageID is the provider's id for the outbound message.
		ProviderMessageID string    `json:"providerMessageId,omitempty"`
		Detail            string    `json:"detail,omitempty"`
		At                time.Time `json:"at"`
	}
	// MessageDeliveryFailed records a failed attempt. Permanent failures
	// (the provider refused the message for good) are not retried; GaveUp
	// says no further attempt will be made.
	MessageDeliveryFailed struct {
		InteractionID string    `json:"interactionId"`
		SourceEventID string    `json:"sourceEventId"`
		MessageID     string    `json:"messageId,omitempty"`
		Channel       Channel   `json:"channel"`
		Attempt       int       `json:"attempt"`
		Reason        string    `json:"reason"`
		Permanent     bool      `json:"permanent,omitempty"`
		GaveUp        bool      `json:"gaveUp,omitempty"`
		At            time.Time `json:"at"`
	}
)

func (MessageDelivered) EventType() string      { return "MessageDelivered" }
func (MessageDeliveryFailed) EventType() string { return "MessageDeliveryFailed" }

func init() {
	register[MessageDelivered]()
	register[MessageDeliveryFailed]()
}

// RecordDeliveryAttempt records the outcome of one attempt to deliver a
// reply. Attempt numbers count from 1 per reply; recording an attempt
// that is already recorded is a no-op, so a dispatcher that is unsure
// whether its record was written may simply record it again.
type RecordDeliveryAttempt struct {
	SourceEventID     string // id of the MessageSent event
	MessageID         string
	Channel           Channel
	Attempt           int
	ProviderMessageID string
	Detail            string
	// Err is the failure, "" for a success.
	Err       string
	Permanent bool
	// GaveUp marks the last attempt the dispatcher will make.
	GaveUp bool
}

// DecideDelivery decides the event recording one delivery attempt.
func DecideDelivery(d Deliveries, cmd RecordDeliveryAttempt, now time.Time) ([]Event, error) {
	if cmd.SourceEventID == "" || d.InteractionID == "" {
		return nil, invalid("a delivery attempt needs the interaction and the id of the MessageSent event")
	}
	if !cmd.Channel.Valid() {
		return nil, invalid("unknown channel %q", cmd.Channel)
	}
	cur := d.Of(cmd.SourceEventID)
	switch {
	case cmd.Attempt >= 1 && cmd.Attempt <= cur.Attempts:
		return nil, nil
	case cmd.Attempt != cur.Attempts+1:
		return nil, invalid("attempt %d of message %s follows attempt %d", cmd.Attempt, cmd.SourceEventID, cur.Attempts)
	case cur.Settled():
		return nil, conflict("message %s is already settled (delivered: %t)", cmd.SourceEventID, cur.Delivered)
	}
	if cmd.Err == "" {
		return []Event{MessageDelivered{
			InteractionID: d.InteractionID, SourceEventID: cmd.SourceEventID, MessageID: cmd.MessageID, Channel: cmd.Channel,
			Attempt: cmd.Attempt, ProviderMessageID: boundText(cmd.ProviderMessageID, 256), Detail: boundText(cmd.Detail, 256), At: now,
		}}, nil
	}
	return []Event{MessageDeliveryFailed{
		InteractionID: d.InteractionID, SourceEventID: cmd.SourceEventID, MessageID: cmd.MessageID, Channel: cmd.Channel,
		Attempt: cmd.Attempt, Reason: boundText(cmd.Err, maxDeliveryReasonBytes), Permanent: cmd.Permanent,
		GaveUp: cmd.GaveUp || cmd.Permanent, At: now,
	}}, nil
}

// EvolveDeliveries folds one event into the delivery record.
func EvolveDeliveries(d Deliveries, e Event) Deliveries {
	switch e := e.(type) {
	case MessageDelivered:
		d.InteractionID = e.InteractionID
		d = d.with(e.SourceEventID, func(m *MessageDelivery) { m.Attempts, m.Delivered = e.Attempt, true })
	case MessageDeliveryFailed:
		d.InteractionID = e.InteractionID
		d = d.with(e.SourceEventID, func(m *MessageDelivery) { m.Attempts, m.GaveUp, m.LastError = e.Attempt, e.GaveUp, e.Reason })
	}
	return d
}

func (d Deliveries) with(sourceEventID string, change func(*MessageDelivery)) Deliveries {
	messages := cloneMap(d.Messages)
	m := messages[sourceEventID]
	change(&m)
	messages[sourceEventID] = m
	d.Messages = messages
	return d
}

// boundText makes text from outside (a provider's error) fit for the
// ledger: valid UTF-8, trimmed, at most maxBytes, cut at a rune boundary.
// Unlike cleanText it never refuses: the attempt happened and must be
// recorded whatever the provider answered.
func boundText(text string, maxBytes int) string {
	text = strings.TrimSpace(strings.ToValidUTF8(text, "\uFFFD"))
	if len(text) <= maxBytes {
		return text
	}
	cut := maxBytes
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}
