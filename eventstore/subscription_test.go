package eventstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore"
)

func TestNotifierWakesWaitersTakenBeforeNotify(t *testing.T) {
	var n eventstore.Notifier
	a, b := n.C(), n.C()
	select {
	case <-a:
		t.Fatal("woken before Notify")
	default:
	}
	n.Notify()
	<-a
	<-b
	c := n.C()
	select {
	case <-c:
		t.Fatal("a channel taken after Notify is already closed")
	default:
	}
	n.Notify()
	n.Notify() // no waiter: harmless
	<-c
}

func TestPollingSubscriptionCatchesUpThenGoesLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := &logStore{}
	for range 7 {
		s.add("a")
	}
	sub := s.SubscribeAll(ctx, 2)
	defer sub.Close()
	var got []uint64
	for len(got) < 5 {
		evs, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) > 3 {
			t.Fatalf("page of %d events, page size is 3", len(evs))
		}
		got = append(got, positions(evs)...)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		s.add("b")
		s.add("a")
	}()
	for len(got) < 7 {
		evs, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, positions(evs)...)
	}
	for i, p := range got {
		if p != uint64(i+3) {
			t.Fatalf("delivered positions %v, want 3..9", got)
		}
	}
}

func TestPollingSubscriptionEnds(t *testing.T) {
	ctx := context.Background()
	s := &logStore{}
	s.add("a")

	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	sub := s.SubscribeAll(ctx, 1)
	if _, err := sub.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next with nothing new = %v, want DeadlineExceeded", err)
	}

	done := make(chan error, 1)
	go func() { _, err := sub.Next(ctx); done <- err }()
	time.Sleep(20 * time.Millisecond)
	sub.Close()
	if err := <-done; !errors.Is(err, eventstore.ErrSubscriptionClosed) {
		t.Fatalf("Next after Close = %v, want ErrSubscriptionClosed", err)
	}

	sub2 := s.SubscribeAll(ctx, 1)
	go func() { _, err := sub2.Next(ctx); done <- err }()
	time.Sleep(20 * time.Millisecond)
	s.Close()
	if err := <-done; !errors.Is(err, eventstore.ErrClosed) {
		t.Fatalf("Next after the store closed = %v, want ErrClosed", err)
	}
}

// TestPollingSubscriptionWakesWithoutNotification: writes the notifier
// cannot see are picked up after MaxWait.
func TestPollingSubscriptionWakesWithoutNotification(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := &logStore{}
	sub := eventstore.NewPollingSubscription(s, 0, eventstore.PollingOptions{MaxWait: 10 * time.Millisecond})
	go func() {
		time.Sleep(30 * time.Millisecond)
		s.mu.Lock()
		s.events = append(s.events, eventstore.RecordedEvent{Position: 1})
		s.mu.Unlock() // no Notify
	}()
	evs, err := sub.Next(ctx)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Next = %v, %v", evs, err)
	}
}

// TestPollingSubscriptionRejectsRepeats: a source that goes backwards is an
// error, never a repeated delivery.
func TestPollingSubscriptionRejectsRepeats(t *testing.T) {
	s := &logStore{}
	s.add("a")
	s.add("a")
	s.events[1].Position = 1
	sub := eventstore.NewPollingSubscription(s, 0, eventstore.PollingOptions{})
	if _, err := sub.Next(context.Background()); err == nil {
		t.Fatal("a page with a repeated position was delivered")
	}
}

func positions(evs []eventstore.RecordedEvent) []uint64 {
	out := make([]uint64, len(evs))
	for i, e := range evs {
		out[i] = e.Position
	}
	return out
}
