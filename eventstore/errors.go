package eventstore

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// ErrClosed is returned by operations on a closed store.
var ErrClosed = errors.New("event store closed")

// ErrSubscriptionClosed is returned by Subscription.Next after the
// subscription's own Close.
var ErrSubscriptionClosed = errors.New("subscription closed")

// ErrInvalidAppend wraps malformed append requests (empty stream name, no
// events, nil event id, invalid JSON, duplicate ids within one append).
var ErrInvalidAppend = errors.New("invalid append")

// VersionConflictError reports an append whose expected version did not
// match the stream's current version. Nothing was written.
type VersionConflictError struct {
	Stream   string
	Expected ExpectedVersion
	// Actual is the stream's current version, -1 when it does not exist.
	Actual int64
}

func (e *VersionConflictError) Error() string {
	return fmt.Sprintf("stream %s: expected version %s, actual %d", e.Stream, e.Expected, e.Actual)
}

// EventIDConflictError reports an append carrying an event id that is
// already stored with different content (or only some of whose ids are
// stored). Nothing was written.
type EventIDConflictError struct {
	ID     uuid.UUID
	Stream string
	Reason string
}

func (e *EventIDConflictError) Error() string {
	return fmt.Sprintf("event %s on stream %s: %s", e.ID, e.Stream, e.Reason)
}

// IsVersionConflict reports whether err is (or wraps) a VersionConflictError.
func IsVersionConflict(err error) bool {
	var vc *VersionConflictError
	return errors.As(err, &vc)
}

// String renders the expected version for messages.
func (v ExpectedVersion) String() string {
	switch v {
	case Any:
		return "any"
	case NoStream:
		return "no stream"
	default:
		return fmt.Sprintf("%d", int64(v))
	}
}
