package eventstore

import (
	"errors"
	"fmt"
	"time"

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

// ErrStorageFull is the cause of an UnavailableError raised because the
// disk (or the file system's quota) under the store is full.
var ErrStorageFull = errors.New("the ledger's disk is full")

// DefaultRetryAfter is how long a caller refused with an UnavailableError
// is told to wait: long enough for an operator to free space, short
// enough that a provider's redelivery finds the ledger writing again soon
// after.
const DefaultRetryAfter = 30 * time.Second

// UnavailableError reports that the store cannot take writes now, for a
// reason that passes without a restart (a full disk). Nothing of the
// failed append was written and the store stays usable: callers answer
// "try again later" (HTTP 503 with Retry-After, SIP 503, GraphQL
// UNAVAILABLE, SMTP 451) instead of a 500, so that senders retry.
type UnavailableError struct {
	// RetryAfter is the wait to suggest to the caller.
	RetryAfter time.Duration
	// Err is the cause: ErrStorageFull wrapping the driver's error.
	Err error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("storage unavailable, retry in %s: %v", e.RetryAfter, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// StorageFull returns an *UnavailableError for cause, a write refused for
// lack of space.
func StorageFull(cause error) *UnavailableError {
	return &UnavailableError{RetryAfter: DefaultRetryAfter, Err: fmt.Errorf("%w: %w", ErrStorageFull, cause)}
}

// Unavailable reports whether err is (or wraps) an UnavailableError, and
// the wait it suggests.
func Unavailable(err error) (time.Duration, bool) {
	var u *UnavailableError
	if errors.As(err, &u) {
		return u.RetryAfter, true
	}
	return 0, false
}
