package coordination_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/coordination"
	"github.com/interactionledger/ledger/eventstore/esdbserver"
)

// sharedStreams is the store the nodes share: system streams in a file.
func sharedStreams(t *testing.T) *esdbserver.SystemStreams {
	t.Helper()
	s, err := esdbserver.OpenSystemStreams(t.Context(), filepath.Join(t.TempDir(), "system.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// link is one node's way to the shared store; cut, it fails every call,
// as for a node that died or lost the network.
type link struct {
	coordination.Streams
	cut atomic.Bool
}

var errCut = errors.New("link cut")

func (l *link) Last(ctx context.Context, stream string) (eventstore.RecordedEvent, bool, error) {
	if l.cut.Load() {
		return eventstore.RecordedEvent{}, false, errCut
	}
	return l.Streams.Last(ctx, stream)
}

func (l *link) Put(ctx context.Context, stream string, expected eventstore.ExpectedVersion, typ string, data []byte) (int64, error) {
	if l.cut.Load() {
		return 0, errCut
	}
	return l.Streams.Put(ctx, stream, expected, typ, data)
}

type acquired struct {
	held    context.Context
	release func()
	err     error
}

func acquire(ctx context.Context, l *coordination.Lease, name string) <-chan acquired {
	out := make(chan acquired, 1)
	go func() {
		held, release, err := l.Acquire(ctx, name)
		out <- acquired{held, release, err}
	}()
	return out
}

const ttl = 600 * time.Millisecond

func TestLeaseHasOneHolderAndPassesOnRelease(t *testing.T) {
	shared := sharedStreams(t)
	a := coordination.NewLease(shared, "a", ttl)
	b := coordination.NewLease(shared, "b", ttl)
	first := <-acquire(t.Context(), a, "router")
	if first.err != nil {
		t.Fatal(first.err)
	}
	waiting := acquire(t.Context(), b, "router")
	select {
	case got := <-waiting:
		t.Fatalf("b took the lease a holds and renews (err %v)", got.err)
	case <-time.After(4 * ttl):
	}
	if first.held.Err() != nil {
		t.Fatalf("a lost a lease it renews: %v", context.Cause(first.held))
	}
	first.release()
	if first.held.Err() == nil {
		t.Fatal("a's held context goes on after release")
	}
	select {
	case got := <-waiting:
		if got.err != nil {
			t.Fatal(got.err)
		}
		got.release()
	case <-time.After(ttl):
		t.Fatal("b did not take the released lease within the TTL")
	}
}

func TestLeaseOfADeadHolderIsTakenAfterItsTTL(t *testing.T) {
	shared := sharedStreams(t)
	aLink := &link{Streams: shared}
	a := coordination.NewLease(aLink, "a", ttl)
	b := coordination.NewLease(shared, "b", ttl)
	first := <-acquire(t.Context(), a, "sla")
	if first.err != nil {
		t.Fatal(first.err)
	}
	waiting := acquire(t.Context(), b, "sla")
	time.Sleep(ttl)
	died := time.Now()
	aLink.cut.Store(true)
	select {
	case <-first.held.Done():
		if since := time.Since(died); since > ttl {
			t.Errorf("a stepped down %s after its link was cut; want within the TTL (%s)", since, ttl)
		}
	case <-time.After(2 * ttl):
		t.Fatal("a kept leading without renewing")
	}
	select {
	case got := <-waiting:
		if got.err != nil {
			t.Fatal(got.err)
		}
		if took := time.Since(died); took < ttl/2 {
			t.Errorf("b took the lease %s after a's link was cut; a may lead until TTL/2 after its last renewal", took)
		}
		if first.held.Err() == nil {
			t.Error("b took the lease while a still led")
		}
		got.release()
	case <-time.After(3 * ttl):
		t.Fatal("b did not take the dead holder's lease")
	}
	first.release()
}

func TestLeaseTakenByAnotherEndsTheHolder(t *testing.T) {
	shared := sharedStreams(t)
	a := coordination.NewLease(shared, "a", ttl)
	first := <-acquire(t.Context(), a, "notify")
	if first.err != nil {
		t.Fatal(first.err)
	}
	// Another node's record lands regardless (an operator's, say): a's
	// next renewal expects the version before it and fails.
	if _, err := shared.Put(t.Context(), coordination.LeaseStream("notify"), eventstore.Any, coordination.LeaseEventType, []byte(`{"node":"intruder","ttlMillis":3600000}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-first.held.Done():
		if cause := context.Cause(first.held); errors.Is(cause, context.Canceled) {
			t.Fatalf("a's lease ended without saying why: %v", cause)
		}
	case <-time.After(2 * ttl):
		t.Fatal("a leads on a lease another node holds")
	}
	first.release()
	// The intruder does not renew: a takes the lease again after its TTL
	// (its own record names an hour, so that is what a waits for).
	ctx, cancel := context.WithTimeout(t.Context(), 3*ttl)
	defer cancel()
	if _, _, err := a.Acquire(ctx, "notify"); err == nil {
		t.Fatal("a took a lease whose holder declared an hour's TTL within seconds")
	}
}

func TestLeasesOfDifferentNamesAreIndependent(t *testing.T) {
	shared := sharedStreams(t)
	a := coordination.NewLease(shared, "a", ttl)
	b := coordination.NewLease(shared, "b", ttl)
	for _, got := range []acquired{<-acquire(t.Context(), a, "router"), <-acquire(t.Context(), b, "qa")} {
		if got.err != nil {
			t.Fatal(got.err)
		}
		defer got.release()
	}
}

func TestCheckpointIsSharedAndStartsEmpty(t *testing.T) {
	shared := sharedStreams(t)
	cp := coordination.NewCheckpoint(shared, "notify")
	if _, found, err := cp.Load(t.Context()); err != nil || found {
		t.Fatalf("a new checkpoint: found %v, err %v", found, err)
	}
	for _, pos := range []uint64{7, 42} {
		if err := cp.Save(t.Context(), pos); err != nil {
			t.Fatal(err)
		}
	}
	if pos, found, err := coordination.NewCheckpoint(shared, "notify").Load(t.Context()); err != nil || !found || pos != 42 {
		t.Fatalf("another node loads %d (found %v, err %v); want 42", pos, found, err)
	}
	if _, found, _ := coordination.NewCheckpoint(shared, "qa").Load(t.Context()); found {
		t.Fatal("the qa checkpoint has the notify one's position")
	}
}
