package projections

import (
	"fmt"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

// TestRoutingViewWaitingBeyondOneBatch: a busy hour queues more chats
// than one batch read of customers takes; the router still sees every one
// of them, with its customer's tier.
func TestRoutingViewWaitingBeyondOneBatch(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	const waiting = MaxBatchIDs*2 + 7
	var events []domain.Event
	for i := range waiting {
		customer := fmt.Sprintf("c%d", i%(waiting-3)) // a few customers wait twice
		events = append(events,
			domain.CustomerRegistered{CustomerID: customer, DisplayName: customer, Tier: domain.TierGold, At: at(0)},
			domain.InteractionStarted{InteractionID: fmt.Sprintf("i%d", i), CustomerID: customer, Channel: domain.ChannelWebchat, At: at(1)},
			domain.InteractionQueued{InteractionID: fmt.Sprintf("i%d", i), Queue: "general", Priority: domain.PriorityNormal, At: at(1)},
		)
	}
	h.emit(r, events...)
	items, err := NewRoutingView(h.db).Waiting(h.ctx, at(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != waiting {
		t.Fatalf("waiting items = %d, want %d", len(items), waiting)
	}
	for _, it := range items {
		if it.Tier != domain.TierGold {
			t.Fatalf("%s: tier %s, want the customer's %s", it.InteractionID, it.Tier, domain.TierGold)
		}
	}
}
