package domain_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestRoute(t *testing.T) {
	t0 := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
	chat := func(id, queue string, waited time.Duration) domain.WaitingItem {
		return domain.WaitingItem{InteractionID: id, Channel: domain.ChannelWebchat, Queue: queue, Priority: domain.PriorityNormal, Tier: domain.TierStandard, QueuedAt: t0.Add(-waited)}
	}
	call := func(id, queue string, waited time.Duration) domain.WaitingItem {
		it := chat(id, queue, waited)
		it.Channel = domain.ChannelPhone
		return it
	}
	agent := func(id string, idleFor time.Duration, skills map[string]int) domain.RoutingAgent {
		return domain.RoutingAgent{ID: id, Skills: skills, Capacity: domain.DefaultCapacity, Presence: domain.PresenceAvailable, IdleSince: t0.Add(-idleFor)}
	}
	billing := map[string]int{"billing": 5}
	rules := domain.RoutingRules{Queues: map[string]domain.QueuePolicy{
		"billing": {Skills: map[string]int{"billing": 7}, Relax: []domain.RelaxStep{{After: time.Minute, LowerBy: 3}, {After: 3 * time.Minute, Drop: []string{"billing"}}},
			OverflowAfter: 5 * time.Minute, OverflowTo: "general"},
		"general": {},
	}}
	cases := []struct {
		name      string
		rules     domain.RoutingRules
		waiting   []domain.WaitingItem
		agents    []domain.RoutingAgent
		want      []domain.Assignment
		overflows []domain.Overflow
	}{
		{
			name:    "longest idle agent first among equals",
			waiting: []domain.WaitingItem{chat("i1", "general", time.Second)},
			agents:  []domain.RoutingAgent{agent("a", time.Minute, nil), agent("b", time.Hour, nil), agent("c", 2*time.Minute, nil)},
			want:    []domain.Assignment{{InteractionID: "i1", AgentID: "b", Queue: "general"}},
		},
		{
			name:    "the better skill match wins over idle time",
			rules:   rules,
			waiting: []domain.WaitingItem{chat("i1", "billing", 0)},
			agents:  []domain.RoutingAgent{agent("novice", time.Hour, map[string]int{"billing": 7}), agent("expert", time.Second, map[string]int{"billing": 10})},
			want:    []domain.Assignment{{InteractionID: "i1", AgentID: "expert", Queue: "billing"}},
		},
		{
			name:    "skills below the minimum do not qualify",
			rules:   rules,
			waiting: []domain.WaitingItem{chat("i1", "billing", 10*time.Second)},
			agents:  []domain.RoutingAgent{agent("a", time.Hour, billing)},
		},
		{
			name:    "after a minute the minimum drops (bullseye)",
			rules:   rules,
			waiting: []domain.WaitingItem{chat("i1", "billing", 90*time.Second)},
			agents:  []domain.RoutingAgent{agent("a", time.Hour, billing)},
			want:    []domain.Assignment{{InteractionID: "i1", AgentID: "a", Queue: "billing"}},
		},
		{
			name:    "after three minutes the skill is dropped",
			rules:   rules,
			waiting: []domain.WaitingItem{chat("i1", "billing", 4*time.Minute)},
			agents:  []domain.RoutingAgent{agent("generalist", time.Hour, nil)},
			want:    []domain.Assignment{{InteractionID: "i1", AgentID: "generalist", Queue: "billing"}},
		},
		{
			name:      "nobody qualifies for five minutes: overflow",
			rules:     rules,
			waiting:   []domain.WaitingItem{chat("i1", "billing", 6*time.Minute)},
			agents:    []domain.RoutingAgent{func() domain.RoutingAgent { a := agent("away", 0, nil); a.Presence = domain.PresenceBreak; return a }()},
			overflows: []domain.Overflow{{InteractionID: "i1", From: "billing", To: "general"}},
		},
		{
			name: "priority, then tier, then wait decide who is served first",
			waiting: []domain.WaitingItem{
				chat("old-normal", "general", time.Hour),
				func() domain.WaitingItem { i := chat("vip", "general", time.Second); i.Tier = domain.TierVIP; return i }(),
				func() domain.WaitingItem {
					i := chat("urgent", "general", 0)
					i.Priority = domain.PriorityUrgent
					return i
				}(),
			},
			agents: []domain.RoutingAgent{func() domain.RoutingAgent {
				a := agent("only", time.Hour, nil)
				a.Capacity = map[domain.Channel]int{domain.ChannelWebchat: 2}
				return a
			}()},
			want: []domain.Assignment{{InteractionID: "urgent", AgentID: "only", Queue: "general"}, {InteractionID: "vip", AgentID: "only", Queue: "general"}},
		},
		{
			name:    "capacity per channel: one call at a time",
			waiting: []domain.WaitingItem{call("c1", "general", 2*time.Second), call("c2", "general", time.Second)},
			agents:  []domain.RoutingAgent{agent("a", time.Hour, nil)},
			want:    []domain.Assignment{{InteractionID: "c1", AgentID: "a", Queue: "general"}},
		},
		{
			name:    "an agent at capacity gets nothing more",
			waiting: []domain.WaitingItem{chat("i1", "general", 0)},
			agents: []domain.RoutingAgent{func() domain.RoutingAgent {
				a := agent("full", time.Hour, nil)
				a.Load = map[domain.Channel]int{domain.ChannelWebchat: 3}
				return a
			}()},
		},
		{
			name:    "a call in progress blocks new chats when configured",
			rules:   domain.RoutingRules{VoiceBlocksOthers: true},
			waiting: []domain.WaitingItem{chat("i1", "general", 0)},
			agents: []domain.RoutingAgent{func() domain.RoutingAgent {
				a := agent("on-call", time.Hour, nil)
				a.Load = map[domain.Channel]int{domain.ChannelPhone: 1}
				return a
			}(), agent("free", time.Minute, nil)},
			want: []domain.Assignment{{InteractionID: "i1", AgentID: "free", Queue: "general"}},
		},
		{
			name:    "offline agents are never chosen",
			waiting: []domain.WaitingItem{chat("i1", "general", 0)},
			agents: []domain.RoutingAgent{func() domain.RoutingAgent {
				a := agent("off", time.Hour, nil)
				a.Presence = domain.PresenceOffline
				return a
			}()},
		},
		{
			name:    "work spreads: the agent just assigned is no longer the longest idle",
			waiting: []domain.WaitingItem{chat("i1", "general", 2*time.Second), chat("i2", "general", time.Second)},
			agents:  []domain.RoutingAgent{agent("a", time.Hour, nil), agent("b", time.Minute, nil)},
			want:    []domain.Assignment{{InteractionID: "i1", AgentID: "a", Queue: "general"}, {InteractionID: "i2", AgentID: "b", Queue: "general"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.agents[0].Load
			got := domain.Route(tc.rules, tc.waiting, tc.agents, t0)
			if !reflect.DeepEqual(got.Assignments, tc.want) {
				t.Errorf("assignments = %+v, want %+v", got.Assignments, tc.want)
			}
			if !reflect.DeepEqual(got.Overflows, tc.overflows) {
				t.Errorf("overflows = %+v, want %+v", got.Overflows, tc.overflows)
			}
			if !reflect.DeepEqual(tc.agents[0].Load, before) {
				t.Error("Route changed its input")
			}
			again := domain.Route(tc.rules, tc.waiting, tc.agents, t0)
			if !reflect.DeepEqual(again, got) {
				t.Error("Route is not deterministic")
			}
		})
	}
}

// TestRouteLeavesTheCallersAgentsAlone: a round counts its own
// assignments against each agent's capacity without changing the agents
// it was given, which the caller may hand to the next round.
func TestRouteLeavesTheCallersAgentsAlone(t *testing.T) {
	t0 := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
	chat := func(id string) domain.WaitingItem {
		return domain.WaitingItem{InteractionID: id, Channel: domain.ChannelWebchat, Queue: "general", Priority: domain.PriorityNormal, QueuedAt: t0}
	}
	load := map[domain.Channel]int{domain.ChannelWebchat: 1}
	agents := []domain.RoutingAgent{{ID: "a", Capacity: map[domain.Channel]int{domain.ChannelWebchat: 2}, Load: load, Presence: domain.PresenceAvailable}}
	got := domain.Route(domain.RoutingRules{}, []domain.WaitingItem{chat("i1"), chat("i2")}, agents, t0)
	if want := []domain.Assignment{{InteractionID: "i1", AgentID: "a", Queue: "general"}}; !reflect.DeepEqual(got.Assignments, want) {
		t.Fatalf("assignments = %+v, want %+v (one free slot)", got.Assignments, want)
	}
	if load[domain.ChannelWebchat] != 1 || agents[0].Load[domain.ChannelWebchat] != 1 {
		t.Fatalf("the caller's load changed to %v", agents[0].Load)
	}
}
