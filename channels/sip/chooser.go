package sip

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/interactionledger/ledger/domain"
)

// WaitingCall is a queued call as an AgentChooser sees it.
type WaitingCall struct {
	CallID        string
	InteractionID string
	CustomerID    string
	Queue         string
	// WaitingSince is when the call entered the queue (the first time:
	// an offer nobody answered does not send it to the back).
	WaitingSince time.Time
}

// Candidate is an agent who can take a call right now as far as the
// phone channel knows: their softphone is registered and not on a call
// of ours.
type Candidate struct {
	AgentID string
	// IdleSince is when the agent's phone last became free (its
	// registration, or the end of its last call).
	IdleSince time.Time
}

// AgentChooser picks the agent a waiting call is offered to: the one
// seam between the phone channel and routing. FirstAvailable is the
// simple choice until the router (skills, priority, bullseye relaxation,
// capacity) replaces it; `ledger serve` plugs a chooser in through
// sip.Config.Chooser (cmd/ledger/serve_sip.go, sipAgentChooser).
//
// The contract, so a router can be dropped in without touching the
// channel:
//
//   - Choose is called from the channel's single dispatching goroutine,
//     for the waiting calls oldest first, whenever a call arrives, a phone
//     registers or frees up, and every second while calls wait. It should
//     answer quickly (read models, not ledger scans); a slow Choose holds
//     up every queued call.
//   - candidates are the agents whose phones are registered, not on a
//     call of ours, not resting after an unanswered offer, and not ones
//     that already let this call ring out; longest idle first. Presence,
//     skills and capacity are the chooser's business.
//   - The answer is one of candidates, or "" to leave the call waiting
//     (asked again later). An error is logged and the round ends.
//   - The channel records the choice itself, AssignInteraction then
//     OfferCall on the call's interaction. A router that appends the
//     assignment on its own (with optimistic concurrency) stays
//     compatible: assigning the same agent again is a no-op in the domain.
//   - An agent whose phone does not answer within the ring timeout, or
//     refuses, is cancelled; the call is re-queued (InteractionQueued) at
//     its old place and Choose is asked again without that agent.
type AgentChooser interface {
	// Choose returns one of candidates (listed longest-idle first) for
	// call, or "" when none of them should take it now.
	Choose(ctx context.Context, call WaitingCall, candidates []Candidate) (string, error)
}

// AgentStatus is what the contact centre's read side knows about an
// agent: presence, and how many calls at once they take.
type AgentStatus struct {
	Presence domain.Presence
	// PhoneCapacity is the agent's voice capacity (0: takes no calls).
	PhoneCapacity int
}

// Directory tells the phone channel agents' presence. The server wires
// the agents projection in; tests wire a map.
type Directory interface {
	AgentStatuses(ctx context.Context) (map[string]AgentStatus, error)
}

// DirectoryFunc adapts a function to Directory.
type DirectoryFunc func(ctx context.Context) (map[string]AgentStatus, error)

// AgentStatuses implements Directory.
func (f DirectoryFunc) AgentStatuses(ctx context.Context) (map[string]AgentStatus, error) {
	return f(ctx)
}

// FirstAvailable is the routing until the routing issue lands: the
// longest-idle registered agent who is AVAILABLE and takes calls.
type FirstAvailable struct {
	Directory Directory
}

// Choose implements AgentChooser.
func (f FirstAvailable) Choose(ctx context.Context, _ WaitingCall, candidates []Candidate) (string, error) {
	if len(candidates) == 0 {
		return "", nil
	}
	statuses, err := f.Directory.AgentStatuses(ctx)
	if err != nil {
		return "", fmt.Errorf("agent presence: %w", err)
	}
	for _, c := range candidates {
		if st, ok := statuses[c.AgentID]; ok && st.Presence == domain.PresenceAvailable && st.PhoneCapacity > 0 {
			return c.AgentID, nil
		}
	}
	return "", nil
}

// CachedDirectory wraps a Directory whose answers are costly (a read-model
// query) and change at human speed: presence is re-read at most every ttl.
// A failed read is not cached.
func CachedDirectory(d Directory, ttl time.Duration) Directory {
	return &cachedDirectory{inner: d, ttl: ttl, now: time.Now}
}

type cachedDirectory struct {
	inner Directory
	ttl   time.Duration
	now   func() time.Time

	mu      sync.Mutex
	at      time.Time
	current map[string]AgentStatus
}

func (c *cachedDirectory) AgentStatuses(ctx context.Context) (map[string]AgentStatus, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current != nil && c.now().Sub(c.at) < c.ttl {
		return c.current, nil
	}
	m, err := c.inner.AgentStatuses(ctx)
	if err != nil {
		return nil, err
	}
	c.current, c.at = m, c.now()
	return m, nil
}
