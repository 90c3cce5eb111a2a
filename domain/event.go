package domain

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// Event is a fact the ledger records. Type names are past tense.
type Event interface {
	EventType() string
}

// CurrentSchema is the schema version of an event type whose shape has
// never changed (every type not in schemaChanges, upcast.go); SchemaOf
// gives a type's own. A stored schema of 0 (none) reads as 1.
const CurrentSchema = 1

// events is the registry every reader decodes through: the decoders of
// the types registered by this package's init functions, and the
// upcasters of upcast.go.
var events = newSchemaRegistry(schemaChanges, upcasters)

// register makes E decodable by its type name.
func register[E Event]() { registerIn[E](events) }

// EncodeEvent returns the type name, current schema version and JSON data
// of e. Appends always write the current shape.
func EncodeEvent(e Event) (string, int, []byte, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return "", 0, nil, fmt.Errorf("encode %s: %w", e.EventType(), err)
	}
	// A type not registered (a test's own) is at its first shape.
	return e.EventType(), max(events.schemaOf(e.EventType()), CurrentSchema), data, nil
}

// checkOnce checks the registry's upcasters the first time anything is
// decoded, so a missing one stops every reader at once instead of
// surfacing only when an old event of that type comes by.
var checkOnce = sync.OnceValue(func() error { return events.check() })

// DecodeEvent turns a stored event back into its domain type, in its
// current shape: data of an older schema goes through the type's
// upcasters first. Unknown types are an error (*UnknownEventTypeError): a
// reader must not silently skip facts it does not know; so are schemas
// newer than this build (*NewerSchemaError) and a registry missing an
// upcaster (*MissingUpcasterError). Every reader (projections, analytics,
// aggregates, policies, replay) decodes through here, so none of them
// ever sees an old shape; the stored bytes are never rewritten.
func DecodeEvent(eventType string, schema int, data []byte) (Event, error) {
	if err := checkOnce(); err != nil {
		return nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return events.decode(eventType, schema, data)
}

// UpcastData returns an event's data in its type's current shape: the
// stored bytes when they are in it, else what the type's upcasters make of
// them. It is for readers that scan event JSON themselves instead of
// decoding it (they must never read an old shape's bytes as if current);
// errors are DecodeEvent's.
func UpcastData(eventType string, schema int, data []byte) ([]byte, error) {
	if err := checkOnce(); err != nil {
		return nil, fmt.Errorf("upcast %s: %w", eventType, err)
	}
	if _, ok := events.types[eventType]; !ok {
		return nil, fmt.Errorf("upcast: %w", &UnknownEventTypeError{Type: eventType})
	}
	return events.upcast(eventType, schema, data)
}

// SchemaOf returns the current schema version of eventType: the one
// EncodeEvent writes and DecodeEvent returns events in. It is 0 for a type
// this build does not know.
func SchemaOf(eventType string) int { return events.schemaOf(eventType) }

// CheckUpcasters reports every upcaster missing from, or left over in, the
// registry (*MissingUpcasterError, *StrayUpcasterError) and every schema
// change of a type that is not registered (*UnknownEventTypeError),
// joined; nil when each type's every older schema has its upcaster.
func CheckUpcasters() error { return checkOnce() }

// EventTypes returns every registered event type name, sorted.
func EventTypes() []string {
	names := make([]string, 0, len(events.types))
	for name := range events.types {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// IsCurrentShape reports whether an event of eventType stored at schema
// is in the shape numbered shape, and that shape is the type's current
// one. A hand-written decoder that reads one shape's bytes itself (a fast
// path beside DecodeEvent) checks it first, so that once the type's shape
// changes it stands aside for DecodeEvent and its upcasters until it is
// rewritten for the new shape.
func IsCurrentShape(eventType string, schema, shape int) bool {
	return events.isCurrentShape(eventType, schema, shape)
}
