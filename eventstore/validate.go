package eventstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits on the shape of an append, shared by every back end so that a
// request valid for one store is valid for all.
const (
	// MaxStreamNameLen is the longest stream name, in bytes.
	MaxStreamNameLen = 1024
	// MaxEventTypeLen is the longest event type, in bytes.
	MaxEventTypeLen = 256
)

// ValidateAppend checks an append request the same way for every back end
// and returns the events to store: the same events, with empty metadata
// replaced by "{}". The input slice is not modified. Every error wraps
// ErrInvalidAppend.
func ValidateAppend(stream string, expected ExpectedVersion, events []EventData) ([]EventData, error) {
	if err := validateStream(stream); err != nil {
		return nil, err
	}
	if expected < Any {
		return nil, fmt.Errorf("%w: stream %s: expected version %d is neither exact, any nor no stream", ErrInvalidAppend, stream, int64(expected))
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%w: stream %s: no events", ErrInvalidAppend, stream)
	}
	out := make([]EventData, len(events))
	seen := make(map[uuid.UUID]struct{}, len(events))
	for i, e := range events {
		if err := validateEvent(e); err != nil {
			return nil, fmt.Errorf("%w: stream %s: event %d: %s", ErrInvalidAppend, stream, i, err)
		}
		if _, dup := seen[e.ID]; dup {
			return nil, fmt.Errorf("%w: stream %s: event %d: id %s appears twice in one append", ErrInvalidAppend, stream, i, e.ID)
		}
		seen[e.ID] = struct{}{}
		if len(e.Metadata) == 0 {
			e.Metadata = []byte("{}")
		}
		out[i] = e
	}
	return out, nil
}

func validateStream(stream string) error {
	switch {
	case stream == "":
		return fmt.Errorf("%w: empty stream name", ErrInvalidAppend)
	case strings.HasPrefix(stream, "$"):
		return fmt.Errorf("%w: stream %q: names starting with $ are reserved", ErrInvalidAppend, stream)
	case len(stream) > MaxStreamNameLen:
		return fmt.Errorf("%w: stream name longer than %d bytes", ErrInvalidAppend, MaxStreamNameLen)
	case !utf8.ValidString(stream) || strings.ContainsRune(stream, 0):
		return fmt.Errorf("%w: stream name %q is not valid UTF-8 text", ErrInvalidAppend, stream)
	}
	return nil
}

// validateEvent returns a plain error; the caller adds context and wraps
// ErrInvalidAppend.
func validateEvent(e EventData) error {
	switch {
	case e.ID == uuid.Nil:
		return fmt.Errorf("nil id")
	case e.Type == "":
		return fmt.Errorf("empty type")
	case len(e.Type) > MaxEventTypeLen:
		return fmt.Errorf("type longer than %d bytes", MaxEventTypeLen)
	case !utf8.ValidString(e.Type) || strings.ContainsRune(e.Type, 0):
		return fmt.Errorf("type %q is not valid UTF-8 text", e.Type)
	case e.Schema < 0:
		return fmt.Errorf("negative schema %d", e.Schema)
	case len(e.Data) == 0:
		return fmt.Errorf("empty data")
	case !utf8.Valid(e.Data) || !json.Valid(e.Data):
		return fmt.Errorf("data is not valid UTF-8 JSON")
	case len(e.Metadata) > 0 && (!utf8.Valid(e.Metadata) || !json.Valid(e.Metadata)):
		return fmt.Errorf("metadata is not valid UTF-8 JSON")
	}
	return nil
}
