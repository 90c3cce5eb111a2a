// Package esdb is the event store on EventStoreDB (KurrentDB), through
// the official Go client: the store for when one machine is not enough.
// It talks to an EventStoreDB node or cluster, or to another ledger's
// protocol endpoint (`ledger serve --esdb-listen`).
//
// Mapping of the Store contract:
//   - Events keep their ids. The ledger's schema, recording time and hash
//     chain travel in each event's custom metadata (package esdbwire).
//   - The store chains events itself: an append reads the stream's tail,
//     hashes the new events onto it and appends with that exact expected
//     revision, so two writers can never fork a chain; an Any append that
//     loses such a race re-reads the tail and tries again.
//   - Positions are EventStoreDB commit positions. On the ledger's own
//     endpoint they are the ledger's gap-free positions; on EventStoreDB
//     they grow with every event but have gaps, which checkpoints and
//     READ_YOUR_WRITES (both "position >= p" comparisons) do not mind.
//   - $all is read and followed without system events (types or streams
//     starting with "$"), the subscription with EventStoreDB's own
//     server-side filter.
//   - Idempotency: EventStoreDB treats an append as a retry when its ids
//     are the events right after the expected revision it names; with
//     "any" it only remembers recent ids in a bounded cache. This store
//     adds an id check against the stream's newest IDWindow events before
//     every append, which covers a retry with any expected version as
//     long as the stream has not grown by more than that since. The
//     ledger's own endpoint checks every id of the whole ledger, so there
//     idempotency and id conflicts hold without a window.
package esdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/interactionledger/ledger/eventstore"
)

// IDWindow is how many of a stream's newest events an append checks its
// ids against.
const IDWindow = 64

// Store is the Store contract on an EventStoreDB connection.
type Store struct {
	client *client.Client
	clock  func() time.Time
	// gate lets Close wait for the calls in flight: each holds it shared.
	gate   sync.RWMutex
	closed atomic.Bool
	// subs are the live subscriptions, ended with ErrClosed by Close.
	subsMu sync.Mutex
	subs   map[*subscription]struct{}
	// coordinated are the coordination streams (leases, checkpoints)
	// whose $maxCount this process set.
	coordinated sync.Map
}

// Option configures Open.
type Option func(*Store)

// WithClock sets the clock that stamps recorded_at (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.clock = now } }

// IsURL reports whether s names an EventStoreDB connection rather than a
// file.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "esdb://") || strings.HasPrefix(s, "esdb+discover://") ||
		strings.HasPrefix(s, "kurrentdb://") || strings.HasPrefix(s, "kdb://")
}

// Open connects to the EventStoreDB at url, an EventStoreDB connection
// string such as esdb://host:2113?tls=false, and checks that it answers.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	if rest, ok := strings.CutPrefix(url, "kurrentdb://"); ok {
		url = "esdb://" + rest
	} else if rest, ok := strings.CutPrefix(url, "kdb://"); ok {
		url = "esdb://" + rest
	}
	conf, err := client.ParseConnectionString(url)
	if err != nil {
		return nil, fmt.Errorf("esdb connection string: %w", err)
	}
	conf.Logger = clientLog
	c, err := client.NewClient(conf)
	if err != nil {
		return nil, fmt.Errorf("esdb client: %w", err)
	}
	s := &Store{client: c, clock: time.Now}
	for _, o := range opts {
		o(s)
	}
	if _, err := s.HeadPosition(ctx); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("esdb %s: %w", conf.Address, err)
	}
	return s, nil
}

// clientLog sends the client's own log lines to slog, at debug level:
// it logs every error status it returns, which this store reports itself.
func clientLog(level client.LogLevel, format string, args ...any) {
	lvl := slog.LevelDebug
	if level == client.LogError || level == client.LogWarn {
		lvl = slog.LevelDebug + 1
	}
	slog.Log(context.Background(), lvl, "esdb client: "+fmt.Sprintf(format, args...))
}

// SparsePositions implements eventstore.SparsePositioned: EventStoreDB's
// commit positions have gaps (the ledger's own endpoint's do not, but the
// store cannot tell the two apart).
func (s *Store) SparsePositions() bool { return true }

// Close implements eventstore.Store: calls in flight finish first, live
// subscriptions end with ErrClosed.
func (s *Store) Close() error {
	s.gate.Lock()
	defer s.gate.Unlock()
	if s.closed.Swap(true) {
		return nil
	}
	s.subsMu.Lock()
	for sub := range s.subs {
		sub.fail(eventstore.ErrClosed)
		sub.cancel()
	}
	s.subs = nil
	s.subsMu.Unlock()
	return s.client.Close()
}

// enter starts a call: it fails once the store is closed, and Close waits
// for the returned leave.
func (s *Store) enter() (leave func(), err error) {
	s.gate.RLock()
	if s.closed.Load() {
		s.gate.RUnlock()
		return nil, eventstore.ErrClosed
	}
	return s.gate.RUnlock, nil
}

func (s *Store) usable() error {
	if s.closed.Load() {
		return eventstore.ErrClosed
	}
	return nil
}

// isSystem reports whether an event is EventStoreDB's own bookkeeping,
// which the ledger never wrote.
func isSystem(e *client.RecordedEvent) bool {
	return strings.HasPrefix(e.EventType, "$") || strings.HasPrefix(e.StreamID, "$")
}

// esdbCode returns the client error's code, or -1 for other errors.
func esdbCode(err error) client.ErrorCode {
	var e *client.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}
