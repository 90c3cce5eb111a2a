package esdb

import (
	"context"
	"errors"
	"fmt"
	"io"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdbwire"
)

// toRecorded is e as the ledger records it.
func toRecorded(e *client.RecordedEvent) (eventstore.RecordedEvent, error) {
	chain, meta, err := esdbwire.Unwrap(e.UserMetadata)
	if err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("event %s of %s: %w", e.EventID, e.StreamID, err)
	}
	if len(meta) == 0 {
		meta = []byte("{}")
	}
	at := chain.RecordedAt
	if at.IsZero() {
		at = e.CreatedDate
	}
	return eventstore.RecordedEvent{
		ID: e.EventID, Stream: e.StreamID, Version: int64(e.EventNumber), Position: e.Position.Commit,
		Type: e.EventType, Schema: chain.Schema, Data: e.Data, Metadata: meta,
		RecordedAt: eventstore.CanonicalTime(at), PrevHash: chain.PrevHash, Hash: chain.Hash,
	}, nil
}

// collect reads rs to its end, keeping the events keep accepts; a stream
// that does not exist yields nothing.
func collect(rs *client.ReadStream, keep func(*client.RecordedEvent) bool) ([]eventstore.RecordedEvent, int, error) {
	defer rs.Close()
	var out []eventstore.RecordedEvent
	seen := 0
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, seen, nil
		}
		if esdbCode(err) == client.ErrorCodeResourceNotFound {
			return out, seen, nil
		}
		if err != nil {
			return nil, seen, err
		}
		if ev.Event == nil {
			continue
		}
		seen++
		if keep != nil && !keep(ev.Event) {
			continue
		}
		e, err := toRecorded(ev.Event)
		if err != nil {
			return nil, seen, err
		}
		out = append(out, e)
	}
}

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, from int64, max int) ([]eventstore.RecordedEvent, error) {
	if err := s.readable(max); err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	leave, err := s.enter()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	defer leave()
	if from < 0 {
		from = 0
	}
	rs, err := s.client.ReadStream(ctx, stream, client.ReadStreamOptions{Direction: client.Forwards, From: client.Revision(uint64(from))}, uint64(max))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	evs, _, err := collect(rs, nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	return evs, nil
}

// tail returns up to n of the stream's newest events, newest first.
func (s *Store) tail(ctx context.Context, stream string, n int) ([]eventstore.RecordedEvent, error) {
	rs, err := s.client.ReadStream(ctx, stream, client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, uint64(n))
	if err != nil {
		return nil, fmt.Errorf("read the tail of %s: %w", stream, err)
	}
	evs, _, err := collect(rs, nil)
	if err != nil {
		return nil, fmt.Errorf("read the tail of %s: %w", stream, err)
	}
	return evs, nil
}

// ReadAll implements eventstore.Store. A read starts at the event at
// position after (EventStoreDB reads from a position inclusively and
// needs one an event is at) and drops it.
func (s *Store) ReadAll(ctx context.Context, after uint64, max int) ([]eventstore.RecordedEvent, error) {
	if err := s.readable(max); err != nil {
		return nil, fmt.Errorf("read $all: %w", err)
	}
	leave, err := s.enter()
	if err != nil {
		return nil, fmt.Errorf("read $all: %w", err)
	}
	defer leave()
	var out []eventstore.RecordedEvent
	for len(out) < max {
		var from client.AllPosition = client.Start{}
		if after > 0 {
			from = client.Position{Commit: after, Prepare: after}
		}
		want := max - len(out) + 1
		rs, err := s.client.ReadAll(ctx, client.ReadAllOptions{Direction: client.Forwards, From: from}, uint64(want))
		if err != nil {
			return nil, fmt.Errorf("read $all after %d: %w", after, err)
		}
		page, seen, err := collect(rs, func(e *client.RecordedEvent) bool { return !isSystem(e) && e.Position.Commit > after })
		if err != nil {
			return nil, fmt.Errorf("read $all after %d: %w", after, err)
		}
		out = append(out, page[:min(len(page), max-len(out))]...)
		if seen < want {
			break // the end of $all
		}
		if len(out) > 0 {
			after = out[len(out)-1].Position
		} else if after, err = s.lastSeen(ctx, from, want); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lastSeen is the position of the last of the n events from from,
// system events included: where a read that found only system events
// goes on.
func (s *Store) lastSeen(ctx context.Context, from client.AllPosition, n int) (uint64, error) {
	rs, err := s.client.ReadAll(ctx, client.ReadAllOptions{Direction: client.Forwards, From: from}, uint64(n))
	if err != nil {
		return 0, fmt.Errorf("read $all: %w", err)
	}
	defer rs.Close()
	var last uint64
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return last, nil
		}
		if err != nil {
			return 0, fmt.Errorf("read $all: %w", err)
		}
		if ev.Event != nil {
			last = ev.Event.Position.Commit
		}
	}
}

// HeadPosition implements eventstore.Store: the position of the newest
// event that is not a system event.
func (s *Store) HeadPosition(ctx context.Context) (uint64, error) {
	e, ok, err := s.LastEvent(ctx)
	if err != nil || !ok {
		return 0, err
	}
	return e.Position, nil
}

// LastEvent returns the newest event that is not a system event; false
// when there is none.
func (s *Store) LastEvent(ctx context.Context) (eventstore.RecordedEvent, bool, error) {
	leave, err := s.enter()
	if err != nil {
		return eventstore.RecordedEvent{}, false, fmt.Errorf("last event: %w", err)
	}
	defer leave()
	const page = 32
	var from client.AllPosition = client.End{}
	for {
		rs, err := s.client.ReadAll(ctx, client.ReadAllOptions{Direction: client.Backwards, From: from}, page)
		if err != nil {
			return eventstore.RecordedEvent{}, false, fmt.Errorf("last event: %w", err)
		}
		evs, seen, err := collect(rs, func(e *client.RecordedEvent) bool {
			from = e.Position
			return !isSystem(e)
		})
		if err != nil {
			return eventstore.RecordedEvent{}, false, fmt.Errorf("last event: %w", err)
		}
		if len(evs) > 0 {
			return evs[0], true, nil
		}
		if seen < page {
			return eventstore.RecordedEvent{}, false, nil
		}
	}
}

func (s *Store) readable(max int) error {
	if err := s.usable(); err != nil {
		return err
	}
	if max <= 0 {
		return fmt.Errorf("max must be positive, got %d", max)
	}
	return nil
}
