package projections

import (
	"testing"

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
