package projections

import (
	"time"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/internal/flatjson"
)

// decodeEvent is domain.DecodeEvent with a fast path for the two message
// events, which are most of any ledger: reflection-based encoding/json
// spends about as long on one of them as SQLite spends storing it. The fast
// path reads only the plain shape encoding/json writes for them (a flat
// object of known keys, strings without escapes); anything else (an
// attachment, an escape, an unknown or differently cased key, another
// schema) takes domain.DecodeEvent, so results never differ (see
// FuzzDecodeEvent). The scanners read schema 1 of both types; once either
// type's shape changes they stand aside for domain.DecodeEvent (and its
// upcasters) until they are rewritten.
func decodeEvent(eventType string, schema int, data []byte) (domain.Event, error) {
	if domain.IsCurrentShape(eventType, schema, 1) {
		switch eventType {
		case "MessageReceived":
			if e, ok := fastMessageReceived(data); ok {
				return e, nil
			}
		case "MessageSent":
			if e, ok := fastMessageSent(data); ok {
				return e, nil
			}
		}
	}
	return domain.DecodeEvent(eventType, schema, data)
}

func fastMessageReceived(data []byte) (domain.MessageReceived, bool) {
	var e domain.MessageReceived
	ok := flatjson.ScanStrings(data, func(key, val []byte) bool {
		switch string(key) {
		case "interactionId":
			e.InteractionID = string(val)
		case "messageId":
			e.MessageID = string(val)
		case "text":
			e.Text = string(val)
		case "identityCheck":
			e.IdentityCheck = domain.IdentityCheck(val)
		case "authentication":
			e.Authentication = string(val)
		case "sentAt":
			return parseTime(val, &e.SentAt)
		case "at":
			return parseTime(val, &e.At)
		default:
			return false
		}
		return true
	})
	return e, ok
}

func fastMessageSent(data []byte) (domain.MessageSent, bool) {
	var e domain.MessageSent
	ok := flatjson.ScanStrings(data, func(key, val []byte) bool {
		switch string(key) {
		case "interactionId":
			e.InteractionID = string(val)
		case "messageId":
			e.MessageID = string(val)
		case "agentId":
			e.AgentID = string(val)
		case "text":
			e.Text = string(val)
		case "at":
			return parseTime(val, &e.At)
		default:
			return false
		}
		return true
	})
	return e, ok
}

func parseTime(val []byte, t *time.Time) bool {
	return t.UnmarshalText(val) == nil // the strict RFC 3339 parser time.Time.UnmarshalJSON uses
}
