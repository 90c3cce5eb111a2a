package esdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
)

// Lease is the lease (follow.Lease) of nodes that share a ledger on
// EventStoreDB: the lease called name is the system stream
// $ledger-lease-<name>, outside the ledger and its $all.
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
	store *Store
	node  string
	ttl   time.Duration
	poll  time.Duration
	log   *slog.Logger
}

// leaseEventType is a lease record's type: a system event type, so that
// EventStoreDB's system-event filter keeps it out of every $all read.
const leaseEventType = "$ledger-lease"

// leaseRecord is one event of a lease stream.
type leaseRecord struct {
	Node      string `json:"node"`
	TTLMillis int64  `json:"ttlMillis"`
	Released  bool   `json:"released,omitempty"`
}

// coordinationKeep is the $maxCount set on lease and checkpoint streams:
// only their newest events mean anything.
const coordinationKeep = 100

// errLeaseTaken is a lease write that expected a revision the stream has
// moved past.
var errLeaseTaken = errors.New("lease taken by another node")

// Lease returns the lease of node (a name unique to this process, shown
// in logs) with time to live ttl.
func (s *Store) Lease(node string, ttl time.Duration) *Lease {
	return &Lease{store: s, node: node, ttl: ttl, poll: max(ttl/8, 50*time.Millisecond), log: slog.Default()}
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

// current returns the stream's last revision (-1 when it has none) and
// record.
func (l *Lease) current(ctx context.Context, stream string) (int64, leaseRecord, error) {
	var rec leaseRecord
	tail, err := l.store.systemTail(ctx, stream)
	if err != nil || tail == nil {
		return -1, rec, err
	}
	if err := json.Unmarshal(tail.Data, &rec); err != nil {
		return 0, rec, fmt.Errorf("lease %s: revision %d: %w", stream, tail.EventNumber, err)
	}
	return int64(tail.EventNumber), rec, nil
}

// write appends a record expecting revision after (-1: no stream) and
// returns the new revision.
func (l *Lease) write(ctx context.Context, stream string, after int64, released bool) (int64, error) {
	data, err := json.Marshal(leaseRecord{Node: l.node, TTLMillis: l.ttl.Milliseconds(), Released: released})
	if err != nil {
		return 0, err
	}
	var expected client.ExpectedRevision = client.NoStream{}
	if after >= 0 {
		expected = client.Revision(uint64(after))
	}
	l.store.keepNewest(ctx, &l.store.coordinated, stream)
	rev, err := l.store.systemAppend(ctx, stream, expected, leaseEventType, data)
	if esdbCode(err) == client.ErrorCodeWrongExpectedVersion {
		return 0, errLeaseTaken
	}
	return rev, err
}

// systemTail returns a system stream's newest event, nil when it has none.
func (s *Store) systemTail(ctx context.Context, stream string) (*client.RecordedEvent, error) {
	leave, err := s.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	rs, err := s.client.ReadStream(ctx, stream, client.ReadStreamOptions{Direction: client.Backwards, From: client.End{}}, 1)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	defer rs.Close()
	ev, err := rs.Recv()
	if esdbCode(err) == client.ErrorCodeResourceNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	return ev.Event, nil
}

// systemAppend appends one event of type typ to a system stream and
// returns its revision.
func (s *Store) systemAppend(ctx context.Context, stream string, expected client.ExpectedRevision, typ string, data []byte) (int64, error) {
	leave, err := s.enter()
	if err != nil {
		return 0, err
	}
	defer leave()
	w, err := s.client.AppendToStream(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: expected},
		client.EventData{EventID: uuid.New(), EventType: typ, ContentType: client.ContentTypeJson, Data: data})
	if err != nil {
		return 0, fmt.Errorf("append %s: %w", stream, err)
	}
	return int64(w.NextExpectedVersion), nil
}

// keepNewest sets a coordination stream's $maxCount once per process, so
// that EventStoreDB scavenges its old records (the ledger's endpoint
// keeps a fixed number of them anyway). It is best effort: a stream
// without it only grows.
func (s *Store) keepNewest(ctx context.Context, done *sync.Map, stream string) {
	if _, ok := done.LoadOrStore(stream, true); ok {
		return
	}
	var meta client.StreamMetadata
	meta.SetMaxCount(coordinationKeep)
	leave, err := s.enter()
	if err != nil {
		return
	}
	defer leave()
	if _, err := s.client.SetStreamMetadata(ctx, stream, client.AppendToStreamOptions{ExpectedRevision: client.Any{}}, meta); err != nil {
		done.Delete(stream)
		slog.Debug("esdb: $maxCount not set", "stream", stream, "err", err)
	}
}
