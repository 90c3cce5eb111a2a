package domain

import (
	"time"
)

// Conversation tracks which interaction currently carries an ongoing
// exchange on one channel (a SIP dialog, an email thread, a chat session,
// or simply "SMS with this number"). New inbound messages join the current
// interaction; once it ends, the next message starts a new one. Its stream
// is keyed by a digest of the channel and the conversation key, so the
// stream name carries no personal data.
type Conversation struct {
	Current string // interaction id; "" before the first
	Count   int    // interactions started so far
}

// ConversationStream names the stream of the conversation with the given
// channel and key in a ledger without stream-name key (see StreamNames).
func ConversationStream(channel Channel, key string) string {
	return StreamNames{}.Conversation(channel, key)
}

// ConversationInteractionOpened makes an interaction the conversation's
// current one.
type ConversationInteractionOpened struct {
	Channel       Channel   `json:"channel"`
	InteractionID string    `json:"interactionId"`
	Replaces      string    `json:"replaces,omitempty"`
	At            time.Time `json:"at"`
}

func (ConversationInteractionOpened) EventType() string { return "ConversationInteractionOpened" }

func init() { register[ConversationInteractionOpened]() }

// OpenConversationInteraction makes InteractionID current, provided the
// current one is still Replaces ("" for a new conversation). Two inbound
// messages racing to roll a conversation over both propose the same
// (deterministic) id: one wins and the other's retry is a no-op.
type OpenConversationInteraction struct {
	Channel       Channel
	InteractionID string
	Replaces      string
}

// DecideConversation decides a roll-over of the conversation's interaction.
func DecideConversation(c Conversation, cmd OpenConversationInteraction, now time.Time) ([]Event, error) {
	if cmd.InteractionID == "" {
		return nil, invalid("an interaction id is required")
	}
	if c.Current == cmd.InteractionID {
		return nil, nil
	}
	if c.Current != cmd.Replaces {
		return nil, conflict("conversation moved on to interaction %s", c.Current)
	}
	return []Event{ConversationInteractionOpened{Channel: cmd.Channel, InteractionID: cmd.InteractionID, Replaces: cmd.Replaces, At: now}}, nil
}

// EvolveConversation folds one event.
func EvolveConversation(c Conversation, e Event) Conversation {
	if e, ok := e.(ConversationInteractionOpened); ok {
		c.Current = e.InteractionID
		c.Count++
	}
	return c
}
