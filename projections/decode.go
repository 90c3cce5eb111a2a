package projections

import (
	"time"

	"github.com/interactionledger/ledger/domain"
)

// decodeEvent is domain.DecodeEvent with a fast path for the two message
// events, which are most of any ledger: reflection-based encoding/json
// spends about as long on one of them as SQLite spends storing it. The fast
// path reads only the plain shape encoding/json writes for them (a flat
// object of known keys, strings without escapes); anything else (an
// attachment, an escape, an unknown or differently cased key, another
// schema) takes domain.DecodeEvent, so results never differ (see
// FuzzDecodeEvent).
func decodeEvent(eventType string, schema int, data []byte) (domain.Event, error) {
	if schema == 1 {
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
	ok := scanFlatObject(data, func(key string, val []byte) bool {
		switch key {
		case "interactionId":
			e.InteractionID = string(val)
		case "messageId":
			e.MessageID = string(val)
		case "text":
			e.Text = string(val)
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
	ok := scanFlatObject(data, func(key string, val []byte) bool {
		switch key {
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

// scanFlatObject calls field for each key and string value of a JSON
// object whose values are all strings without escapes or control
// characters. It reports false, as soon as it meets anything else or
// field does, so the caller can fall back to encoding/json.
func scanFlatObject(data []byte, field func(key string, val []byte) bool) bool {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return skipSpace(data, i+1) == len(data)
	}
	for {
		key, next, ok := plainString(data, i)
		if !ok {
			return false
		}
		i = skipSpace(data, next)
		if i >= len(data) || data[i] != ':' {
			return false
		}
		val, next, ok := plainString(data, skipSpace(data, i+1))
		if !ok || !field(string(key), val) {
			return false
		}
		i = skipSpace(data, next)
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return skipSpace(data, i+1) == len(data)
		default:
			return false
		}
	}
}

// plainString reads the JSON string at data[i], which must contain no
// escape and no control character, and returns its content and the index
// after its closing quote.
func plainString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return data[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}
