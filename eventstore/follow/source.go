package follow

import (
	"context"

	"github.com/interactionledger/ledger/eventstore"
)

// Source is how a follower reads the ledger into the events its consumer
// takes. Read serves the catch-up (pages of stored events), Live turns the
// live subscription's batches into the same kind of event. Both run on the
// feed's own goroutine, ahead of the consumer, so a Source that decodes
// overlaps decoding with the consumer's work.
//
// A Source that cannot turn an event into E returns the events before it
// with the error (wrap it with Poison when no retry can help): the feed
// hands those events on, then the error, and the follower halts on it.
// A Source is used by one feed at a time; NewSource gives each feed its
// own.
type Source[E any] interface {
	// Read returns up to max events with position > after, in position
	// order.
	Read(ctx context.Context, after uint64, max int) ([]E, error)
	// Live converts a batch of the live subscription.
	Live(batch []eventstore.RecordedEvent) ([]E, error)
	// Position is an event's position in $all.
	Position(e E) uint64
}

// NewSource makes a Source for a store; a follower calls it once per feed.
type NewSource[E any] func(store eventstore.Store) Source[E]

// Recorded reads whole events, ids and hashes included: what consumers
// that derive idempotency keys from event ids need.
func Recorded(store eventstore.Store) Source[eventstore.RecordedEvent] {
	return recordedSource{store: store}
}

type recordedSource struct{ store eventstore.Store }

func (s recordedSource) Read(ctx context.Context, after uint64, max int) ([]eventstore.RecordedEvent, error) {
	return s.store.ReadAll(ctx, after, max)
}

func (recordedSource) Live(batch []eventstore.RecordedEvent) ([]eventstore.RecordedEvent, error) {
	return batch, nil
}

func (recordedSource) Position(e eventstore.RecordedEvent) uint64 { return e.Position }

// Lean reads events without ids and hashes, with the store's bulk reader
// when it has one (see eventstore.BulkReader): what a reader that trusts
// the store, such as a read model or the analytics sink, needs.
func Lean(store eventstore.Store) Source[eventstore.LeanEvent] {
	return &LeanSource{store: store}
}

// LeanSource is Lean's Source. A consumer that decodes lean events on the
// feed's goroutine wraps it (see ReadLean).
type LeanSource struct {
	store eventstore.Store
}

// NewLeanSource returns a LeanSource of store.
func NewLeanSource(store eventstore.Store) *LeanSource { return &LeanSource{store: store} }

// Read implements Source.
func (s *LeanSource) Read(ctx context.Context, after uint64, max int) ([]eventstore.LeanEvent, error) {
	return s.ReadLean(ctx, after, max, nil)
}

// ReadLean reads a page into buf's array (nil: a new one). Pass the
// previous page back only when nothing holds on to its events any more.
func (s *LeanSource) ReadLean(ctx context.Context, after uint64, max int, buf []eventstore.LeanEvent) ([]eventstore.LeanEvent, error) {
	if br, ok := s.store.(eventstore.BulkReader); ok {
		return br.ReadAllLean(ctx, after, max, buf)
	}
	raw, err := s.store.ReadAll(ctx, after, max)
	return LeanEvents(raw, buf), err
}

// Live implements Source.
func (s *LeanSource) Live(batch []eventstore.RecordedEvent) ([]eventstore.LeanEvent, error) {
	return LeanEvents(batch, nil), nil
}

// Position implements Source.
func (*LeanSource) Position(e eventstore.LeanEvent) uint64 { return e.Position }

// LeanEvents converts raw into buf's array (nil: a new one).
func LeanEvents(raw []eventstore.RecordedEvent, buf []eventstore.LeanEvent) []eventstore.LeanEvent {
	out := buf[:0]
	for _, e := range raw {
		out = append(out, e.Lean())
	}
	return out
}
