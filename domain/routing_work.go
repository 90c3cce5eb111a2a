package domain

import (
	"maps"
	"slices"
	"time"
)

// WorkHold is an agent's claim on one interaction's share of their
// capacity. Holds live on the agent's stream, so deciding a new one
// against the stream's version makes "never over capacity" hold even when
// several routers assign at once: two routers that both saw a free slot
// cannot both append.
type WorkHold struct {
	Channel Channel
	// At is when the hold was taken or renewed; a hold whose interaction
	// does not show the assignment yet is left alone for a grace period,
	// since its router may still be writing it.
	At time.Time
}

// Routing work events, on the agent's stream.
type (
	// AgentWorkAssigned records that the router gave the agent an
	// interaction, taking one unit of the agent's capacity on its channel.
	AgentWorkAssigned struct {
		AgentID       string    `json:"agentId"`
		InteractionID string    `json:"interactionId"`
		Channel       Channel   `json:"channel"`
		At            time.Time `json:"at"`
	}
	// AgentWorkReleased gives the capacity back: the interaction ended,
	// went back to a queue, moved to someone else, or the assignment the
	// hold was for never happened.
	AgentWorkReleased struct {
		AgentID       string    `json:"agentId"`
		InteractionID string    `json:"interactionId"`
		Channel       Channel   `json:"channel"`
		Reason        string    `json:"reason,omitempty"`
		At            time.Time `json:"at"`
	}
)

func (AgentWorkAssigned) EventType() string { return "AgentWorkAssigned" }
func (AgentWorkReleased) EventType() string { return "AgentWorkReleased" }

func init() {
	register[AgentWorkAssigned]()
	register[AgentWorkReleased]()
}

// Routing work commands.
type (
	// ReserveWork takes a unit of the agent's capacity for an interaction.
	// It is refused (ECONFLICT) when the agent is not AVAILABLE, has no
	// room left on the channel, or is on a call while VoiceBlocksOthers
	// holds and the interaction is written. Holding the interaction
	// already renews the hold.
	ReserveWork struct {
		InteractionID string
		Channel       Channel
		// VoiceBlocksOthers keeps an agent on a call from written work.
		VoiceBlocksOthers bool
		// Capacity overrides the agent's own capacity per channel
		// (configuration); channels absent use the agent's.
		Capacity map[Channel]int
		// Release names holds the caller found stale (their interaction
		// ended or is no longer the agent's); they are released first, in
		// the same append.
		Release []string
	}
	// ReleaseWork gives an interaction's capacity back; releasing what is
	// not held does nothing.
	ReleaseWork struct {
		InteractionID string
		Reason        string
	}
)

func (ReserveWork) agentCommand() {}
func (ReleaseWork) agentCommand() {}

// Load counts the agent's holds on ch.
func (a Agent) Load(ch Channel) int {
	n := 0
	for _, h := range a.Work {
		if h.Channel == ch {
			n++
		}
	}
	return n
}

// CapacityFor is the agent's capacity on ch, with override taking
// precedence.
func (a Agent) CapacityFor(ch Channel, override map[Channel]int) int {
	if n, ok := override[ch]; ok {
		return n
	}
	return a.Capacity[ch]
}

func decideReserveWork(a Agent, cmd ReserveWork, now time.Time) ([]Event, error) {
	if cmd.InteractionID == "" || !cmd.Channel.Valid() {
		return nil, invalid("reserving work needs an interaction and a valid channel")
	}
	var events []Event
	state := a
	for _, id := range slices.Sorted(slices.Values(cmd.Release)) {
		hold, held := state.Work[id]
		if !held || id == cmd.InteractionID {
			continue
		}
		e := AgentWorkReleased{AgentID: a.ID, InteractionID: id, Channel: hold.Channel, Reason: "stale", At: now}
		events = append(events, e)
		state = EvolveAgent(state, e)
	}
	if hold, held := state.Work[cmd.InteractionID]; held && hold.Channel == cmd.Channel {
		return append(events, AgentWorkAssigned{AgentID: a.ID, InteractionID: cmd.InteractionID, Channel: cmd.Channel, At: now}), nil
	}
	if state.Presence != PresenceAvailable {
		return nil, conflict("agent %s is %s", a.ID, state.Presence)
	}
	if limit := state.CapacityFor(cmd.Channel, cmd.Capacity); state.Load(cmd.Channel) >= limit {
		return nil, conflict("agent %s is at capacity on %s (%d)", a.ID, cmd.Channel, limit)
	}
	if cmd.VoiceBlocksOthers && cmd.Channel != ChannelPhone && state.Load(ChannelPhone) > 0 {
		return nil, conflict("agent %s is on a call", a.ID)
	}
	return append(events, AgentWorkAssigned{AgentID: a.ID, InteractionID: cmd.InteractionID, Channel: cmd.Channel, At: now}), nil
}

func decideReleaseWork(a Agent, cmd ReleaseWork, now time.Time) ([]Event, error) {
	hold, held := a.Work[cmd.InteractionID]
	if !held {
		return nil, nil
	}
	return []Event{AgentWorkReleased{AgentID: a.ID, InteractionID: cmd.InteractionID, Channel: hold.Channel, Reason: cmd.Reason, At: now}}, nil
}

// evolveWork folds the routing work events; the map is copied on write so
// earlier states stay unchanged.
func evolveWork(a Agent, e Event) Agent {
	switch e := e.(type) {
	case AgentWorkAssigned:
		a.Work = maps.Clone(a.Work)
		if a.Work == nil {
			a.Work = map[string]WorkHold{}
		}
		a.Work[e.InteractionID] = WorkHold{Channel: e.Channel, At: e.At}
	case AgentWorkReleased:
		if _, held := a.Work[e.InteractionID]; held {
			a.Work = maps.Clone(a.Work)
			delete(a.Work, e.InteractionID)
		}
	}
	return a
}
