package projections

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// TestReadSnapshot: the reads under one snapshot see the read models as
// they were at its first read, whatever is applied meanwhile; reads
// without it, and a new snapshot, see the latest.
func TestReadSnapshot(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	h.emit(r, domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Wang Fang", Tier: domain.TierStandard, At: at(0)})
	ctx, end := h.db.WithSnapshot(h.ctx)
	name := func(c Customer, err error) string {
		t.Helper()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return c.DisplayName
	}
	if got := name(h.db.Customer(ctx, "c1")); got != "Wang Fang" {
		t.Fatalf("first read under the snapshot: %q", got)
	}
	h.emit(r, domain.CustomerRenamed{CustomerID: "c1", DisplayName: "Li Lei", At: at(1)})
	if got := name(h.db.Customer(ctx, "c1")); got != "Wang Fang" {
		t.Errorf("a later read under the same snapshot: %q, want the name at its first read", got)
	}
	if again, _ := h.db.WithSnapshot(ctx); again != ctx {
		t.Error("a context with a snapshot got a second one")
	}
	if got := name(h.db.Customer(h.ctx, "c1")); got != "Li Lei" {
		t.Errorf("a read without the snapshot: %q, want the latest", got)
	}
	end()
	if _, err := h.db.Customer(ctx, "c1"); err == nil {
		t.Error("a read under a released snapshot succeeded")
	}
	fresh, endFresh := h.db.WithSnapshot(h.ctx)
	defer endFresh()
	if got := name(h.db.Customer(fresh, "c1")); got != "Li Lei" {
		t.Errorf("a new snapshot: %q, want the latest", got)
	}
}

// TestSnapshotReadsNeedNoSecondConnection: as many requests as the read
// pool has connections each hold their snapshot and then read an agent's
// work, an interaction, its messages and an identity's holder (what the
// desktop's inbox and screen pop ask for). Each read runs in the request's
// snapshot: one that asked the pool for a connection of its own would wait
// for the others' snapshots, which wait for it, until the requests time out.
func TestSnapshotReadsNeedNoSecondConnection(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	h.emit(r, domain.CustomerRegistered{CustomerID: "c1", DisplayName: "Wang Fang", Tier: domain.TierStandard, At: at(0)},
		domain.IdentityLinked{CustomerID: "c1", Identity: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000001"}, At: at(0)})
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	var holding, done sync.WaitGroup
	holding.Add(DefaultReadConns)
	errs := make(chan error, DefaultReadConns)
	for range DefaultReadConns {
		done.Go(func() {
			req, end := h.db.WithSnapshot(ctx)
			defer end()
			_, err := h.db.Agents(req) // begins the snapshot: one connection held
			holding.Done()
			holding.Wait() // every connection of the pool is held now
			if err == nil {
				_, err = h.db.AgentWork(req, "a1")
			}
			if err == nil {
				_, err = h.db.Interaction(req, "i-none")
				if domain.ErrorCode(err) == domain.ENOTFOUND {
					err = nil
				}
			}
			if err == nil {
				_, err = h.db.Messages(req, "i-none")
			}
			if err == nil {
				_, err = h.db.InteractionsByID(req, []string{"i-none"})
			}
			if err == nil {
				_, _, err = h.db.identityHolder(req, domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000001"})
			}
			errs <- err
		})
	}
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a read under a snapshot while every connection was held: %v", err)
		}
	}
}
