package esdb

import (
	"context"
	"fmt"
	"sync"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/interactionledger/ledger/eventstore"
)

// maxBatch is the most events one Next returns.
const maxBatch = 512

// SubscribeAll implements eventstore.Store with a catch-up subscription to
// $all, filtered on the server to leave out system events.
func (s *Store) SubscribeAll(ctx context.Context, after uint64) eventstore.Subscription {
	sctx, cancel := context.WithCancel(ctx)
	sub := &subscription{store: s, events: make(chan eventstore.RecordedEvent, maxBatch), cancel: cancel, done: make(chan struct{})}
	if !s.track(sub) {
		sub.fail(fmt.Errorf("subscribe $all: %w", eventstore.ErrClosed))
		return sub
	}
	var from client.AllPosition = client.Start{}
	if after > 0 {
		from = client.Position{Commit: after, Prepare: after}
	}
	inner, err := s.client.SubscribeToAll(sctx, client.SubscribeToAllOptions{From: from, Filter: client.ExcludeSystemEventsFilter()})
	if err != nil {
		sub.fail(fmt.Errorf("subscribe $all after %d: %w", after, err))
		return sub
	}
	go sub.pump(inner, after)
	return sub
}

// subscription turns the client's one-event-at-a-time feed into batches.
type subscription struct {
	store  *Store
	events chan eventstore.RecordedEvent
	cancel context.CancelFunc
	done   chan struct{} // closed when the feed ends; err says why
	once   sync.Once
	err    error
}

func (s *subscription) fail(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.done)
	})
}

// pump receives events until the feed drops, skipping any at or before
// after (a subscription from a position starts after it, but be sure).
func (s *subscription) pump(inner *client.Subscription, after uint64) {
	defer inner.Close()
	for {
		ev := inner.Recv()
		switch {
		case ev.SubscriptionDropped != nil:
			s.fail(fmt.Errorf("esdb subscription dropped: %w", ev.SubscriptionDropped.Error))
			return
		case ev.EventAppeared == nil || ev.EventAppeared.Event == nil:
			continue // checkpoints, caught up, fell behind
		}
		e, err := toRecorded(ev.EventAppeared.Event)
		if err != nil {
			s.fail(err)
			return
		}
		if e.Position <= after {
			continue
		}
		after = e.Position
		select {
		case s.events <- e:
		case <-s.done:
			return
		}
	}
}

// Next implements eventstore.Subscription.
func (s *subscription) Next(ctx context.Context) ([]eventstore.RecordedEvent, error) {
	var first eventstore.RecordedEvent
	select {
	case first = <-s.events:
	case <-s.done:
		// Deliver what was received before the feed ended first.
		select {
		case first = <-s.events:
		default:
			return nil, s.err
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	batch := []eventstore.RecordedEvent{first}
	for len(batch) < maxBatch {
		select {
		case e := <-s.events:
			batch = append(batch, e)
		default:
			return batch, nil
		}
	}
	return batch, nil
}

// Close implements eventstore.Subscription.
func (s *subscription) Close() {
	s.fail(eventstore.ErrSubscriptionClosed)
	s.cancel()
	s.store.untrack(s)
}

// track registers a live subscription, unless the store is closed.
func (s *Store) track(sub *subscription) bool {
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	if s.closed.Load() {
		return false
	}
	if s.subs == nil {
		s.subs = make(map[*subscription]struct{})
	}
	s.subs[sub] = struct{}{}
	return true
}

func (s *Store) untrack(sub *subscription) {
	s.subsMu.Lock()
	delete(s.subs, sub)
	s.subsMu.Unlock()
}
