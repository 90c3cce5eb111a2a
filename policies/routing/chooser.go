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
// Config.SyncCallHolds for when the hold is written). The choice is made
// on the read side and confirmed by the agent's stream, which refuses an
// agent still on a call or in after-call work (wrap-up) however the read
// side lags; a refused agent is passed over for the next best. A call
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
	now := r.h.Now()
	pool := make([]domain.RoutingAgent, 0, len(candidates))
	for _, a := range all {
		if idle, ok := candidates[a.ID]; ok && !r.refusedLately(a.ID, now) {
			a.IdleSince = idle
			pool = append(pool, a)
		}
	}
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
			ok, err := r.mayHoldCall(ctx, req)
			if err != nil {
				return "", err
			}
			if ok {
				r.holdLater(ctx, req)
				return agentID, nil
			}
			r.refused(agentID, now)
		} else {
			_, err := r.h.AssignRouted(ctx, req)
			if err == nil {
				return agentID, nil
			}
			if !errors.Is(err, commands.ErrAssignmentLost) {
				return "", err
			}
		}
		pool = slices.DeleteFunc(pool, func(a domain.RoutingAgent) bool { return a.ID == agentID })
	}
	return "", nil
}

// refusalMemory is how long an agent whose stream refused a call's hold
// is left out of the calls' pools: about as long as the read side takes to
// show why (the cached view's lifetime), so a read side that still shows
// a busy agent free costs one stream read per agent in that time, not one
// per waiting call. An agent whose wrap-up expires just after a refusal
// waits at most this long more.
const refusalMemory = 250 * time.Millisecond

func (r *Router) refused(agentID string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.refusedAt) > 10_000 { // bounded: forget the old ones
		for id, at := range r.refusedAt {
			if now.Sub(at) >= refusalMemory {
				delete(r.refusedAt, id)
			}
		}
	}
	r.refusedAt[agentID] = now
}

func (r *Router) refusedLately(agentID string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.refusedAt[agentID]
	return ok && now.Sub(at) < refusalMemory && !now.Before(at)
}

// mayHoldCall checks the read side's choice against the agent's stream
// before the phone channel is answered, when the hold is written only
// after (Config.SyncCallHolds off). The read side lags: an agent's last
// call may be over on their phone before the read model shows it was
// theirs (calls can be that short), and their capacity stays taken
// through its wrap-up, so the phone being free does not make the agent
// free. The agent's stream decides (commands.Handler.CanHold, a read, no
// append), and an agent whose call hold is still being written counts as
// busy (conservative when an agent's voice capacity is above 1).
func (r *Router) mayHoldCall(ctx context.Context, req commands.RoutedAssignment) (bool, error) {
	r.mu.Lock()
	writing := r.holding[req.AgentID] > 0
	r.mu.Unlock()
	if writing {
		return false, nil
	}
	return r.h.CanHold(ctx, req, domain.ChannelPhone)
}

// holdLater writes a call's voice hold off the phone channel's dispatching
// goroutine, which must not wait for a durable append per call. The phone
// channel itself never gives a phone two calls; the hold is what keeps
// written work from an agent on a call (VoiceBlocksOthers), so a refused
// hold is only logged.
func (r *Router) holdLater(ctx context.Context, req commands.RoutedAssignment) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	r.mu.Lock()
	r.holding[req.AgentID]++
	r.mu.Unlock()
	go func() {
		defer cancel()
		defer func() {
			r.mu.Lock()
			if r.holding[req.AgentID]--; r.holding[req.AgentID] <= 0 {
				delete(r.holding, req.AgentID)
			}
			r.mu.Unlock()
		}()
		if _, err := r.h.AssignRouted(ctx, req); err != nil {
			r.log.Warn("router: holding the voice capacity of a call failed", "agent", req.AgentID, "interaction", req.InteractionID, "err", err)
		}
	}()
}
