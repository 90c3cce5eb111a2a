package eventstore

import (
	"context"
	"fmt"
	"time"
)

// Importer is implemented by stores that take events already recorded and
// chained elsewhere, keeping their ids, recording times and hashes: a
// migration between stores, or a node of a multi-node ledger that chains
// its events itself before they reach a shared store.
//
// Import appends events in order. Each event's Version says where it goes
// in its stream (the first event of a stream's run expects the stream at
// Version-1); its PrevHash must be the stream's last hash and its Hash
// what ComputeHash gives, or the error wraps ErrInvalidAppend. Each run
// of one stream's events is written whole or not at all, like an Append;
// runs before a failed one may be written. Events already stored with the
// same id, stream, type and data are an exact retry and are not written
// again, so an interrupted import is simply repeated. Positions are the
// store's: Position is ignored. The result spans the first to the last
// imported event.
type Importer interface {
	Import(ctx context.Context, events []RecordedEvent) (AppendResult, error)
}

// StreamRun is a run of consecutive imported events of one stream.
type StreamRun struct {
	Stream   string
	Expected ExpectedVersion
	Events   []RecordedEvent
}

// SplitRuns splits events into runs of one stream each, in order, and
// checks that each run's versions follow one another.
func SplitRuns(events []RecordedEvent) ([]StreamRun, error) {
	var runs []StreamRun
	for i, e := range events {
		if n := len(runs); n > 0 && runs[n-1].Stream == e.Stream {
			last := runs[n-1].Events[len(runs[n-1].Events)-1]
			if e.Version != last.Version+1 {
				return nil, fmt.Errorf("%w: import event %d: stream %s version %d does not follow version %d", ErrInvalidAppend, i, e.Stream, e.Version, last.Version)
			}
			runs[n-1].Events = append(runs[n-1].Events, e)
			continue
		}
		if e.Version < 0 {
			return nil, fmt.Errorf("%w: import event %d: negative version %d", ErrInvalidAppend, i, e.Version)
		}
		expected := NoStream
		if e.Version > 0 {
			expected = Exact(e.Version - 1)
		}
		runs = append(runs, StreamRun{Stream: e.Stream, Expected: expected, Events: []RecordedEvent{e}})
	}
	return runs, nil
}

// ValidateChained checks what an imported event brings besides an
// appended one: a canonical UTC recording time and well-formed hashes.
func ValidateChained(e RecordedEvent) error {
	switch {
	case e.RecordedAt.IsZero():
		return fmt.Errorf("%w: import %s version %d: no recorded_at", ErrInvalidAppend, e.Stream, e.Version)
	case !isHexHash(e.Hash):
		return fmt.Errorf("%w: import %s version %d: hash %q is not a hex SHA-256", ErrInvalidAppend, e.Stream, e.Version, e.Hash)
	case e.PrevHash != "" && !isHexHash(e.PrevHash):
		return fmt.Errorf("%w: import %s version %d: prev_hash %q is not a hex SHA-256", ErrInvalidAppend, e.Stream, e.Version, e.PrevHash)
	case (e.Version == 0) != (e.PrevHash == ""):
		return fmt.Errorf("%w: import %s version %d: only a stream's first event has no prev_hash", ErrInvalidAppend, e.Stream, e.Version)
	}
	return nil
}

// CanonicalTime is t as the hash covers it: UTC, without a monotonic
// clock reading.
func CanonicalTime(t time.Time) time.Time { return t.UTC().Round(0) }

func isHexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Proposed returns the event as it was proposed for append.
func (e RecordedEvent) Proposed() EventData {
	return EventData{ID: e.ID, Type: e.Type, Schema: e.Schema, Data: e.Data, Metadata: e.Metadata}
}
