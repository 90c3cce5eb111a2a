package domain

import (
	"maps"
	"strings"
	"time"
)

// Agent is a contact-centre agent, folded from agent-<id>.
type Agent struct {
	ID       string
	Name     string
	Team     string
	Skills   map[string]int // skill -> proficiency 1..10
	Capacity map[Channel]int
	Presence Presence
	// PresenceSince is when the agent entered the current presence; the
	// router's longest-idle rule reads it.
	PresenceSince time.Time
	// Work holds the interactions the router gave the agent, each taking
	// one unit of capacity on its channel (see ReserveWork).
	Work map[string]WorkHold
}

// Registered reports whether the agent exists.
func (a Agent) Registered() bool { return a.Presence != "" }

// DefaultCapacity is how many concurrent interactions per channel an agent
// takes unless configured otherwise.
var DefaultCapacity = map[Channel]int{
	ChannelPhone: 1, ChannelWebchat: 3, ChannelEmail: 5, ChannelSMS: 3, ChannelWeChat: 3, ChannelApp: 3,
}

// Agent events.
type (
	// AgentRegistered adds an agent.
	AgentRegistered struct {
		AgentID  string          `json:"agentId"`
		Name     string          `json:"name"`
		Team     string          `json:"team,omitempty"`
		Skills   map[string]int  `json:"skills"`
		Capacity map[Channel]int `json:"capacity"`
		At       time.Time       `json:"at"`
	}
	// AgentSkillsChanged replaces the agent's skills and capacity.
	AgentSkillsChanged struct {
		AgentID  string          `json:"agentId"`
		Skills   map[string]int  `json:"skills"`
		Capacity map[Channel]int `json:"capacity"`
		At       time.Time       `json:"at"`
	}
	// AgentPresenceChanged records a presence change.
	AgentPresenceChanged struct {
		AgentID string    `json:"agentId"`
		From    Presence  `json:"from"`
		To      Presence  `json:"to"`
		Reason  string    `json:"reason,omitempty"`
		At      time.Time `json:"at"`
	}
)

func (AgentRegistered) EventType() string      { return "AgentRegistered" }
func (AgentSkillsChanged) EventType() string   { return "AgentSkillsChanged" }
func (AgentPresenceChanged) EventType() string { return "AgentPresenceChanged" }

func init() {
	register[AgentRegistered]()
	register[AgentSkillsChanged]()
	register[AgentPresenceChanged]()
}

// AgentCommand is a request to change an agent.
type AgentCommand interface{ agentCommand() }

// Agent commands.
type (
	// RegisterAgent adds an agent; nil Capacity means DefaultCapacity.
	RegisterAgent struct {
		AgentID  string
		Name     string
		Team     string
		Skills   map[string]int
		Capacity map[Channel]int
	}
	// ChangeAgentSkills replaces skills and capacity.
	ChangeAgentSkills struct {
		Skills   map[string]int
		Capacity map[Channel]int
	}
	// ChangePresence sets the agent's presence.
	ChangePresence struct {
		Presence Presence
		Reason   string
	}
)

func (RegisterAgent) agentCommand()     {}
func (ChangeAgentSkills) agentCommand() {}
func (ChangePresence) agentCommand()    {}

// DecideAgent decides which events a command produces on agent a.
func DecideAgent(a Agent, cmd AgentCommand, now time.Time) ([]Event, error) {
	if reg, ok := cmd.(RegisterAgent); ok {
		return decideRegisterAgent(a, reg, now)
	}
	if !a.Registered() {
		return nil, notFound("agent %s does not exist", a.ID)
	}
	switch cmd := cmd.(type) {
	case ChangeAgentSkills:
		skills, capacity, err := validSkills(cmd.Skills, cmd.Capacity)
		if err != nil {
			return nil, err
		}
		if maps.Equal(skills, a.Skills) && maps.Equal(capacity, a.Capacity) {
			return nil, nil
		}
		return []Event{AgentSkillsChanged{AgentID: a.ID, Skills: skills, Capacity: capacity, At: now}}, nil
	case ChangePresence:
		if !cmd.Presence.Valid() {
			return nil, invalid("unknown presence %q", cmd.Presence)
		}
		if cmd.Presence == a.Presence {
			return nil, nil
		}
		return []Event{AgentPresenceChanged{AgentID: a.ID, From: a.Presence, To: cmd.Presence, Reason: cmd.Reason, At: now}}, nil
	case ReserveWork:
		return decideReserveWork(a, cmd, now)
	case ReleaseWork:
		return decideReleaseWork(a, cmd, now)
	default:
		return nil, invalid("unknown agent command %T", cmd)
	}
}

func decideRegisterAgent(a Agent, cmd RegisterAgent, now time.Time) ([]Event, error) {
	if a.Registered() {
		return nil, conflict("agent %s already exists", a.ID)
	}
	if cmd.AgentID == "" {
		return nil, invalid("an agent id is required")
	}
	if err := sameID("agent", a.ID, cmd.AgentID); err != nil {
		return nil, err
	}
	name, err := cleanText(cmd.Name, "agent name", 200, false)
	if err != nil {
		return nil, err
	}
	skills, capacity, err := validSkills(cmd.Skills, cmd.Capacity)
	if err != nil {
		return nil, err
	}
	return []Event{AgentRegistered{AgentID: cmd.AgentID, Name: name, Team: strings.TrimSpace(cmd.Team), Skills: skills, Capacity: capacity, At: now}}, nil
}

// validSkills checks proficiencies (1..10) and capacities (0..50) and fills
// default capacities.
func validSkills(skills map[string]int, capacity map[Channel]int) (map[string]int, map[Channel]int, error) {
	outSkills := make(map[string]int, len(skills))
	for skill, level := range skills {
		skill = strings.TrimSpace(skill)
		if skill == "" || level < 1 || level > 10 {
			return nil, nil, invalid("skill %q: proficiency must be 1 to 10, not %d", skill, level)
		}
		if _, dup := outSkills[skill]; dup {
			// Map order is random: keeping either level would make the
			// decision differ from run to run.
			return nil, nil, invalid("skill %q is given twice", skill)
		}
		outSkills[skill] = level
	}
	if capacity == nil {
		capacity = DefaultCapacity
	}
	outCapacity := make(map[Channel]int, len(capacity))
	for ch, n := range capacity {
		if !ch.Valid() || n < 0 || n > 50 {
			return nil, nil, invalid("capacity for %q must be 0 to 50, not %d", ch, n)
		}
		outCapacity[ch] = n
	}
	return outSkills, outCapacity, nil
}

// EvolveAgent folds one event into the agent's state.
func EvolveAgent(a Agent, e Event) Agent {
	switch e := e.(type) {
	case AgentRegistered:
		a = Agent{ID: e.AgentID, Name: e.Name, Team: e.Team, Skills: e.Skills, Capacity: e.Capacity, Presence: PresenceOffline, PresenceSince: e.At}
	case AgentSkillsChanged:
		a.Skills, a.Capacity = e.Skills, e.Capacity
	case AgentPresenceChanged:
		a.Presence, a.PresenceSince = e.To, e.At
	case AgentWorkAssigned, AgentWorkReleased:
		a = evolveWork(a, e)
	}
	return a
}
