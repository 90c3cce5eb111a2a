package projections

import (
	"context"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// source reads lean events (no ids or hashes: a read model trusts the
// store) and decodes them on the follower's feed goroutine, so decoding
// overlaps with the SQLite work of the batch being applied.
type source struct {
	r    *Runner
	lean *follow.LeanSource
	buf  []eventstore.LeanEvent // the last page read, for reuse
}

// newSource is the runner's follow.NewSource.
func (r *Runner) newSource(store eventstore.Store) follow.Source[Event] {
	return &source{r: r, lean: follow.NewLeanSource(store)}
}

// Read implements follow.Source. The previous page's array is reused:
// decode copies each event out of it (keeping its Data and Metadata,
// which ReadAllLean never overwrites).
func (s *source) Read(ctx context.Context, after uint64, max int) ([]Event, error) {
	raw, err := s.lean.ReadLean(ctx, after, max, s.buf)
	if err != nil {
		return nil, err
	}
	s.buf = raw
	return s.r.decode(raw)
}

// Live implements follow.Source.
func (s *source) Live(batch []eventstore.RecordedEvent) ([]Event, error) {
	s.buf = follow.LeanEvents(batch, s.buf)
	return s.r.decode(s.buf)
}

// Position implements follow.Source.
func (*source) Position(e Event) uint64 { return e.Position }

// decode turns stored events into projection events. It stops at the
// first event it cannot decode and returns the events before it with an
// *UndecodableEventError, marked as poison for the follower: a reader must
// not skip facts it does not know (see domain.DecodeEvent), since a read
// model missing one is wrong with nothing to show it, and exactly-once
// means every event is applied, not every readable one.
func (r *Runner) decode(raw []eventstore.LeanEvent) ([]Event, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	r.head.Store(max(r.head.Load(), raw[len(raw)-1].Position))
	out := make([]Event, 0, len(raw))
	for _, re := range raw {
		data, err := decodeEvent(re.Type, re.Schema, re.Data)
		if err != nil {
			return out, follow.Poison(re.Position, undecodable(re, err))
		}
		out = append(out, Event{
			Position: re.Position, Stream: re.Stream, Version: re.Version, Type: re.Type,
			RecordedAt: re.RecordedAt, Metadata: re.Metadata, Data: data,
		})
	}
	return out, nil
}
