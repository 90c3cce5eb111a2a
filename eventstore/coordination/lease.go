package coordination

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/interactionledger/ledger/eventstore"
)

// Lease is the lease (follow.Lease) of nodes that share a ledger: the
// lease called name is the system stream $ledger-lease-<name>.
//
//   - Its holder appends a renewal every TTL/3, each expecting the
//     revision of the one before, so a renewal fails once another node
//     has taken the lease.
//   - A node that wants it watches the stream's last revision and takes
//     it, expecting that revision, once it has not changed for the
//     holder's TTL as timed by the watcher's own clock (at once when the
//     stream is empty or its holder released it). Of several watchers,
//     the expected revision lets one win.
//   - The holder gives the lease up (its held context ends) once it has
//     not renewed for TTL/2 since it sent its last successful renewal:
//     before any watcher, who counts from when it saw that renewal, can
//     take it. Only clock rates need agree, not clocks.
//
// So a leader that dies is replaced between TTL and TTL plus a poll after
// its last renewal; one that stops cleanly releases the lease, and a
// watcher takes it within a poll.
type Lease struct {
	streams Streams
	node    string
	ttl     time.Duration
	poll    time.Duration
	log     *slog.Logger
}

// LeaseEventType is a lease record's type, a system event type (see
// CheckpointEventType).
const LeaseEventType = "$ledger-lease"

// leaseRecord is one event of a lease stream.
type leaseRecord struct {
	Node      string `json:"node"`
	TTLMillis int64  `json:"ttlMillis"`
	Released  bool   `json:"released,omitempty"`
}

// errLeaseTaken is a lease write that expected a revision the stream has
// moved past.
var errLeaseTaken = errors.New("lease taken by another node")

// NewLease returns the lease of node (a name unique to this process,
// shown in logs) with time to live ttl, kept in streams.
func NewLease(streams Streams, node string, ttl time.Duration) *Lease {
	return &Lease{streams: streams, node: node, ttl: ttl, poll: max(ttl/8, 50*time.Millisecond), log: slog.Default()}
}

// LeaseStream is the system stream of the lease called name.
func LeaseStream(name string) string { return "$ledger-lease-" + name }

// Acquire implements follow.Lease.
func (l *Lease) Acquire(ctx context.Context, name string) (context.Context, func(), error) {
	stream := LeaseStream(name)
	watched, since := int64(-2), time.Time{}
	for {
		cur, rec, err := l.current(ctx, stream)
		switch {
		case err != nil:
			l.log.Warn("lease: cannot read its stream; trying again", "lease", name, "err", err)
		case cur >= 0 && rec.Node == l.node && !rec.Released:
			// Our own write, whose answer was lost.
			held, release := l.hold(ctx, name, stream, cur)
			return held, release, nil
		case cur < 0 || rec.Released || cur == watched && time.Since(since) >= max(l.ttl, time.Duration(rec.TTLMillis)*time.Millisecond):
			rev, err := l.write(ctx, stream, cur, false)
			if err == nil {
				l.log.Info("lease taken", "lease", name, "node", l.node, "from", rec.Node)
				held, release := l.hold(ctx, name, stream, rev)
				return held, release, nil
			}
			if !errors.Is(err, errLeaseTaken) {
				l.log.Warn("lease: cannot take it; trying again", "lease", name, "err", err)
			}
			watched = -2
		case cur != watched:
			watched, since = cur, time.Now()
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(l.poll):
		}
	}
}

// hold keeps the lease renewed until it is released or lost.
func (l *Lease) hold(ctx context.Context, name, stream string, rev int64) (context.Context, func()) {
	held, cancel := context.WithCancelCause(ctx)
	// Step down TTL/2 after the last successful renewal was sent.
	deadline := time.AfterFunc(l.ttl/2, func() {
		cancel(fmt.Errorf("lease %s: not renewed for %s", name, l.ttl/2))
	})
	var mu sync.Mutex // guards rev between the renewals and release
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(l.ttl / 3)
		defer tick.Stop()
		for {
			select {
			case <-held.Done():
				return
			case <-tick.C:
			}
			sent := time.Now()
			mu.Lock()
			next, err := l.renew(held, stream, rev)
			if err == nil {
				rev = next
			}
			mu.Unlock()
			switch {
			case err == nil:
				deadline.Reset(time.Until(sent.Add(l.ttl / 2)))
			case errors.Is(err, errLeaseTaken):
				l.log.Warn("lease lost to another node", "lease", name, "node", l.node)
				cancel(fmt.Errorf("lease %s: %w", name, err))
				return
			case held.Err() == nil:
				l.log.Warn("lease: renewal failed; stepping down unless one succeeds soon", "lease", name, "err", err)
			}
		}
	}()
	release := func() {
		lost := held.Err() != nil
		cancel(nil)
		deadline.Stop()
		<-done
		if lost {
			return
		}
		wctx, stop := context.WithTimeout(context.WithoutCancel(ctx), l.ttl/3)
		defer stop()
		mu.Lock()
		defer mu.Unlock()
		if _, err := l.write(wctx, stream, rev, true); err != nil {
			l.log.Warn("lease not released; another node takes it once it expires", "lease", name, "err", err)
		}
	}
	return held, release
}

// renew appends a renewal after revision rev. A renewal whose answer was
// lost and that is retried finds the stream past rev, at our own record:
// that is a success.
func (l *Lease) renew(ctx context.Context, stream string, rev int64) (int64, error) {
	wctx, stop := context.WithTimeout(ctx, l.ttl/4)
	defer stop()
	next, err := l.write(wctx, stream, rev, false)
	if !errors.Is(err, errLeaseTaken) {
		return next, err
	}
	cur, rec, rerr := l.current(ctx, stream)
	if rerr == nil && cur > rev && rec.Node == l.node && !rec.Released {
		return cur, nil
	}
	return 0, err
}

// current returns the stream's last version (-1 when it has none) and
// record.
func (l *Lease) current(ctx context.Context, stream string) (int64, leaseRecord, error) {
	var rec leaseRecord
	last, found, err := l.streams.Last(ctx, stream)
	if err != nil || !found {
		return -1, rec, err
	}
	if err := json.Unmarshal(last.Data, &rec); err != nil {
		return 0, rec, fmt.Errorf("lease %s: version %d: %w", stream, last.Version, err)
	}
	return last.Version, rec, nil
}

// write appends a record expecting version after (-1: no stream) and
// returns the new version.
func (l *Lease) write(ctx context.Context, stream string, after int64, released bool) (int64, error) {
	data, err := json.Marshal(leaseRecord{Node: l.node, TTLMillis: l.ttl.Milliseconds(), Released: released})
	if err != nil {
		return 0, err
	}
	expected := eventstore.NoStream
	if after >= 0 {
		expected = eventstore.Exact(after)
	}
	v, err := l.streams.Put(ctx, stream, expected, LeaseEventType, data)
	if eventstore.IsVersionConflict(err) {
		return 0, errLeaseTaken
	}
	return v, err
}
