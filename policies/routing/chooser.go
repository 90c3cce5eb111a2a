package routing

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// ChooseAgent picks, among candidates (agent id -> since when their phone
// is idle), the agent a waiting call goes to, with the same policy as the
// router's rounds (skills, bullseye relaxation, capacity, voice blocking,
// longest idle), and holds that agent's voice capacity (HoldOnly: the
// phone channel appends the assignment when it offers the call; see
// Config.SyncCallHolds for when the hold is written). A call
// whose queue overflowed is matched against the overflow queue's rules;
// the phone channel keeps the call where it is. It returns "" when nobody
// should take the call now.
func (r *Router) ChooseAgent(ctx context.Context, call domain.WaitingItem, candidates map[string]time.Time) (string, error) {
	if len(candidates) == 0 {
		return "", nil
	}
	all, err := r.view.Agents(ctx)
	if err != nil {
		return "", err
	}
	pool := make([]domain.RoutingAgent, 0, len(candidates))
	for _, a := range all {
		if idle, ok := candidates[a.ID]; ok {
			a.IdleSince = idle
			pool = append(pool, a)
		}
	}
	now := r.h.Now()
	visited := map[string]bool{}
	for len(pool) > 0 {
		decision := r.cfg.Decide([]domain.WaitingItem{call}, pool, now)
		if len(decision.Assignments) == 0 {
			if len(decision.Overflows) == 0 || visited[decision.Overflows[0].To] {
				return "", nil
			}
			visited[call.Queue] = true
			call.Queue = decision.Overflows[0].To
			continue
		}
		agentID := decision.Assignments[0].AgentID
		req := r.cfg.Assignment(call.InteractionID, agentID, true)
		if !r.cfg.SyncCallHolds {
			r.holdLater(ctx, req)
			return agentID, nil
		}
		_, err := r.h.AssignRouted(ctx, req)
		if err == nil {
			return agentID, nil
		}
		if !errors.Is(err, commands.ErrAssignmentLost) {
			return "", err
		}
		pool = slices.DeleteFunc(pool, func(a domain.RoutingAgent) bool { return a.ID == agentID })
	}
	return "", nil
}

// holdLater writes a call's voice hold off the phone channel's dispatching
// goroutine, which must not wait for a durable append per call. The phone
// channel itself never gives a phone two calls; the hold is what keeps
// written work from an agent on a call (VoiceBlocksOthers), so a refused
// hold is only logged.
func (r *Router) holdLater(ctx context.Context, req commands.RoutedAssignment) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	go func() {
		defer cancel()
		if _, err := r.h.AssignRouted(ctx, req); err != nil {
			r.log.Warn("router: holding the voice capacity of a call failed", "agent", req.AgentID, "interaction", req.InteractionID, "err", err)
		}
	}()
}
