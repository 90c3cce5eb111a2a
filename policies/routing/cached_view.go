package routing

import (
	"context"
	"sync"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// CachedView re-reads a view's agents at most every ttl: the phone channel
// asks the router once per call, and presence, skills and load change far
// less often than calls arrive at a busy centre. A stale answer costs a
// refused hold (the agent's stream decides), never a wrong assignment.
type CachedView struct {
	View
	ttl time.Duration

	mu     sync.Mutex
	at     time.Time
	agents []domain.RoutingAgent
}

// NewCachedView caches view's agents for ttl.
func NewCachedView(view View, ttl time.Duration) *CachedView {
	return &CachedView{View: view, ttl: ttl}
}

// Agents implements View.
func (v *CachedView) Agents(ctx context.Context) ([]domain.RoutingAgent, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.agents != nil && time.Since(v.at) < v.ttl {
		return v.agents, nil
	}
	agents, err := v.View.Agents(ctx)
	if err != nil {
		return nil, err
	}
	v.agents, v.at = agents, time.Now()
	return agents, nil
}
