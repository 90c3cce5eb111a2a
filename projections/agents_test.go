package projections

import (
	"maps"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestAgents(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	h.emit(r,
		domain.AgentRegistered{AgentID: "a2", Name: "Bo", Team: "tech", Skills: map[string]int{"network": 8},
			Capacity: map[domain.Channel]int{domain.ChannelPhone: 1, domain.ChannelWebchat: 3}, At: at(0)},
		domain.AgentRegistered{AgentID: "a1", Name: "Ann", Team: "billing", Skills: map[string]int{"billing": 7, "zh": 9},
			Capacity: domain.DefaultCapacity, At: at(0)},
		domain.AgentPresenceChanged{AgentID: "a1", From: domain.PresenceOffline, To: domain.PresenceAvailable, At: at(1)},
		domain.AgentSkillsChanged{AgentID: "a2", Skills: map[string]int{"network": 9, "en": 6},
			Capacity: map[domain.Channel]int{domain.ChannelPhone: 1}, At: at(2)},
		started("w1", domain.ChannelWebchat, 3), domain.InteractionAssigned{InteractionID: "w1", AgentID: "a1", At: at(3)},
		started("w2", domain.ChannelWebchat, 3), domain.InteractionAssigned{InteractionID: "w2", AgentID: "a1", At: at(3)},
		started("p1", domain.ChannelPhone, 4), domain.InteractionAssigned{InteractionID: "p1", AgentID: "a1", At: at(4)},
		started("e1", domain.ChannelEmail, 4), domain.InteractionAssigned{InteractionID: "e1", AgentID: "a1", At: at(4)},
		started("s1", domain.ChannelSMS, 4), domain.InteractionAssigned{InteractionID: "s1", AgentID: "a2", At: at(4)},
		started("q1", domain.ChannelApp, 4), queued("q1", "tech", domain.PriorityNormal, 4),
		// p1 moves to a2; e1 goes back to a queue; s1 is re-queued after
		// a2 did not answer; w2 ends.
		domain.InteractionTransferred{InteractionID: "p1", FromAgentID: "a1", ToAgentID: "a2", At: at(5)},
		domain.InteractionTransferred{InteractionID: "e1", FromAgentID: "a1", ToQueue: "billing", At: at(5)},
		queued("s1", "tech", domain.PriorityNormal, 5),
		domain.InteractionClosed{InteractionID: "w2", Disposition: domain.DispositionResolved, AgentID: "a1", At: at(6)},
		domain.AgentPresenceChanged{AgentID: "a1", From: domain.PresenceAvailable, To: domain.PresenceBusy, At: at(7)},
	)
	agents, err := h.db.Agents(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(agents) != 2 || agents[0].ID != "a1" || agents[1].ID != "a2" {
		t.Fatalf("Agents = %+v, want a1 (Ann) then a2 (Bo)", agents)
	}
	a1, a2 := agents[0], agents[1]
	if a1.Presence != domain.PresenceBusy || !a1.PresenceSince.Equal(at(7)) || a1.Team != "billing" ||
		!maps.Equal(a1.Capacity, domain.DefaultCapacity) || !maps.Equal(a1.Skills, map[string]int{"billing": 7, "zh": 9}) {
		t.Errorf("a1 = %+v", a1)
	}
	if want := map[domain.Channel]int{domain.ChannelWebchat: 1}; !maps.Equal(a1.Load, want) {
		t.Errorf("a1 load %v, want %v", a1.Load, want)
	}
	if a2.Presence != domain.PresenceOffline || !maps.Equal(a2.Skills, map[string]int{"network": 9, "en": 6}) ||
		!maps.Equal(a2.Capacity, map[domain.Channel]int{domain.ChannelPhone: 1}) {
		t.Errorf("a2 = %+v", a2)
	}
	if want := map[domain.Channel]int{domain.ChannelPhone: 1}; !maps.Equal(a2.Load, want) {
		t.Errorf("a2 load %v, want %v", a2.Load, want)
	}
	one, err := h.db.Agent(h.ctx, "a2")
	if err != nil || !maps.Equal(one.Load, a2.Load) || one.Name != "Bo" {
		t.Errorf("Agent(a2) = %+v, %v", one, err)
	}
	if _, err := h.db.Agent(h.ctx, "a9"); !isNotFound(err) {
		t.Errorf("Agent(a9) = %v, want not found", err)
	}
}

// TestAgentsWrapUpExpiredReleasesVoiceLoad: an answered call that ended
// counts in its agent's PHONE load through the after-call work; once its
// wrap-up expired it no longer does, though it stays the agent's open
// work until they close it.
func TestAgentsWrapUpExpiredReleasesVoiceLoad(t *testing.T) {
	h := newHarness(t)
	r := h.start(h.db)
	h.emit(r,
		domain.AgentRegistered{AgentID: "a1", Name: "Ann", Capacity: domain.DefaultCapacity, At: at(0)},
		started("p1", domain.ChannelPhone, 1), domain.InteractionAssigned{InteractionID: "p1", AgentID: "a1", At: at(1)},
		domain.CallAnswered{InteractionID: "p1", AgentID: "a1", At: at(2)},
		domain.CallEnded{InteractionID: "p1", EndedBy: "CUSTOMER", At: at(3)},
		started("w1", domain.ChannelWebchat, 3), domain.InteractionAssigned{InteractionID: "w1", AgentID: "a1", At: at(3)},
	)
	load := func(want map[domain.Channel]int) {
		t.Helper()
		a, err := h.db.Agent(h.ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(a.Load, want) {
			t.Errorf("a1 load %v, want %v", a.Load, want)
		}
	}
	load(map[domain.Channel]int{domain.ChannelPhone: 1, domain.ChannelWebchat: 1}) // in wrap-up
	h.emit(r, domain.WrapUpExpired{InteractionID: "p1", AgentID: "a1", CallEndedAt: at(3), TimeoutSeconds: 60, At: at(4)})
	load(map[domain.Channel]int{domain.ChannelWebchat: 1})
	if all, err := h.db.Agents(h.ctx); err != nil || len(all) != 1 || !maps.Equal(all[0].Load, map[domain.Channel]int{domain.ChannelWebchat: 1}) {
		t.Errorf("Agents = %+v, %v; want a1 without phone load", all, err)
	}
	work, err := h.db.AgentWork(h.ctx, "a1")
	if err != nil || len(work) != 2 {
		t.Fatalf("AgentWork = %+v, %v; want p1 and w1 still open", work, err)
	}
	if p1, err := h.db.Interaction(h.ctx, "p1"); err != nil || !p1.WrapUpExpiredAt.Equal(at(4)) || p1.Status.Ended() {
		t.Errorf("Interaction(p1) = %+v, %v; want open with WrapUpExpiredAt %v", p1, err, at(4))
	}
	h.emit(r, domain.InteractionClosed{InteractionID: "p1", Disposition: domain.DispositionResolved, AgentID: "a1", At: at(5)})
	load(map[domain.Channel]int{domain.ChannelWebchat: 1})
	if work, err := h.db.AgentWork(h.ctx, "a1"); err != nil || len(work) != 1 || work[0].ID != "w1" {
		t.Errorf("AgentWork after closing p1 = %+v, %v; want w1", work, err)
	}
}
