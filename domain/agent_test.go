package domain_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideAgent(t *testing.T) {
	skills := map[string]int{"billing": 7, "zh": 10}
	capacity := map[domain.Channel]int{domain.ChannelPhone: 1, domain.ChannelWebchat: 2}
	registered := events(domain.AgentRegistered{AgentID: "a1", Name: "Wang Fang", Team: "tier1", Skills: skills, Capacity: capacity, At: ago(time24h)})
	available := concat(registered, events(domain.AgentPresenceChanged{AgentID: "a1", From: domain.PresenceOffline, To: domain.PresenceAvailable, At: ago(hour)}))
	defaults := concat(events(domain.AgentRegistered{AgentID: "a1", Name: "Wang Fang", Skills: map[string]int{}, Capacity: maps.Clone(domain.DefaultCapacity), At: ago(time24h)}))

	cases := []decideCase[domain.Agent, domain.AgentCommand]{
		// RegisterAgent
		{
			name: "register with defaults", cmd: domain.RegisterAgent{AgentID: "a1", Name: " Wang Fang ", Team: " tier1 "},
			want: events(domain.AgentRegistered{AgentID: "a1", Name: "Wang Fang", Team: "tier1", Skills: map[string]int{}, Capacity: domain.DefaultCapacity, At: now}),
			check: func(t *testing.T, a domain.Agent) {
				eq(t, "Registered", a.Registered(), true)
				eq(t, "ID", a.ID, "a1")
				eq(t, "Name", a.Name, "Wang Fang")
				eq(t, "Team", a.Team, "tier1")
				eq(t, "Presence", a.Presence, domain.PresenceOffline)
				eq(t, "PresenceSince", a.PresenceSince, now)
				deepEq(t, "Capacity", a.Capacity, domain.DefaultCapacity)
			},
		},
		{
			name: "register with skills and capacity", cmd: domain.RegisterAgent{AgentID: "a1", Name: "Wang Fang", Skills: map[string]int{" billing ": 7, "zh": 10}, Capacity: capacity},
			want: events(domain.AgentRegistered{AgentID: "a1", Name: "Wang Fang", Skills: skills, Capacity: capacity, At: now}),
			check: func(t *testing.T, a domain.Agent) {
				deepEq(t, "Skills", a.Skills, skills)
				deepEq(t, "Capacity", a.Capacity, capacity)
			},
		},
		{name: "register with zero capacity on a channel", cmd: domain.RegisterAgent{AgentID: "a1", Name: "n", Capacity: map[domain.Channel]int{domain.ChannelPhone: 0, domain.ChannelEmail: 50}},
			want: events(domain.AgentRegistered{AgentID: "a1", Name: "n", Skills: map[string]int{}, Capacity: map[domain.Channel]int{domain.ChannelPhone: 0, domain.ChannelEmail: 50}, At: now})},
		{name: "register another agent's id on this stream", cmd: domain.RegisterAgent{AgentID: "a2", Name: "n"}, code: domain.EINVALID},
		{name: "register twice", given: registered, cmd: domain.RegisterAgent{AgentID: "a1", Name: "x"}, code: domain.ECONFLICT},
		{name: "register without id", cmd: domain.RegisterAgent{Name: "x"}, code: domain.EINVALID},
		{name: "register without name", cmd: domain.RegisterAgent{AgentID: "a1", Name: "  "}, code: domain.EINVALID},
		{name: "register with name too long", cmd: domain.RegisterAgent{AgentID: "a1", Name: strings.Repeat("n", 201)}, code: domain.EINVALID},
		{name: "register with proficiency 0", cmd: domain.RegisterAgent{AgentID: "a1", Name: "n", Skills: map[string]int{"zh": 0}}, code: domain.EINVALID},
		{name: "register with proficiency 11", cmd: domain.RegisterAgent{AgentID: "a1", Name: "n", Skills: map[string]int{"zh": 11}}, code: domain.EINVALID},
		{name: "register with blank skill", cmd: domain.RegisterAgent{AgentID: "a1", Name: "n", Skills: map[string]int{" ": 5}}, code: domain.EINVALID},
		{name: "register with a skill spelt twice", cmd: domain.RegisterAgent{AgentID: "a1", Name: "n", Skills: map[string]int{"zh": 3, " zh ": 9}}, code: domain.EINVALID},
		{name: "register with capacity 51", cmd: domain.RegisterAgent{AgentID: "a1", Name: "n", Capacity: map[domain.Channel]int{domain.ChannelEmail: 51}}, code: domain.EINVALID},
		{name: "register with negative capacity", cmd: domain.RegisterAgent{AgentID: "a1", Name: "n", Capacity: map[domain.Channel]int{domain.ChannelEmail: -1}}, code: domain.EINVALID},
		{name: "register with capacity on unknown channel", cmd: domain.RegisterAgent{AgentID: "a1", Name: "n", Capacity: map[domain.Channel]int{"FAX": 1}}, code: domain.EINVALID},

		{name: "presence of unknown agent", cmd: domain.ChangePresence{Presence: domain.PresenceAvailable}, code: domain.ENOTFOUND},
		{name: "skills of unknown agent", cmd: domain.ChangeAgentSkills{}, code: domain.ENOTFOUND},
		{name: "nil command", given: registered, cmd: nil, code: domain.EINVALID},

		// ChangeAgentSkills
		{
			name: "change skills", given: registered, cmd: domain.ChangeAgentSkills{Skills: map[string]int{"billing": 8}, Capacity: capacity},
			want: events(domain.AgentSkillsChanged{AgentID: "a1", Skills: map[string]int{"billing": 8}, Capacity: capacity, At: now}),
			check: func(t *testing.T, a domain.Agent) {
				deepEq(t, "Skills", a.Skills, map[string]int{"billing": 8})
				eq(t, "Presence", a.Presence, domain.PresenceOffline)
			},
		},
		{name: "change capacity to defaults", given: registered, cmd: domain.ChangeAgentSkills{Skills: skills},
			want: events(domain.AgentSkillsChanged{AgentID: "a1", Skills: skills, Capacity: domain.DefaultCapacity, At: now})},
		{name: "skills unchanged", given: registered, cmd: domain.ChangeAgentSkills{Skills: map[string]int{"zh": 10, "billing ": 7}, Capacity: capacity}},
		{name: "default capacity unchanged", given: defaults, cmd: domain.ChangeAgentSkills{}},
		{name: "change skills invalid", given: registered, cmd: domain.ChangeAgentSkills{Skills: map[string]int{"zh": 12}}, code: domain.EINVALID},

		// ChangePresence
		{
			name: "go available", given: registered, cmd: domain.ChangePresence{Presence: domain.PresenceAvailable, Reason: "shift start"},
			want: events(domain.AgentPresenceChanged{AgentID: "a1", From: domain.PresenceOffline, To: domain.PresenceAvailable, Reason: "shift start", At: now}),
			check: func(t *testing.T, a domain.Agent) {
				eq(t, "Presence", a.Presence, domain.PresenceAvailable)
				eq(t, "PresenceSince", a.PresenceSince, now)
			},
		},
		{name: "go on break", given: available, cmd: domain.ChangePresence{Presence: domain.PresenceBreak},
			want: events(domain.AgentPresenceChanged{AgentID: "a1", From: domain.PresenceAvailable, To: domain.PresenceBreak, At: now})},
		{name: "presence unchanged", given: available, cmd: domain.ChangePresence{Presence: domain.PresenceAvailable},
			check: func(t *testing.T, a domain.Agent) { eq(t, "PresenceSince", a.PresenceSince, ago(hour)) }},
		{name: "presence unknown", given: available, cmd: domain.ChangePresence{Presence: "LUNCH"}, code: domain.EINVALID},
		{name: "presence empty", given: available, cmd: domain.ChangePresence{}, code: domain.EINVALID},
	}
	runDecide(t, domain.Agent{ID: "a1"}, domain.EvolveAgent, domain.DecideAgent, cases)
}

// TestRegisterAgentDoesNotShareDefaultCapacity checks that the event holds
// its own copy of DefaultCapacity.
func TestRegisterAgentDoesNotShareDefaultCapacity(t *testing.T) {
	before := maps.Clone(domain.DefaultCapacity)
	es, err := domain.DecideAgent(domain.Agent{}, domain.RegisterAgent{AgentID: "a1", Name: "n"}, now)
	if err != nil {
		t.Fatal(err)
	}
	es[0].(domain.AgentRegistered).Capacity[domain.ChannelPhone] = 9
	deepEq(t, "DefaultCapacity", domain.DefaultCapacity, before)
}
