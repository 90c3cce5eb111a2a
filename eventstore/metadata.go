package eventstore

import "encoding/json"

// Metadata is the envelope information every event carries besides its
// data: why it was written and by whom. It is stored as JSON.
type Metadata struct {
	// CorrelationID ties together every event caused by one outside
	// request (one inbound message, one GraphQL mutation).
	CorrelationID string `json:"correlationId,omitempty"`
	// CausationID is the id of the command or event that caused this one.
	CausationID string `json:"causationId,omitempty"`
	// Actor is who did it: "agent:<id>", "customer:<id>", "system:<policy>".
	Actor string `json:"actor,omitempty"`
	// Channel is the channel the request came in on, if any.
	Channel string `json:"channel,omitempty"`
	// SourceMessageID is the provider's id for the inbound message.
	SourceMessageID string `json:"sourceMessageId,omitempty"`
	// Command names the command that produced the event.
	Command string `json:"command,omitempty"`
	// TraceParent is the W3C trace context of the append's span, written
	// only while tracing is on, so the followers that act on the event
	// (possibly on another node) continue its trace (internal/tracing).
	TraceParent string `json:"traceparent,omitempty"`
}

// ParseMetadata decodes stored metadata; unknown fields are ignored and
// empty input yields the zero Metadata.
func ParseMetadata(raw []byte) (Metadata, error) {
	var m Metadata
	if len(raw) == 0 {
		return m, nil
	}
	err := json.Unmarshal(raw, &m)
	return m, err
}
