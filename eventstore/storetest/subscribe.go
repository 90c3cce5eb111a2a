package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore"
)

// collector reads a subscription on its own goroutine until it has
// delivered the target position (set later, once known).
type collector struct {
	after   uint64
	got     []eventstore.RecordedEvent
	err     error
	caught  chan struct{} // closed once the pre-existing events are delivered
	done    chan struct{}
	catchUp uint64
	target  *atomic.Uint64
}

func startCollector(ctx context.Context, s eventstore.Store, after, catchUp uint64, target *atomic.Uint64) *collector {
	c := &collector{after: after, caught: make(chan struct{}), done: make(chan struct{}), catchUp: catchUp, target: target}
	go c.run(ctx, s.SubscribeAll(ctx, after))
	return c
}

func (c *collector) run(ctx context.Context, sub eventstore.Subscription) {
	defer close(c.done)
	defer sub.Close()
	caught := false
	for {
		evs, err := sub.Next(ctx)
		if err != nil {
			c.err = err
			return
		}
		if len(evs) == 0 {
			c.err = errors.New("Next returned no events and no error")
			return
		}
		for _, e := range evs {
			if want := c.after + uint64(len(c.got)) + 1; e.Position != want {
				c.err = fmt.Errorf("delivered position %d, want %d: skipped or repeated", e.Position, want)
				return
			}
			c.got = append(c.got, e)
		}
		last := evs[len(evs)-1].Position
		if !caught && last >= c.catchUp {
			caught = true
			close(c.caught)
		}
		if tgt := c.target.Load(); tgt > 0 && last >= tgt {
			return
		}
	}
}

func testSubscribeCatchUpThenLive(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	for i := range 30 {
		mustAppend(t, s, fmt.Sprintf("pre-%d", i%5), eventstore.Any, newEvents("Noted", 10))
	}
	stored := head(t, s) // 300: catch-up spans pages
	var target atomic.Uint64
	var cols []*collector
	for _, after := range []uint64{0, 137, stored} {
		cols = append(cols, startCollector(ctx, s, after, max(after+1, stored), &target))
	}
	for _, c := range cols[:2] {
		select {
		case <-c.caught:
		case <-c.done:
			t.Fatalf("subscription after %d ended during catch-up: %v", c.after, c.err)
		case <-ctx.Done():
			t.Fatalf("subscription after %d did not catch up: %v", c.after, ctx.Err())
		}
	}

	runWriters(ctx, t, s, "live", 100)
	// A last event whose position every collector waits for, appended
	// after the target is set so none can miss it.
	target.Store(head(t, s) + 1)
	sentinel, err := s.Append(ctx, "sentinel", eventstore.Any, newEvents("Ended", 1))
	if err != nil {
		t.Fatal(err)
	}
	if sentinel.LastPosition != target.Load() {
		t.Fatalf("sentinel at position %d, want %d", sentinel.LastPosition, target.Load())
	}

	all := readAll(t, s, 500)
	for _, c := range cols {
		select {
		case <-c.done:
		case <-ctx.Done():
			t.Fatalf("subscription after %d stalled at %d events: %v", c.after, len(c.got), ctx.Err())
		}
		if c.err != nil {
			t.Fatalf("subscription after %d: %v", c.after, c.err)
		}
		checkDelivered(t, c.after, c.got, all)
	}
}

// checkDelivered asserts got is exactly all[after:], in order.
func checkDelivered(t *testing.T, after uint64, got, all []eventstore.RecordedEvent) {
	t.Helper()
	want := all[after:]
	if len(got) != len(want) {
		t.Fatalf("subscription after %d delivered %d events, want %d", after, len(got), len(want))
	}
	for i := range got {
		if got[i].Position != after+uint64(i)+1 || got[i].ID != want[i].ID {
			t.Fatalf("subscription after %d: event %d is position %d id %s, want position %d id %s",
				after, i, got[i].Position, got[i].ID, after+uint64(i)+1, want[i].ID)
		}
	}
}

func testSubscribeFromHead(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	mustAppend(t, s, "before", eventstore.Any, newEvents("Noted", 3))
	sub := s.SubscribeAll(ctx, 3)
	defer sub.Close()

	idle, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if evs, err := sub.Next(idle); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next with nothing new = %d events, %v; want context.DeadlineExceeded", len(evs), err)
	}

	type result struct {
		evs []eventstore.RecordedEvent
		err error
	}
	ch := make(chan result, 1)
	go func() {
		evs, err := sub.Next(ctx)
		ch <- result{evs, err}
	}()
	evs := newEvents("Noted", 2)
	mustAppend(t, s, "after", eventstore.Any, evs)
	r := <-ch
	if r.err != nil {
		t.Fatalf("Next: %v", r.err)
	}
	// The two events may come in one batch or two.
	got := r.evs
	if len(got) == 1 {
		more, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		got = append(got, more...)
	}
	if len(got) != 2 || got[0].Position != 4 || got[1].Position != 5 {
		t.Fatalf("live delivery = %v, want positions 4 and 5", positions(got))
	}
	wantIDs(t, got, evs)
}

func positions(evs []eventstore.RecordedEvent) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Position
	}
	return out
}

// testSubscriptionEnds checks that a blocked Next returns when the
// subscription or the store closes.
func testSubscriptionEnds(t *testing.T, s eventstore.Store) {
	ctx := testContext(t)
	mustAppend(t, s, "s", eventstore.Any, newEvents("Noted", 1))
	blockedNext := func(sub eventstore.Subscription) <-chan error {
		ch := make(chan error, 1)
		go func() {
			if _, err := sub.Next(ctx); err != nil {
				ch <- err
				return
			}
			_, err := sub.Next(ctx) // the first Next delivers position 1
			ch <- err
		}()
		return ch
	}
	wait := func(ch <-chan error, what string) error {
		select {
		case err := <-ch:
			if err == nil {
				t.Fatalf("Next after %s returned no error", what)
			}
			return err
		case <-ctx.Done():
			t.Fatalf("Next still blocked after %s", what)
		}
		return nil
	}

	sub1 := s.SubscribeAll(ctx, 0)
	ch1 := blockedNext(sub1)
	time.Sleep(20 * time.Millisecond)
	sub1.Close()
	wait(ch1, "Subscription.Close")

	sub2 := s.SubscribeAll(ctx, 0)
	ch2 := blockedNext(sub2)
	time.Sleep(20 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := wait(ch2, "Store.Close"); !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("Next after Store.Close = %v, want ErrClosed", err)
	}
}
