package domain

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// RoutingAgent is what the router knows of an agent at the moment it
// decides.
type RoutingAgent struct {
	ID       string
	Skills   map[string]int // skill -> proficiency 1..10
	Capacity map[Channel]int
	// Load counts the open interactions assigned to the agent, per channel.
	Load     map[Channel]int
	Presence Presence
	// IdleSince is when the agent last became free of work; the longest
	// idle agent goes first among equally skilled ones.
	IdleSince time.Time
}

// WaitingItem is an interaction waiting in a queue.
type WaitingItem struct {
	InteractionID string
	Channel       Channel
	Queue         string
	Priority      Priority
	Tier          Tier
	QueuedAt      time.Time
}

// QueuePolicy says who may take a queue's interactions and what happens
// when nobody does.
type QueuePolicy struct {
	// Skills maps each required skill to the minimum proficiency.
	Skills map[string]int
	// Relax loosens the requirements as an interaction waits (the
	// bullseye): each step applies once its wait has passed, on top of the
	// earlier ones.
	Relax []RelaxStep
	// OverflowAfter is how long an interaction may wait unassigned before
	// it moves to OverflowTo (0: never).
	OverflowAfter time.Duration
	OverflowTo    string
}

// RelaxStep is one ring of the bullseye.
type RelaxStep struct {
	After time.Duration
	// LowerBy lowers every minimum proficiency by this much.
	LowerBy int
	// Drop removes these skills from the requirements.
	Drop []string
}

// RoutingRules are the router's configuration.
type RoutingRules struct {
	Queues map[string]QueuePolicy
	// VoiceBlocksOthers keeps an agent on a call from getting new written
	// interactions.
	VoiceBlocksOthers bool
}

// Assignment gives a waiting interaction to an agent.
type Assignment struct {
	InteractionID string
	AgentID       string
	Queue         string
}

// Overflow moves a waiting interaction to another queue.
type Overflow struct {
	InteractionID string
	From, To      string
}

// RoutingDecision is what the router decided in one round.
type RoutingDecision struct {
	Assignments []Assignment
	Overflows   []Overflow
}

// Route decides, for the interactions waiting now, which go to which agent
// and which overflow. Interactions are served by priority, then customer
// tier, then wait; each goes to the eligible agent with the best match on
// the queue's skills, the longest idle among equals. Agents' load grows as
// the round assigns, so nobody gets more than their capacity. The decision
// depends only on its inputs: the same ledger state routes the same way.
func Route(rules RoutingRules, waiting []WaitingItem, agents []RoutingAgent, now time.Time) RoutingDecision {
	var out RoutingDecision
	pool := slices.Clone(agents) // Load maps shared until an assignment changes one: see withOneMore
	for _, item := range servingOrder(waiting) {
		policy := rules.Queues[item.Queue]
		required := policy.requirements(now.Sub(item.QueuedAt))
		if i := bestAgent(pool, item, required, rules.VoiceBlocksOthers); i >= 0 {
			out.Assignments = append(out.Assignments, Assignment{InteractionID: item.InteractionID, AgentID: pool[i].ID, Queue: item.Queue})
			pool[i].Load = withOneMore(pool[i].Load, item.Channel)
			pool[i].IdleSince = now
			continue
		}
		if policy.overflows(now.Sub(item.QueuedAt), item.Queue) {
			out.Overflows = append(out.Overflows, Overflow{InteractionID: item.InteractionID, From: item.Queue, To: policy.OverflowTo})
		}
	}
	return out
}

// servingOrder sorts waiting interactions: highest priority, then highest
// tier, then longest wait, then id (so ties are deterministic).
func servingOrder(waiting []WaitingItem) []WaitingItem {
	out := slices.Clone(waiting)
	slices.SortStableFunc(out, func(a, b WaitingItem) int {
		if c := b.Priority.Rank() - a.Priority.Rank(); c != 0 {
			return c
		}
		if c := indexOf(b.Tier, Tiers) - indexOf(a.Tier, Tiers); c != 0 {
			return c
		}
		if c := a.QueuedAt.Compare(b.QueuedAt); c != 0 {
			return c
		}
		return strings.Compare(a.InteractionID, b.InteractionID)
	})
	return out
}

// requirements are the queue's skill minimums after the relaxation steps
// the wait has reached.
func (p QueuePolicy) requirements(waited time.Duration) map[string]int {
	req := maps.Clone(p.Skills)
	for _, step := range p.Relax {
		if waited < step.After {
			continue
		}
		for _, skill := range step.Drop {
			delete(req, skill)
		}
		for skill, level := range req {
			req[skill] = max(1, level-step.LowerBy)
		}
	}
	return req
}

func (p QueuePolicy) overflows(waited time.Duration, queue string) bool {
	return p.OverflowAfter > 0 && p.OverflowTo != "" && p.OverflowTo != queue && waited >= p.OverflowAfter
}

// bestAgent returns the index of the agent to take item, or -1.
func bestAgent(pool []RoutingAgent, item WaitingItem, required map[string]int, voiceBlocks bool) int {
	best, bestScore := -1, -1
	for i, a := range pool {
		if !a.canTake(item.Channel, required, voiceBlocks) {
			continue
		}
		score := a.matchScore(required)
		if best < 0 || score > bestScore || score == bestScore && a.idleBefore(pool[best]) {
			best, bestScore = i, score
		}
	}
	return best
}

func (a RoutingAgent) canTake(ch Channel, required map[string]int, voiceBlocks bool) bool {
	if a.Presence != PresenceAvailable || a.Load[ch] >= a.Capacity[ch] {
		return false
	}
	if voiceBlocks && ch != ChannelPhone && a.Load[ChannelPhone] > 0 {
		return false
	}
	for skill, minLevel := range required {
		if a.Skills[skill] < minLevel {
			return false
		}
	}
	return true
}

// matchScore sums the agent's proficiency over the required skills, so the
// stronger match wins before idle time is looked at.
func (a RoutingAgent) matchScore(required map[string]int) int {
	score := 0
	for skill := range required {
		score += a.Skills[skill]
	}
	return score
}

func (a RoutingAgent) idleBefore(b RoutingAgent) bool {
	if c := a.IdleSince.Compare(b.IdleSince); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}

// withOneMore returns a copy of load with one more interaction on ch:
// the caller's maps stay as they were, and only the agents a decision
// assigns to are copied (the phone channel decides for one call among
// thousands of agents, a thousand times a second).
func withOneMore(load map[Channel]int, ch Channel) map[Channel]int {
	out := make(map[Channel]int, len(load)+1)
	maps.Copy(out, load)
	out[ch]++
	return out
}
