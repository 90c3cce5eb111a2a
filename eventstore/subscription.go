package eventstore

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Notifier tells any number of waiters that something changed, typically
// that a transaction committed. The zero value is ready to use.
//
// A waiter takes the channel from C before it looks at the data and then
// waits on it: a change committed after C was called always closes that
// channel, so a waiter never sleeps through a change.
type Notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// C returns a channel that is closed at the next Notify.
func (n *Notifier) C() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

// Notify wakes every waiter holding a channel from C.
func (n *Notifier) Notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
}

// PollingSource is what NewPollingSubscription needs from a store: pages of
// $all, and a channel closed when new events may have been committed (or
// when the store closes, after which ReadAll fails).
type PollingSource interface {
	ReadAll(ctx context.Context, after uint64, max int) ([]RecordedEvent, error)
	Changed() <-chan struct{}
}

// PollingOptions tune NewPollingSubscription. Zero values pick defaults.
type PollingOptions struct {
	// PageSize is the most events one Next returns (default 512).
	PageSize int
	// MaxWait bounds how long a caught-up subscription sleeps without a
	// notification before it reads again, so writes the notifier cannot
	// see (another process appending to the same database) are still
	// delivered (default 1s).
	MaxWait time.Duration
}

// NewPollingSubscription returns a catch-up-then-live Subscription of every
// event with position > after, built on src.ReadAll and src.Changed. Any
// store whose ReadAll pages are consistent snapshots and whose positions
// grow in commit order can use it.
func NewPollingSubscription(src PollingSource, after uint64, opts PollingOptions) Subscription {
	if opts.PageSize <= 0 {
		opts.PageSize = 512
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = time.Second
	}
	return &pollingSubscription{src: src, after: after, opts: opts, done: make(chan struct{})}
}

type pollingSubscription struct {
	src       PollingSource
	opts      PollingOptions
	after     uint64 // position of the last delivered event
	done      chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex // serialises Next
}

// Next implements Subscription.
func (s *pollingSubscription) Next(ctx context.Context) ([]RecordedEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if err := s.stopped(ctx); err != nil {
			return nil, err
		}
		changed := s.src.Changed() // before reading: see Notifier
		events, err := s.src.ReadAll(ctx, s.after, s.opts.PageSize)
		if err != nil {
			return nil, fmt.Errorf("subscription after %d: %w", s.after, err)
		}
		if len(events) > 0 {
			if err := checkPage(s.after, events); err != nil {
				return nil, err
			}
			s.after = events[len(events)-1].Position
			return events, nil
		}
		if err := s.wait(ctx, changed); err != nil {
			return nil, err
		}
	}
}

func (s *pollingSubscription) stopped(ctx context.Context) error {
	select {
	case <-s.done:
		return ErrSubscriptionClosed
	default:
		return ctx.Err()
	}
}

func (s *pollingSubscription) wait(ctx context.Context, changed <-chan struct{}) error {
	timer := time.NewTimer(s.opts.MaxWait)
	defer timer.Stop()
	select {
	case <-changed:
		return nil
	case <-timer.C:
		return nil
	case <-s.done:
		return ErrSubscriptionClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// checkPage guards the never-skip, never-repeat promise against a faulty
// source: positions must grow strictly and start after the last delivered.
func checkPage(after uint64, events []RecordedEvent) error {
	prev := after
	for _, e := range events {
		if e.Position <= prev {
			return fmt.Errorf("subscription after %d: source returned position %d after %d", after, e.Position, prev)
		}
		prev = e.Position
	}
	return nil
}

// Close implements Subscription.
func (s *pollingSubscription) Close() {
	s.closeOnce.Do(func() { close(s.done) })
}
