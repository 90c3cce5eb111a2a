package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/interactionledger/ledger/eventstore"
)

// logStore is a minimal in-memory $all for testing Verify and the polling
// subscription: a slice of events, a notifier, and nothing else.
type logStore struct {
	mu     sync.Mutex
	events []eventstore.RecordedEvent
	n      eventstore.Notifier
	closed bool
	reads  int
}

var errNotImplemented = errors.New("not implemented")

func (s *logStore) ReadAll(_ context.Context, after uint64, max int) ([]eventstore.RecordedEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.closed {
		return nil, eventstore.ErrClosed
	}
	var out []eventstore.RecordedEvent
	for _, e := range s.events {
		if e.Position > after && len(out) < max {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *logStore) Changed() <-chan struct{} { return s.n.C() }

func (s *logStore) Append(context.Context, string, eventstore.ExpectedVersion, []eventstore.EventData) (eventstore.AppendResult, error) {
	return eventstore.AppendResult{}, errNotImplemented
}

func (s *logStore) ReadStream(context.Context, string, int64, int) ([]eventstore.RecordedEvent, error) {
	return nil, errNotImplemented
}

func (s *logStore) SubscribeAll(_ context.Context, after uint64) eventstore.Subscription {
	return eventstore.NewPollingSubscription(s, after, eventstore.PollingOptions{PageSize: 3})
}

func (s *logStore) HeadPosition(context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.events)), nil
}

func (s *logStore) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.n.Notify()
	return nil
}

// add appends a correctly chained event to stream and wakes waiters.
func (s *logStore) add(stream string) eventstore.RecordedEvent {
	s.mu.Lock()
	var prev *eventstore.RecordedEvent
	for i := len(s.events) - 1; i >= 0; i-- {
		if s.events[i].Stream == stream {
			prev = &s.events[i]
			break
		}
	}
	e := eventstore.RecordedEvent{
		ID: uuid.New(), Stream: stream, Position: uint64(len(s.events) + 1),
		Type: "Noted", Schema: 1, Data: fmt.Appendf(nil, `{"n":%d}`, len(s.events)), Metadata: []byte(`{}`),
		RecordedAt: time.Date(2026, 1, 2, 3, 4, 5, len(s.events), time.UTC),
	}
	if prev != nil {
		e.Version, e.PrevHash = prev.Version+1, prev.Hash
	}
	e.Hash = eventstore.ComputeHash(e.PrevHash, e)
	s.events = append(s.events, e)
	s.mu.Unlock()
	s.n.Notify()
	return e
}
