package eventstore

import (
	"context"
	"time"
)

// LeanEvent is a stored event without what only auditing needs: the event
// id and the hash chain. It is what a reader that trusts the store (a
// projection catching up or rebuilding) uses of each event.
type LeanEvent struct {
	Position   uint64 // in $all, from 1, gap-free
	Stream     string
	Version    int64 // per stream, from 0
	Type       string
	Schema     int
	Data       []byte    // JSON
	Metadata   []byte    // JSON
	RecordedAt time.Time // UTC
}

// Lean returns e without its id and hashes.
func (e RecordedEvent) Lean() LeanEvent {
	return LeanEvent{
		Position: e.Position, Stream: e.Stream, Version: e.Version, Type: e.Type, Schema: e.Schema,
		Data: e.Data, Metadata: e.Metadata, RecordedAt: e.RecordedAt,
	}
}

// BulkReader is implemented by stores that read $all faster when the
// reader needs no event ids and hashes: reading, parsing and allocating
// those is most of a store's cost per event, and a projection rebuild
// reads every event of the log. Callers check for it with a type assertion
// and fall back to Store.ReadAll.
type BulkReader interface {
	// ReadAllLean is ReadAll without ids and hashes: it returns up to max
	// (positive) events with position > after, in position order, read
	// from one consistent snapshot, appended to buf[:0]. Passing the
	// previous page back as buf reuses its array; the Data and Metadata
	// of events already returned are never overwritten, so a caller may
	// keep them.
	ReadAllLean(ctx context.Context, after uint64, max int, buf []LeanEvent) ([]LeanEvent, error)
}
