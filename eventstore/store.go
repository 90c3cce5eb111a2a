// Package eventstore owns the ledger's storage contract: the Store interface
// every back end implements, the event envelope, the typed errors callers
// branch on, and the hash chain that makes each stream tamper-evident.
//
// Back ends live in sub-packages (eventstore/sqlite, ...) and all pass the
// shared conformance suite in eventstore/storetest.
package eventstore

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// AllStream is the name of the global, totally ordered feed of every event.
const AllStream = "$all"

// ExpectedVersion states what the caller believes a stream's current version
// is when appending. Values >= 0 are exact versions (the version of the last
// event in the stream); Any and NoStream are the two special cases.
type ExpectedVersion int64

const (
	// Any appends regardless of the stream's current version.
	Any ExpectedVersion = -2
	// NoStream appends only when the stream has no events yet.
	NoStream ExpectedVersion = -1
)

// Exact returns the ExpectedVersion for a stream whose last event has the
// given version.
func Exact(version int64) ExpectedVersion { return ExpectedVersion(version) }

// EventData is an event as proposed for append: the store assigns the
// stream version, the global position, the recording time and the hashes.
type EventData struct {
	// ID identifies the event. Channel input derives it deterministically
	// from the provider's message id, so a provider retry is a no-op.
	ID uuid.UUID
	// Type is the past-tense event name, e.g. "MessageReceived".
	Type string
	// Schema is the version of the event's data shape, for upcasting.
	Schema int
	// Data is the event payload, JSON.
	Data []byte
	// Metadata is JSON: correlation id, causation id, actor, channel, ...
	Metadata []byte
}

// RecordedEvent is an event as stored.
type RecordedEvent struct {
	ID         uuid.UUID
	Stream     string
	Version    int64  // per stream, from 0
	Position   uint64 // in $all, from 1, gap-free
	Type       string
	Schema     int
	Data       []byte
	Metadata   []byte
	RecordedAt time.Time // UTC
	PrevHash   string    // hex; "" for the first event of a stream
	Hash       string    // hex SHA-256, see ComputeHash
}

// AppendResult tells where an append landed.
type AppendResult struct {
	// FirstPosition and LastPosition are the $all positions of the first
	// and last appended event.
	FirstPosition uint64
	LastPosition  uint64
	// NextExpectedVersion is the stream's version after the append, to be
	// passed as Exact(...) on the next append.
	NextExpectedVersion int64
}

// Store is the event store contract. Implementations are safe for
// concurrent use.
type Store interface {
	// Append atomically appends events to stream if its current version
	// matches expected. On a mismatch it returns a *VersionConflictError and
	// writes nothing. If every event id is already stored with the same
	// stream, type and data, it returns the original result and writes
	// nothing; a different event under a stored id is an
	// *EventIDConflictError. Once Append returns nil the events are durable.
	Append(ctx context.Context, stream string, expected ExpectedVersion, events []EventData) (AppendResult, error)

	// ReadStream returns up to max events of stream with version >= from,
	// in version order. A stream that does not exist yields no events and
	// no error.
	ReadStream(ctx context.Context, stream string, from int64, max int) ([]RecordedEvent, error)

	// ReadAll returns up to max events with position > after, in position
	// order. The events' Data and Metadata may be shared with other
	// readers (a store may serve the newest events from memory): read
	// them, never modify them.
	ReadAll(ctx context.Context, after uint64, max int) ([]RecordedEvent, error)

	// SubscribeAll delivers every event with position > after: first the
	// stored ones (catch-up), then new ones as they are committed (live),
	// never skipping or repeating one.
	SubscribeAll(ctx context.Context, after uint64) Subscription

	// HeadPosition returns the position of the last committed event (0 for
	// an empty store).
	HeadPosition(ctx context.Context) (uint64, error)

	// Close releases the store's resources. Appends still in flight finish
	// first; later calls return ErrClosed. Calling Close again is harmless.
	Close() error
}

// Subscription is a catch-up-then-live feed of $all.
type Subscription interface {
	// Next blocks until at least one event after the previously delivered
	// one is available, then returns the next batch in position order. It
	// returns ctx.Err() when ctx ends, or the error that ended the feed.
	Next(ctx context.Context) ([]RecordedEvent, error)
	// Close ends the subscription.
	Close()
}

// TailReader is implemented by stores that read a stream's newest events
// directly, without first finding where the stream ends.
type TailReader interface {
	// ReadStreamTail returns up to max (positive) of stream's newest
	// events, in version order; none for a stream that does not exist.
	ReadStreamTail(ctx context.Context, stream string, max int) ([]RecordedEvent, error)
}
