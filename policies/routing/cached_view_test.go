package routing

import (
	"context"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// countingView counts the reads of its agents.
type countingView struct{ reads int }

func (v *countingView) Waiting(context.Context, time.Time) ([]domain.WaitingItem, error) {
	return nil, nil
}

func (v *countingView) Agents(context.Context) ([]domain.RoutingAgent, error) {
	v.reads++
	return []domain.RoutingAgent{{ID: "a1"}}, nil
}

func TestCachedViewRereadsAgentsAfterItsTTL(t *testing.T) {
	inner := &countingView{}
	v := NewCachedView(inner, 30*time.Millisecond)
	for range 3 {
		if agents, err := v.Agents(t.Context()); err != nil || len(agents) != 1 {
			t.Fatalf("Agents = %v, %v", agents, err)
		}
	}
	if inner.reads != 1 {
		t.Fatalf("%d reads within the ttl, want 1", inner.reads)
	}
	time.Sleep(40 * time.Millisecond)
	if _, err := v.Agents(t.Context()); err != nil {
		t.Fatal(err)
	}
	if inner.reads != 2 {
		t.Fatalf("%d reads after the ttl, want 2", inner.reads)
	}
}
