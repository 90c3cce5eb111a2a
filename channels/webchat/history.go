package webchat

import (
	"context"
	"fmt"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// transcript is the conversation so far: its current interaction's
// messages, read from the ledger itself (not a read model), so a message
// acknowledged a moment ago is in it.
type transcript struct {
	interactionID string
	status        domain.InteractionStatus
	messages      []MessageFrame
	// position is that of the last event read: frames at or before it are
	// in the transcript.
	position uint64
}

const readPage = 512

// loadTranscript reads the current interaction of the conversation key
// names, keeping its last limit messages.
func loadTranscript(ctx context.Context, store eventstore.Store, names domain.StreamNames, key string, limit int) (transcript, error) {
	current, err := currentInteraction(ctx, store, names, key)
	if err != nil || current == "" {
		return transcript{}, err
	}
	t := transcript{interactionID: current}
	state := domain.Interaction{ID: current}
	err = readStream(ctx, store, domain.InteractionStream(current), func(rec eventstore.RecordedEvent, e domain.Event) {
		state = domain.EvolveInteraction(state, e)
		t.position = rec.Position
		if f, ok := messageFrame(rec, e); ok {
			t.messages = append(t.messages, f)
		}
	})
	if len(t.messages) > limit {
		t.messages = t.messages[len(t.messages)-limit:]
	}
	t.status = state.Status
	return t, err
}

// currentAttachments returns the files of the messages of the
// conversation's current interaction, both ways.
func currentAttachments(ctx context.Context, store eventstore.Store, names domain.StreamNames, key string) ([]domain.Attachment, error) {
	current, err := currentInteraction(ctx, store, names, key)
	if err != nil || current == "" {
		return nil, err
	}
	var out []domain.Attachment
	err = readStream(ctx, store, domain.InteractionStream(current), func(_ eventstore.RecordedEvent, e domain.Event) {
		switch e := e.(type) {
		case domain.MessageReceived:
			out = append(out, e.Attachments...)
		case domain.MessageSent:
			out = append(out, e.Attachments...)
		}
	})
	return out, err
}

// currentInteraction is the conversation's current interaction ("" when
// it has none yet).
func currentInteraction(ctx context.Context, store eventstore.Store, names domain.StreamNames, key string) (string, error) {
	var conv domain.Conversation
	for _, convStream := range names.ConversationStreams(domain.ChannelWebchat, key) {
		err := readStream(ctx, store, convStream, func(_ eventstore.RecordedEvent, e domain.Event) {
			conv = domain.EvolveConversation(conv, e)
		})
		if err != nil {
			return "", err
		}
		if conv.Current != "" {
			break
		}
	}
	return conv.Current, nil
}

// messageFrame turns a message event into the frame a client gets.
func messageFrame(rec eventstore.RecordedEvent, e domain.Event) (MessageFrame, bool) {
	switch e := e.(type) {
	case domain.MessageReceived:
		return MessageFrame{Type: frameMessage, ID: e.MessageID, Direction: DirectionIn, Text: e.Text, Attachments: frameAttachments(e.Attachments), At: e.At, Position: rec.Position}, true
	case domain.MessageSent:
		return MessageFrame{Type: frameMessage, ID: replyID(e.MessageID, rec.ID.String()), Direction: DirectionOut, AgentID: e.AgentID, Text: e.Text,
			Attachments: frameAttachments(e.Attachments), At: e.At, Position: rec.Position}, true
	}
	return MessageFrame{}, false
}

// replyID names an agent's reply: the id the agent's client gave it, or
// else its event's id.
func replyID(messageID, eventID string) string {
	if messageID != "" {
		return messageID
	}
	return eventID
}

func readStream(ctx context.Context, store eventstore.Store, stream string, fn func(eventstore.RecordedEvent, domain.Event)) error {
	for from := int64(0); ; {
		page, err := store.ReadStream(ctx, stream, from, readPage)
		if err != nil {
			return fmt.Errorf("read %s: %w", stream, err)
		}
		for _, rec := range page {
			e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
			if err != nil {
				return fmt.Errorf("read %s at version %d: %w", stream, rec.Version, err)
			}
			fn(rec, e)
			from = rec.Version + 1
		}
		if len(page) < readPage {
			return nil
		}
	}
}
