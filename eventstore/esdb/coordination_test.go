package esdb_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/coordination"
	"github.com/interactionledger/ledger/eventstore/esdb"
)

// The nodes' coordination travels through the protocol into the
// endpoint's system streams, and stays out of the ledger.
func TestCoordinationThroughTheEndpoint(t *testing.T) {
	url, ledger := serveLedger(t)
	s, err := esdb.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cp := coordination.NewCheckpoint(s, "notify")
	if _, found, err := cp.Load(t.Context()); err != nil || found {
		t.Fatalf("a new checkpoint: found %v, err %v", found, err)
	}
	if err := cp.Save(t.Context(), 42); err != nil {
		t.Fatal(err)
	}
	if pos, found, err := cp.Load(t.Context()); err != nil || !found || pos != 42 {
		t.Fatalf("loaded %d (found %v, err %v); want 42", pos, found, err)
	}
	held, release, err := coordination.NewLease(s, "a", time.Second).Acquire(t.Context(), "router")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), coordination.LeaseStream("router"), eventstore.NoStream, coordination.LeaseEventType, []byte(`{}`)); !eventstore.IsVersionConflict(err) {
		t.Fatalf("a no-stream write to a held lease: %v; want a version conflict", err)
	}
	release()
	if held.Err() == nil {
		t.Fatal("the lease is held after release")
	}
	if _, err := s.Append(t.Context(), "customer-1", eventstore.NoStream, []eventstore.EventData{{ID: uuid.New(), Type: "X", Data: []byte(`{}`), Metadata: []byte(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	all, err := ledger.ReadAll(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Stream != "customer-1" {
		t.Fatalf("the ledger holds %d events; want only the customer's", len(all))
	}
	if head, err := s.HeadPosition(t.Context()); err != nil || head != 1 {
		t.Fatalf("head %d, err %v; want 1", head, err)
	}
}
