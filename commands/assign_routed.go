package commands

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// Routed assignment: the capacity protocol the router (policies/routing)
// and the phone channel assign through. Each assignment is made in two
// appends whose expected versions make it safe against any number of
// concurrent routers and a stale read side:
//
//  1. ReserveWork on agent-<id>, at the agent stream's version: the agent's
//     holds are the authoritative count of their work, so two routers that
//     both saw a free slot cannot both take it (the second append fails
//     its expected version, decides again on the fresh state and is refused
//     at capacity);
//  2. AssignInteraction on interaction-<id>, at that stream's version: an
//     interaction already given to someone else is refused, so it is never
//     assigned twice. If this step loses, the hold of step 1 is released.
//
// A router that dies between the two appends leaves a hold without its
// assignment; it is released lazily, the next time the agent is reserved
// for, once older than HoldGrace. Holds of interactions that ended, went
// back to a queue or (calls) whose wrap-up expired are released the same
// way, so no background reactor is needed for capacity to stay right (the
// wrap-up timer, policies/routing.WrapUp, also releases the hold of an
// expired wrap-up at once, with ReleaseWork on the agent's stream, so the
// agent's stream shows the release when it happened; this lazy release is
// the fallback should that append be lost).

// RouterActor is the actor of the router's events.
const RouterActor = "system:router"

// RoutedAssignment asks for an agent to be given an interaction through
// the capacity protocol (see Handler.AssignRouted).
type RoutedAssignment struct {
	InteractionID string
	AgentID       string
	// HoldOnly takes the agent's capacity without appending the
	// assignment: the SIP channel records the assignment itself when it
	// offers the call.
	HoldOnly bool
	// Capacity overrides the agent's own capacity on the channels it
	// names.
	Capacity map[domain.Channel]int
	// VoiceBlocksOthers keeps written work from an agent on a call.
	VoiceBlocksOthers bool
	// HoldGrace is how long a fresh hold is kept although its interaction
	// does not show the assignment yet (another router may be between its
	// two appends).
	HoldGrace time.Duration
}

// ErrAssignmentLost is wrapped by AssignRouted's error when another
// assignment or a move of the interaction won the race, or the agent had
// no room (domain code ECONFLICT).
var ErrAssignmentLost = errors.New("assignment lost")

// AssignRouted gives an interaction to an agent, holding a unit of the
// agent's capacity first (see the protocol above). A refused assignment is
// an ECONFLICT error wrapping ErrAssignmentLost; nothing of it remains.
func (h *Handler) AssignRouted(ctx context.Context, req RoutedAssignment) (Result, error) {
	it, err := load(ctx, h, interactions, req.InteractionID, uuid.Nil)
	if err != nil {
		return Result{}, err
	}
	switch {
	case !it.state.Exists():
		return Result{}, domain.Errorf(domain.ENOTFOUND, "interaction %s does not exist", req.InteractionID)
	case it.state.Status.Ended():
		return Result{}, lost("interaction %s has ended", req.InteractionID)
	case it.state.AgentID == req.AgentID && !req.HoldOnly:
		return Result{Stream: domain.InteractionStream(req.InteractionID), Version: it.version}, nil
	case it.state.AgentID == req.AgentID:
		// The phone channel recorded the assignment before the hold was
		// written: hold (or renew) the capacity all the same.
	case it.state.AgentID != "":
		return Result{}, lost("interaction %s is already assigned to %s", req.InteractionID, it.state.AgentID)
	case !req.HoldOnly && it.state.Status != domain.InteractionStatusQueued:
		return Result{}, lost("interaction %s is not waiting in a queue", req.InteractionID)
	}
	meta := Meta{Actor: RouterActor, CorrelationID: NewID(), CausationID: "route:" + req.InteractionID}
	if err := h.reserveWork(ctx, req, it.state.Channel, meta); err != nil {
		return Result{}, err
	}
	if req.HoldOnly {
		return Result{Stream: domain.AgentStream(req.AgentID)}, nil
	}
	queuedAt := it.state.QueuedAt
	res, state, err := executePlan(ctx, h, interactions, req.InteractionID, meta, "AssignInteraction", func(cur loaded[domain.Interaction]) []domain.InteractionCommand {
		// Decided against what was seen when the hold was taken: an
		// interaction that was assigned and re-queued meanwhile is not
		// this round's to take.
		if cur.state.AgentID == "" && (cur.state.Status != domain.InteractionStatusQueued || !cur.state.QueuedAt.Equal(queuedAt)) {
			return nil
		}
		return []domain.InteractionCommand{domain.AssignInteraction{AgentID: req.AgentID}}
	})
	if err == nil && state.AgentID == req.AgentID {
		return res, nil
	}
	if _, rerr := h.Agent(ctx, req.AgentID, domain.ReleaseWork{InteractionID: req.InteractionID, Reason: "assignment lost"}, meta); rerr != nil {
		h.logger.Error("router: releasing the hold of a lost assignment failed; it is released once stale", "agent", req.AgentID, "interaction", req.InteractionID, "err", rerr)
	}
	switch {
	case err == nil:
		err = lost("interaction %s moved on before it was assigned", req.InteractionID)
	case domain.ErrorCode(err) == domain.ECONFLICT:
		err = fmt.Errorf("%w: %w", err, ErrAssignmentLost)
	}
	return res, err
}

func lost(format string, args ...any) error {
	return fmt.Errorf("%w: %w", domain.Errorf(domain.ECONFLICT, format, args...), ErrAssignmentLost)
}

// reserveWork takes the agent's capacity for the interaction, releasing in
// the same append the holds found stale.
func (h *Handler) reserveWork(ctx context.Context, req RoutedAssignment, channel domain.Channel, meta Meta) error {
	agent, err := loadExisting(ctx, h, agents, req.AgentID, domain.Agent.Registered)
	if err != nil {
		return err
	}
	now := h.now()
	stale, err := h.staleHolds(ctx, agent, req.InteractionID, now, req.HoldGrace)
	if err != nil {
		return err
	}
	cmd := domain.ReserveWork{
		InteractionID: req.InteractionID, Channel: channel,
		VoiceBlocksOthers: req.VoiceBlocksOthers, Capacity: req.Capacity,
	}
	_, _, err = executePlan(ctx, h, agents, req.AgentID, meta, "ReserveWork", func(cur loaded[domain.Agent]) []domain.AgentCommand {
		c := cmd
		for _, id := range slices.Sorted(maps.Keys(stale)) {
			// A hold renewed since it was found stale belongs to a newer
			// assignment: it stays.
			if hold, ok := cur.state.Work[id]; ok && hold.At.Equal(stale[id]) {
				c.Release = append(c.Release, id)
			}
		}
		return []domain.AgentCommand{c}
	})
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return fmt.Errorf("%w: %w", err, ErrAssignmentLost)
	}
	return err
}

// CanHold reports whether the capacity protocol would give req's agent a
// hold on channel for req's interaction now: the decision of
// AssignRouted's first step on the agent's stream (the holds found stale
// released first), without appending anything. The phone channel's
// chooser asks it when it writes the hold only after answering
// (routing.Config.SyncCallHolds off): the read side it chose from may not
// show the agent's last call yet, or may still show a call whose wrap-up
// expired. A refusal (no room, not AVAILABLE, on a call) is false and no
// error.
func (h *Handler) CanHold(ctx context.Context, req RoutedAssignment, channel domain.Channel) (bool, error) {
	agent, err := loadExisting(ctx, h, agents, req.AgentID, domain.Agent.Registered)
	if err != nil {
		return false, err
	}
	now := h.now()
	stale, err := h.staleHolds(ctx, agent, req.InteractionID, now, req.HoldGrace)
	if err != nil {
		return false, err
	}
	cmd := domain.ReserveWork{
		InteractionID: req.InteractionID, Channel: channel,
		VoiceBlocksOthers: req.VoiceBlocksOthers, Capacity: req.Capacity,
		Release: slices.Sorted(maps.Keys(stale)),
	}
	switch _, err := domain.DecideAgent(agent, cmd, now); {
	case err == nil:
		return true, nil
	case domain.ErrorCode(err) == domain.ECONFLICT:
		return false, nil
	default:
		return false, err
	}
}

// staleHolds finds the agent's holds (other than skip) that no longer
// stand for work, with the time each was taken.
func (h *Handler) staleHolds(ctx context.Context, agent domain.Agent, skip string, now time.Time, grace time.Duration) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for _, id := range slices.Sorted(maps.Keys(agent.Work)) {
		if id == skip {
			continue
		}
		it, err := load(ctx, h, interactions, id, uuid.Nil)
		if err != nil {
			return nil, err
		}
		hold := agent.Work[id]
		if holdIsStale(it.state, agent.ID, hold.At, now, grace) {
			out[id] = hold.At
		}
	}
	return out, nil
}

// holdIsStale decides whether a hold taken at heldAt still stands for the
// agent's work on the interaction: not when the interaction ended, is
// someone else's, is a call whose wrap-up expired (domain.WrapUpExpired),
// or was assigned after the hold and has left the agent since. A hold
// whose assignment has not shown yet is kept for grace (its router may be
// between its two appends).
//
// A call that ended keeps its hold through the agent's after-call work,
// until they close the interaction or the wrap-up timeout expires it: the
// same rule as the read side's load (projections.Agents), so the router's
// view and the agent's stream agree on who has a free phone
// (domain.Interaction.TakesVoiceCapacity).
func holdIsStale(it domain.Interaction, agentID string, heldAt, now time.Time, grace time.Duration) bool {
	switch {
	case it.Status.Ended():
		return true
	case it.AgentID == agentID:
		return it.Channel == domain.ChannelPhone && !it.TakesVoiceCapacity()
	case it.AgentID != "":
		return true
	case it.AssignedAt.After(heldAt):
		return true
	default:
		return now.Sub(heldAt) >= grace
	}
}

// MoveIfWaiting re-queues an interaction in to, provided it still waits in
// from (the router's overflow); it reports whether it moved. why names the
// cause in the events' metadata.
func (h *Handler) MoveIfWaiting(ctx context.Context, id, from, to string, priority domain.Priority, why string) (bool, error) {
	meta := Meta{Actor: RouterActor, CorrelationID: NewID(), CausationID: why + ":" + id}
	res, _, err := executePlan(ctx, h, interactions, id, meta, "QueueInteraction", func(cur loaded[domain.Interaction]) []domain.InteractionCommand {
		if cur.state.Status != domain.InteractionStatusQueued || cur.state.Queue != from {
			return nil
		}
		return []domain.InteractionCommand{domain.QueueInteraction{Queue: to, Priority: priority}}
	})
	return len(res.Events) > 0, err
}

// RequeueFromAgent puts the agent's open written interactions back in
// their queues and releases their holds: the agent went offline, so the
// customers would otherwise wait for nobody. Calls are left to the phone
// channel, which re-queues a call whose agent's phone does not answer. It
// returns how many interactions went back to a queue.
func (h *Handler) RequeueFromAgent(ctx context.Context, agentID, why string) (int, error) {
	agent, err := loadExisting(ctx, h, agents, agentID, domain.Agent.Registered)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range slices.Sorted(maps.Keys(agent.Work)) {
		if agent.Work[id].Channel == domain.ChannelPhone {
			continue
		}
		meta := Meta{Actor: RouterActor, CorrelationID: NewID(), CausationID: why + ":" + id}
		res, _, err := executePlan(ctx, h, interactions, id, meta, "QueueInteraction", func(cur loaded[domain.Interaction]) []domain.InteractionCommand {
			if cur.state.AgentID != agentID || cur.state.Status.Ended() {
				return nil
			}
			queue := cur.state.Queue
			if queue == "" {
				queue = DefaultQueue
			}
			return []domain.InteractionCommand{domain.QueueInteraction{Queue: queue, Priority: cur.state.Priority}}
		})
		if err != nil {
			return n, err
		}
		if len(res.Events) > 0 {
			n++
		}
		if _, err := h.Agent(ctx, agentID, domain.ReleaseWork{InteractionID: id, Reason: why}, meta); err != nil {
			return n, err
		}
	}
	return n, nil
}
