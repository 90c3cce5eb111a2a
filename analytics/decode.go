package analytics

import (
	"bytes"
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/internal/flatjson"
)

// Decoding for the sink. Messages are about half of any ledger, and the
// sink needs only who sent them and when, so message events and metadata
// are read by a scanner of flat JSON objects; anything the scanner does not
// recognise (an attachment, an escape, an unknown key) goes through
// encoding/json, so the result never depends on the path taken.

// messageFacts is what the sink uses of a message event.
type messageFacts struct {
	interactionID string
	at            time.Time
}

// scanMessage reads a MessageReceived or MessageSent event of schema 1,
// while that is the types' current shape.
func scanMessage(eventType string, schema int, data []byte) (messageFacts, bool) {
	if !domain.IsCurrentShape(eventType, schema, 1) {
		return messageFacts{}, false
	}
	var m messageFacts
	ok := flatjson.ScanStrings(data, func(key, val []byte) bool {
		switch string(key) {
		case "interactionId":
			m.interactionID = string(val)
		case "at":
			return m.at.UnmarshalText(val) == nil
		case "messageId", "text", "sentAt":
		case "agentId":
			return eventType == "MessageSent"
		default:
			return false
		}
		return true
	})
	return m, ok && m.interactionID != "" && !m.at.IsZero()
}

// metaFacts is what the sink uses of an event's metadata.
type metaFacts struct {
	channel   string
	actorKind string
}

// scanMetadata reads the channel and the actor's kind ("agent", "customer",
// "system") from metadata; unreadable metadata yields empty facts (the
// metadata is descriptive, never what a fact's identity rests on).
func scanMetadata(raw []byte) metaFacts {
	var m metaFacts
	flatjson.ScanStrings(raw, func(key, val []byte) bool {
		switch string(key) {
		case "channel":
			m.channel = string(val)
		case "actor":
			kind, _, _ := bytes.Cut(val, []byte(":"))
			m.actorKind = string(kind)
		}
		return true
	})
	return m
}

// currentData is e's data in its type's current shape, which scanAt
// reads: the stored bytes while they are in it, else their upcast
// (domain.UpcastData), so an old shape's "at" is never read as the
// current one's. A type this build does not know is scanned as stored.
func currentData(e eventstore.LeanEvent) ([]byte, error) {
	if current := domain.SchemaOf(e.Type); current == 0 || max(e.Schema, 1) == current {
		return e.Data, nil
	}
	return domain.UpcastData(e.Type, e.Schema, e.Data)
}

// scanAt finds the top-level "at" of an event the sink does not decode:
// every event type of the ledger records its business time there. It
// returns false when it cannot, and the caller falls back to the commit
// time.
func scanAt(data []byte) (time.Time, bool) {
	i := bytes.LastIndex(data, []byte(`"at":"`))
	if i < 0 {
		return time.Time{}, false
	}
	rest := data[i+6:]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, false
	}
	var t time.Time
	if t.UnmarshalText(rest[:j]) != nil {
		return time.Time{}, false
	}
	return t, true
}
