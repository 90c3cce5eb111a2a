package esdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdb"
)

// node is one process sharing the ledger: its own connection and lease.
func node(t *testing.T, url, name string, ttl time.Duration) (*esdb.Store, *esdb.Lease) {
	t.Helper()
	s, err := esdb.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, s.Lease(name, ttl)
}

type acquired struct {
	held    context.Context
	release func()
	err     error
}

func acquire(ctx context.Context, l *esdb.Lease, name string) <-chan acquired {
	out := make(chan acquired, 1)
	go func() {
		held, release, err := l.Acquire(ctx, name)
		out <- acquired{held, release, err}
	}()
	return out
}

func TestLeaseHasOneHolderAndPassesOnRelease(t *testing.T) {
	url, _ := serveLedger(t)
	const ttl = 600 * time.Millisecond
	_, a := node(t, url, "a", ttl)
	_, b := node(t, url, "b", ttl)
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
	url, _ := serveLedger(t)
	const ttl = 600 * time.Millisecond
	aStore, a := node(t, url, "a", ttl)
	_, b := node(t, url, "b", ttl)
	first := <-acquire(t.Context(), a, "sla")
	if first.err != nil {
		t.Fatal(first.err)
	}
	waiting := acquire(t.Context(), b, "sla")
	time.Sleep(ttl)
	died := time.Now()
	aStore.Close() // a's renewals fail from now on, as if it had died
	select {
	case <-first.held.Done():
		if since := time.Since(died); since > ttl {
			t.Errorf("a stepped down %s after its last renewal could have been sent; want before the TTL (%s)", since, ttl)
		}
	case <-time.After(2 * ttl):
		t.Fatal("a kept leading without renewing")
	}
	select {
	case got := <-waiting:
		if got.err != nil {
			t.Fatal(got.err)
		}
		took := time.Since(died)
		if took < ttl/2 {
			t.Errorf("b took the lease %s after a's last renewal; a may still lead until TTL/2", took)
		}
		t.Logf("takeover %s after the holder died (ttl %s)", took, ttl)
		got.release()
	case <-time.After(3 * ttl):
		t.Fatal("b did not take the dead holder's lease")
	}
	first.release()
}

func TestLeaseTakenByAnotherEndsTheHolder(t *testing.T) {
	url, _ := serveLedger(t)
	const ttl = 600 * time.Millisecond
	s, a := node(t, url, "a", ttl)
	first := <-acquire(t.Context(), a, "notify")
	if first.err != nil {
		t.Fatal(first.err)
	}
	// Another node's record lands (a partition healed, say): a's next
	// renewal expects the revision before it and fails.
	if err := esdb.ForceLeaseRecord(t.Context(), s, "notify", "intruder"); err != nil {
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
}

func TestCheckpointInTheSharedStore(t *testing.T) {
	url, ledger := serveLedger(t)
	s, err := esdb.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cp := s.Checkpoint("notify")
	if _, found, err := cp.Load(t.Context()); err != nil || found {
		t.Fatalf("a new checkpoint: found %v, err %v", found, err)
	}
	for _, pos := range []uint64{7, 42} {
		if err := cp.Save(t.Context(), pos); err != nil {
			t.Fatal(err)
		}
	}
	other, err := esdb.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if pos, found, err := other.Checkpoint("notify").Load(t.Context()); err != nil || !found || pos != 42 {
		t.Fatalf("another node loads %d (found %v, err %v); want 42", pos, found, err)
	}
	// Coordination stays out of the ledger.
	if _, err := s.Append(t.Context(), "customer-1", eventstore.NoStream, []eventstore.EventData{{ID: uuid.New(), Type: "X", Data: []byte(`{}`), Metadata: []byte(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	all, err := ledger.ReadAll(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Stream != "customer-1" {
		t.Fatalf("the ledger holds %d events (%v); want only the customer's", len(all), all)
	}
	if head, err := s.HeadPosition(t.Context()); err != nil || head != 1 {
		t.Fatalf("head %d, err %v; want 1", head, err)
	}
}
