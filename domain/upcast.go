package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// Schema evolution. An event's shape is versioned by its type's schema
// number, stored beside the data and covered by the hash. When a type's
// shape changes, its entry in schemaChanges goes up by one and an upcaster
// in upcasters folds the previous shape into the new one. Stored bytes
// are never rewritten (verify checks them as they are): old events are
// upcast each time they are read, in DecodeEvent, the one decode path
// every reader takes. docs/schema-evolution.md tells the steps.

// schemaChanges holds the current schema of every event type whose shape
// has changed since it was first recorded; any other type is at schema 1.
var schemaChanges = map[string]int{}

// upcasters folds each older shape into the next: the upcaster keyed
// {type, v} takes data of schema v to schema v+1. A type at schema n needs
// one for each v from 1 to n-1; DecodeEvent refuses to decode anything
// while one is missing.
var upcasters = map[upcastKey]Upcaster{}

// Upcaster folds the JSON data of one schema of an event type into the
// next schema's. It is pure: it must not modify data (the bytes may be the
// store's) and may depend on nothing but data.
type Upcaster func(data []byte) ([]byte, error)

// UpcastObject returns an Upcaster that edits the event's JSON object as a
// map of its top-level fields: rename, add with a default, split or drop.
func UpcastObject(fold func(fields map[string]json.RawMessage) error) Upcaster {
	return func(data []byte) ([]byte, error) {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			return nil, err
		}
		if fields == nil { // JSON null
			return nil, errors.New("data is null, not an object")
		}
		if err := fold(fields); err != nil {
			return nil, err
		}
		return json.Marshal(fields)
	}
}

// UnknownEventTypeError: the type is not one this build knows (an event
// written by a newer binary, or a typo).
type UnknownEventTypeError struct{ Type string }

func (e *UnknownEventTypeError) Error() string { return fmt.Sprintf("unknown event type %q", e.Type) }

// NewerSchemaError: the event's schema is newer than this build reads; a
// newer binary wrote it, and only a build that knows the shape may read it.
type NewerSchemaError struct {
	Type    string
	Schema  int // the stored event's
	Current int // the newest this build knows
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("%s schema %d is newer than this build (%d)", e.Type, e.Schema, e.Current)
}

// MissingUpcasterError: a type's current schema is past From but no
// upcaster takes From to From+1, so events of schema From (or older)
// cannot be read.
type MissingUpcasterError struct {
	Type    string
	From    int
	Current int
}

func (e *MissingUpcasterError) Error() string {
	return fmt.Sprintf("%s is at schema %d but no upcaster takes schema %d to %d", e.Type, e.Current, e.From, e.From+1)
}

// StrayUpcasterError: an upcaster is registered for a type this build does
// not know, or from a schema that is not older than the type's current one
// (the schema number was not bumped, or was bumped back).
type StrayUpcasterError struct {
	Type    string
	From    int
	Current int // 0 for an unknown type
}

func (e *StrayUpcasterError) Error() string {
	if e.Current == 0 {
		return fmt.Sprintf("an upcaster from schema %d is registered for unknown event type %q", e.From, e.Type)
	}
	return fmt.Sprintf("an upcaster takes %s schema %d to %d, but the type's current schema is %d", e.Type, e.From, e.From+1, e.Current)
}

type decoder func(data []byte) (Event, error)

type upcastKey struct {
	eventType string
	from      int
}

// schemaRegistry maps event types to their decoder and current schema,
// and (type, schema) to the upcaster to the next schema.
type schemaRegistry struct {
	types     map[string]decoder
	schemas   map[string]int // types absent are at schema 1
	upcasters map[upcastKey]Upcaster
}

// newSchemaRegistry returns a registry of no types with the given schema
// changes and upcasters.
func newSchemaRegistry(schemas map[string]int, ups map[upcastKey]Upcaster) *schemaRegistry {
	return &schemaRegistry{types: map[string]decoder{}, schemas: schemas, upcasters: ups}
}

// registerIn makes E decodable through r.
func registerIn[E Event](r *schemaRegistry) {
	var zero E
	r.types[zero.EventType()] = func(data []byte) (Event, error) {
		var e E
		if err := json.Unmarshal(data, &e); err != nil {
			return nil, err
		}
		return e, nil
	}
}

// schemaOf returns eventType's current schema; 0 for an unknown type.
func (r *schemaRegistry) schemaOf(eventType string) int {
	if _, ok := r.types[eventType]; !ok {
		return 0
	}
	return max(r.schemas[eventType], 1)
}

func (r *schemaRegistry) isCurrentShape(eventType string, schema, shape int) bool {
	return max(schema, 1) == shape && r.schemaOf(eventType) == shape
}

// decode upcasts data from schema to the type's current schema and
// decodes it. A schema of 0 (none stored) is 1.
func (r *schemaRegistry) decode(eventType string, schema int, data []byte) (Event, error) {
	decode, ok := r.types[eventType]
	if !ok {
		return nil, fmt.Errorf("decode: %w", &UnknownEventTypeError{Type: eventType})
	}
	data, err := r.upcast(eventType, schema, data)
	if err != nil {
		return nil, err
	}
	e, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", eventType, err)
	}
	return e, nil
}

// upcast folds data of a known eventType from schema into the type's
// current shape, step by step; data already in it is returned as is.
func (r *schemaRegistry) upcast(eventType string, schema int, data []byte) ([]byte, error) {
	schema, current := max(schema, 1), r.schemaOf(eventType)
	if schema > current {
		return nil, fmt.Errorf("decode: %w", &NewerSchemaError{Type: eventType, Schema: schema, Current: current})
	}
	for v := schema; v < current; v++ {
		up, ok := r.upcasters[upcastKey{eventType, v}]
		if !ok {
			return nil, fmt.Errorf("decode: %w", &MissingUpcasterError{Type: eventType, From: v, Current: current})
		}
		next, err := up(data)
		if err != nil {
			return nil, fmt.Errorf("decode %s: upcast schema %d to %d: %w", eventType, v, v+1, err)
		}
		data = next
	}
	return data, nil
}

// check reports every missing and every stray upcaster, in a stable order.
func (r *schemaRegistry) check() error {
	var errs []error
	for _, name := range sortedKeys(r.types) {
		for v := 1; v < r.schemaOf(name); v++ {
			if _, ok := r.upcasters[upcastKey{name, v}]; !ok {
				errs = append(errs, &MissingUpcasterError{Type: name, From: v, Current: r.schemaOf(name)})
			}
		}
	}
	for _, name := range sortedKeys(r.schemas) {
		if _, ok := r.types[name]; !ok {
			errs = append(errs, &UnknownEventTypeError{Type: name})
		}
	}
	keys := make([]upcastKey, 0, len(r.upcasters))
	for k := range r.upcasters {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].eventType != keys[j].eventType {
			return keys[i].eventType < keys[j].eventType
		}
		return keys[i].from < keys[j].from
	})
	for _, k := range keys {
		if current := r.schemaOf(k.eventType); k.from < 1 || k.from >= current {
			errs = append(errs, &StrayUpcasterError{Type: k.eventType, From: k.from, Current: current})
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
