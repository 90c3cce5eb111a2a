package domain_test

import (
	"testing"
	"time"

	"github.com/interactionledger/ledger/domain"
)

func TestReserveWork(t *testing.T) {
	chat, call := domain.ChannelWebchat, domain.ChannelPhone
	agent := func(presence domain.Presence, holds map[string]domain.Channel) domain.Agent {
		a := domain.Agent{ID: "a1", Presence: presence, Capacity: map[domain.Channel]int{chat: 2, call: 1}}
		for id, ch := range holds {
			a = domain.EvolveAgent(a, domain.AgentWorkAssigned{AgentID: "a1", InteractionID: id, Channel: ch, At: ago(time.Hour)})
		}
		return a
	}
	cases := []struct {
		name     string
		agent    domain.Agent
		cmd      domain.ReserveWork
		wantErr  string
		wantLoad int // on the command's channel afterwards
		released int
	}{
		{name: "free slot", agent: agent(domain.PresenceAvailable, nil), cmd: domain.ReserveWork{InteractionID: "i1", Channel: chat}, wantLoad: 1},
		{name: "full", agent: agent(domain.PresenceAvailable, map[string]domain.Channel{"x": chat, "y": chat}), cmd: domain.ReserveWork{InteractionID: "i1", Channel: chat}, wantErr: domain.ECONFLICT},
		{name: "stale hold released first makes room", agent: agent(domain.PresenceAvailable, map[string]domain.Channel{"x": chat, "y": chat}),
			cmd: domain.ReserveWork{InteractionID: "i1", Channel: chat, Release: []string{"y", "unknown"}}, wantLoad: 2, released: 1},
		{name: "renewing a held interaction needs no room", agent: agent(domain.PresenceAvailable, map[string]domain.Channel{"i1": chat, "y": chat}),
			cmd: domain.ReserveWork{InteractionID: "i1", Channel: chat}, wantLoad: 2},
		{name: "not available", agent: agent(domain.PresenceBreak, nil), cmd: domain.ReserveWork{InteractionID: "i1", Channel: chat}, wantErr: domain.ECONFLICT},
		{name: "voice blocks chat when configured", agent: agent(domain.PresenceAvailable, map[string]domain.Channel{"c": call}),
			cmd: domain.ReserveWork{InteractionID: "i1", Channel: chat, VoiceBlocksOthers: true}, wantErr: domain.ECONFLICT},
		{name: "voice does not block chat otherwise", agent: agent(domain.PresenceAvailable, map[string]domain.Channel{"c": call}),
			cmd: domain.ReserveWork{InteractionID: "i1", Channel: chat}, wantLoad: 1},
		{name: "one call at a time", agent: agent(domain.PresenceAvailable, map[string]domain.Channel{"c": call}),
			cmd: domain.ReserveWork{InteractionID: "i1", Channel: call}, wantErr: domain.ECONFLICT},
		{name: "configured capacity overrides the agent's", agent: agent(domain.PresenceAvailable, map[string]domain.Channel{"x": chat}),
			cmd: domain.ReserveWork{InteractionID: "i1", Channel: chat, Capacity: map[domain.Channel]int{chat: 1}}, wantErr: domain.ECONFLICT},
		{name: "no channel", agent: agent(domain.PresenceAvailable, nil), cmd: domain.ReserveWork{InteractionID: "i1"}, wantErr: domain.EINVALID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := domain.DecideAgent(tc.agent, tc.cmd, now)
			if tc.wantErr != "" {
				eq(t, "error code", domain.ErrorCode(err), tc.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			released := 0
			for _, e := range evs {
				if _, ok := e.(domain.AgentWorkReleased); ok {
					released++
				}
			}
			after := foldAll(tc.agent, domain.EvolveAgent, evs)
			eq(t, "load", after.Load(tc.cmd.Channel), tc.wantLoad)
			eq(t, "released", released, tc.released)
			if _, held := after.Work[tc.cmd.InteractionID]; !held {
				t.Errorf("interaction %s is not held after reserving", tc.cmd.InteractionID)
			}
			// The state the events were decided on is not changed by folding.
			if _, held := tc.agent.Work[tc.cmd.InteractionID]; held != (tc.name == "renewing a held interaction needs no room") {
				t.Errorf("folding changed the earlier state")
			}
		})
	}
}

func TestReleaseWork(t *testing.T) {
	a := domain.EvolveAgent(domain.Agent{ID: "a1", Presence: domain.PresenceAvailable}, domain.AgentWorkAssigned{AgentID: "a1", InteractionID: "i1", Channel: domain.ChannelEmail, At: now})
	evs, err := domain.DecideAgent(a, domain.ReleaseWork{InteractionID: "i1", Reason: "closed"}, now)
	if err != nil || len(evs) != 1 {
		t.Fatalf("release = %v, %v; want one event", evs, err)
	}
	eq(t, "load after release", foldAll(a, domain.EvolveAgent, evs).Load(domain.ChannelEmail), 0)
	evs, err = domain.DecideAgent(a, domain.ReleaseWork{InteractionID: "other"}, now)
	if err != nil || len(evs) != 0 {
		t.Fatalf("releasing what is not held = %v, %v; want nothing", evs, err)
	}
}
