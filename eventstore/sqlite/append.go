package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

// request is one Append call on its way to the writer. Everything the
// writer needs is copied out of the caller's slices here, on the caller's
// goroutine, so the caller may reuse them as soon as Append returns.
type request struct {
	ctx      context.Context
	stream   string
	expected eventstore.ExpectedVersion
	events   []newEvent
	done     chan response // buffered: the writer never blocks on it
}

// newEvent is a validated event ready to store.
type newEvent struct {
	id     uuid.UUID
	idStr  string
	typ    string
	schema int
	data   string
	meta   string
	// chained is set for an imported event: the recording time and hashes
	// it already carries, which the writer checks instead of assigning.
	chained *chainedEvent
}

// chainedEvent is what an imported event brings of its own.
type chainedEvent struct {
	at       time.Time
	atText   string
	prevHash string
	hash     string
}

// response is the writer's answer to a request.
type response struct {
	res eventstore.AppendResult
	err error
}

func newRequest(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) *request {
	r := &request{
		ctx:      ctx,
		stream:   stream,
		expected: expected,
		events:   make([]newEvent, len(events)),
		done:     make(chan response, 1),
	}
	for i, e := range events {
		r.events[i] = newEvent{
			id:     e.ID,
			idStr:  e.ID.String(),
			typ:    e.Type,
			schema: e.Schema,
			data:   string(e.Data),
			meta:   string(e.Metadata),
		}
	}
	return r
}

// Append implements eventstore.Store. The request joins the writer's queue
// and is committed with whatever else is pending, in one transaction and
// one fsync. If ctx ends while the request waits for its commit, Append
// returns ctx's error but the events may still be committed: retry with
// the same event ids, which is idempotent.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.EventData) (eventstore.AppendResult, error) {
	if s.closed.Load() {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, eventstore.ErrClosed)
	}
	if !s.cfg.soleWriter {
		if err := s.lock.take(false); err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
		}
	}
	valid, err := eventstore.ValidateAppend(stream, expected, events)
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append: %w", err)
	}
	req := newRequest(ctx, stream, expected, valid)
	if err := s.enqueue(ctx, req); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append %s: %w", stream, err)
	}
	select {
	case resp := <-req.done:
		return resp.res, resp.err
	case <-ctx.Done():
		return eventstore.AppendResult{}, fmt.Errorf("append %s: outcome unknown, retry with the same event ids: %w", stream, ctx.Err())
	}
}

// enqueue hands req to the writer unless the store is closed.
func (s *Store) enqueue(ctx context.Context, req *request) error {
	s.sendMu.RLock()
	defer s.sendMu.RUnlock()
	if s.closed.Load() {
		return eventstore.ErrClosed
	}
	select {
	case s.w.queue <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
