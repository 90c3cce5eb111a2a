package graphql

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	gql "github.com/graph-gophers/graphql-go"
)

// Long is the schema's 64-bit integer scalar: ledger positions and event
// counts, which outgrow GraphQL's 32-bit Int.
type Long int64

// ImplementsGraphQLType maps Long to the schema's Long scalar.
func (Long) ImplementsGraphQLType(name string) bool { return name == "Long" }

// UnmarshalGraphQL accepts an integer, or a string holding one (clients
// whose JSON numbers are doubles send large values as strings).
func (l *Long) UnmarshalGraphQL(input any) error {
	switch v := input.(type) {
	case int32:
		*l = Long(v)
	case int64:
		*l = Long(v)
	case int:
		*l = Long(v)
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return fmt.Errorf("Long: %v is not an integer", v)
		}
		*l = Long(v)
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("Long: %q is not an integer", v)
		}
		*l = Long(n)
	default:
		return fmt.Errorf("Long: unsupported input %T", input)
	}
	return nil
}

// MarshalJSON renders a Long as a JSON number.
func (l Long) MarshalJSON() ([]byte, error) { return strconv.AppendInt(nil, int64(l), 10), nil }

// JSON is the schema's scalar for any JSON value: event data, folded state,
// report rows.
type JSON struct{ raw json.RawMessage }

// ImplementsGraphQLType maps JSON to the schema's JSON scalar.
func (JSON) ImplementsGraphQLType(name string) bool { return name == "JSON" }

// UnmarshalGraphQL accepts any input value.
func (j *JSON) UnmarshalGraphQL(input any) error {
	b, err := json.Marshal(input)
	if err != nil {
		return fmt.Errorf("JSON: %w", err)
	}
	j.raw = b
	return nil
}

// MarshalJSON renders the value as it is.
func (j JSON) MarshalJSON() ([]byte, error) {
	if len(j.raw) == 0 {
		return []byte("null"), nil
	}
	return j.raw, nil
}

// jsonOf encodes v as a JSON scalar.
func jsonOf(v any) (JSON, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return JSON{}, fmt.Errorf("encode JSON: %w", err)
	}
	return JSON{raw: b}, nil
}

// rawJSON wraps stored JSON as a scalar; empty means null.
func rawJSON(b []byte) JSON { return JSON{raw: json.RawMessage(b)} }

// timeOf returns t as the schema's Time, nil for the zero time ("never").
func timeOf(t time.Time) *gql.Time {
	if t.IsZero() {
		return nil
	}
	return &gql.Time{Time: t}
}

// strOf returns s, nil when empty: optional text fields are null rather
// than "".
func strOf(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// idOf returns s as an optional ID, nil when empty.
func idOf(s string) *gql.ID {
	if s == "" {
		return nil
	}
	id := gql.ID(s)
	return &id
}

// int32Of returns n as an optional Int, nil when 0 ("none").
func int32Of(n int) *int32 {
	if n == 0 {
		return nil
	}
	v := int32(n)
	return &v
}
