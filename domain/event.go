package domain

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Event is a fact the ledger records. Type names are past tense.
type Event interface {
	EventType() string
}

// CurrentSchema is the data-shape version written for every event type.
// When a shape changes, bump it for that type and register an upcaster.
const CurrentSchema = 1

type decoder func(data []byte) (Event, error)

var registry = map[string]decoder{}

// register makes E decodable by its type name.
func register[E Event]() {
	var zero E
	registry[zero.EventType()] = func(data []byte) (Event, error) {
		var e E
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, err
		}
		return e, nil
	}
}

// EncodeEvent returns the type name, schema version and JSON data of e.
func EncodeEvent(e Event) (string, int, []byte, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode %s: %w", e.EventType(), err)
	}
	return e.EventType(), CurrentSchema, data, nil
}

// DecodeEvent turns a stored event back into its domain type. Unknown types
// are an error: a reader must not silently skip facts it does not know.
func DecodeEvent(eventType string, schema int, data []byte) (Event, error) {
	decode, ok := registry[eventType]
	if !ok {
		return nil, fmt.Errorf("decode: unknown event type %q", eventType)
	}
	if schema > CurrentSchema {
		return nil, fmt.Errorf("decode %s: schema %d is newer than this build (%d)", eventType, schema, CurrentSchema)
	}
	e, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return e, nil
}

// EventTypes returns every registered event type name, sorted.
func EventTypes() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
