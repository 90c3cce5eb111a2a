package routing_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/policies/routing"
)

// staticView is a read side frozen at one moment: every router reading it
// sees the same free agents, the worst case for races. With h set, it
// drops what the ledger shows taken and counts the agents' holds, like a
// read model that has caught up, so a later round fills what is left.
type staticView struct {
	mu      sync.Mutex
	waiting []domain.WaitingItem
	agents  []domain.RoutingAgent
	h       *commands.Handler
}

func (v *staticView) Waiting(ctx context.Context, _ time.Time) ([]domain.WaitingItem, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.h == nil {
		return v.waiting, nil
	}
	var out []domain.WaitingItem
	for _, w := range v.waiting {
		it, err := v.h.LoadInteraction(ctx, w.InteractionID)
		if err != nil {
			return nil, err
		}
		if it.AgentID == "" {
			out = append(out, w)
		}
	}
	return out, nil
}

func (v *staticView) Agents(ctx context.Context) ([]domain.RoutingAgent, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.h == nil {
		return v.agents, nil
	}
	out := slices.Clone(v.agents)
	for i, a := range out {
		st, err := v.h.LoadAgent(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		out[i].Load = map[domain.Channel]int{domain.ChannelWebchat: st.Load(domain.ChannelWebchat)}
	}
	return out, nil
}

func registerAvailable(t *testing.T, h *commands.Handler, id string, skills map[string]int, capacity map[domain.Channel]int) domain.RoutingAgent {
	t.Helper()
	ctx := t.Context()
	if _, err := h.Agent(ctx, id, domain.RegisterAgent{AgentID: id, Name: "Agent " + id, Skills: skills, Capacity: capacity}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Agent(ctx, id, domain.ChangePresence{Presence: domain.PresenceAvailable}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	if capacity == nil {
		capacity = domain.DefaultCapacity
	}
	return domain.RoutingAgent{ID: id, Skills: skills, Capacity: capacity, Presence: domain.PresenceAvailable, IdleSince: t0}
}

func queueChat(t *testing.T, h *commands.Handler, id, queue string, n int) domain.WaitingItem {
	t.Helper()
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: fmt.Sprintf("+86138%08d", n)}
	if _, err := h.Interaction(t.Context(), id, commands.Meta{},
		domain.StartInteraction{InteractionID: id, CustomerID: "c-" + id, Channel: domain.ChannelWebchat, Identity: phone},
		domain.QueueInteraction{Queue: queue}); err != nil {
		t.Fatal(err)
	}
	return domain.WaitingItem{InteractionID: id, Channel: domain.ChannelWebchat, Queue: queue, Priority: domain.PriorityNormal, Tier: domain.TierStandard, QueuedAt: t0}
}

// TestRoutersRacingNeverDoubleAssign runs two routers at once on one queue,
// each deciding on its own stale view (every agent free, the interactions
// and the agents' idle times in a different order, so the two pick
// different interactions for the same agents and different agents for the
// same interactions), again and again: no interaction is assigned twice,
// no agent ever holds more than their capacity, and every assignment is
// backed by the agent's hold.
func TestRoutersRacingNeverDoubleAssign(t *testing.T) {
	const iterations, agentsN, chatCapacity, waitingN = 12, 4, 2, 14
	for iter := range iterations {
		h, store := newHandler(t)
		cfg := routing.DefaultConfig()
		base := &staticView{}
		for a := range agentsN {
			base.agents = append(base.agents, registerAvailable(t, h, fmt.Sprintf("a%d", a), nil, map[domain.Channel]int{domain.ChannelWebchat: chatCapacity, domain.ChannelPhone: 1}))
		}
		for i := range waitingN {
			base.waiting = append(base.waiting, queueChat(t, h, fmt.Sprintf("i%02d", i), "general", i))
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		var settler *routing.Router
		for r := range 2 {
			rng := rand.New(rand.NewPCG(uint64(iter), uint64(r)))
			view := &staticView{waiting: slices.Clone(base.waiting), agents: slices.Clone(base.agents)}
			if r == 1 {
				// The second router's read side catches up between its
				// rounds; the first one's never does.
				view.h = h
			}
			for i := range view.waiting {
				view.waiting[i].QueuedAt = t0.Add(-time.Duration(rng.IntN(1000)) * time.Second)
			}
			for i := range view.agents {
				view.agents[i].IdleSince = t0.Add(-time.Duration(rng.IntN(1000)) * time.Second)
			}
			router := routing.NewRouter(h, cfg, view)
			if r == 1 {
				settler = router
			}
			wg.Go(func() {
				for range 3 {
					if _, err := router.RouteOnce(t.Context()); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("iteration %d: %v", iter, err)
		}
		// One more round alone: capacity a lost race held for a moment is
		// free again, so every slot fills.
		if _, err := settler.RouteOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		assigned := checkAssignments(t, store, chatCapacity)
		if assigned != agentsN*chatCapacity {
			t.Fatalf("iteration %d: %d interactions assigned, want every slot filled (%d)", iter, assigned, agentsN*chatCapacity)
		}
	}
}

// checkAssignments checks the ledger's invariants and returns how many
// interactions are assigned.
func checkAssignments(t *testing.T, store eventstore.Store, capacity int) int {
	t.Helper()
	recs, events := allEvents(t, store)
	assignedTo := map[string]string{}
	agentsState := map[string]domain.Agent{}
	for i, e := range events {
		stream := recs[i].Stream
		switch e := e.(type) {
		case domain.InteractionAssigned:
			if prev, dup := assignedTo[e.InteractionID]; dup {
				t.Fatalf("interaction %s assigned twice: to %s and to %s", e.InteractionID, prev, e.AgentID)
			}
			assignedTo[e.InteractionID] = e.AgentID
		}
		if strings.HasPrefix(stream, "agent-") {
			a := domain.EvolveAgent(agentsState[stream], e)
			if a.Load(domain.ChannelWebchat) > capacity {
				t.Fatalf("%s holds %d chats after event %d, more than its capacity %d", stream, a.Load(domain.ChannelWebchat), recs[i].Version, capacity)
			}
			agentsState[stream] = a
		}
	}
	for it, agent := range assignedTo {
		if _, held := agentsState[domain.AgentStream(agent)].Work[it]; !held {
			t.Errorf("interaction %s is assigned to %s without the agent holding it", it, agent)
		}
	}
	return len(assignedTo)
}

func TestRouterReleasesStaleHoldsAndRequeuesFromOfflineAgents(t *testing.T) {
	h, store := newHandler(t)
	ctx := t.Context()
	cfg := routing.DefaultConfig()
	cfg.HoldGrace = 0
	view := &staticView{agents: []domain.RoutingAgent{registerAvailable(t, h, "a1", nil, map[domain.Channel]int{domain.ChannelWebchat: 1})}}
	view.waiting = []domain.WaitingItem{queueChat(t, h, "i1", "general", 1)}
	router := routing.NewRouter(h, cfg, view)
	if stats, err := router.RouteOnce(ctx); err != nil || stats.Assigned != 1 {
		t.Fatalf("first round = %+v, %v; want one assignment", stats, err)
	}
	// The agent is full: a second chat is refused.
	second := queueChat(t, h, "i2", "general", 2)
	_, err := h.AssignRouted(ctx, cfg.Assignment("i2", "a1", false))
	if !errors.Is(err, commands.ErrAssignmentLost) || domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("assigning over capacity = %v, want a lost assignment (conflict)", err)
	}
	// Once the first chat closes, its hold is stale and the next
	// reservation releases it in the same append.
	if _, err := h.Interaction(ctx, "i1", commands.Meta{}, domain.CloseInteraction{Disposition: domain.DispositionResolved, AgentID: "a1"}); err != nil {
		t.Fatal(err)
	}
	view.waiting = []domain.WaitingItem{second}
	if stats, err := router.RouteOnce(ctx); err != nil || stats.Assigned != 1 {
		t.Fatalf("round after close = %+v, %v; want the second chat assigned", stats, err)
	}
	// The agent goes offline: their open chat goes back to its queue and
	// the hold is released.
	if _, err := h.Agent(ctx, "a1", domain.ChangePresence{Presence: domain.PresenceOffline}, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	view.agents[0].Presence, view.agents[0].Load = domain.PresenceOffline, map[domain.Channel]int{domain.ChannelWebchat: 1}
	if n, err := router.RequeueFromOffline(ctx); err != nil || n != 1 {
		t.Fatalf("RequeueFromOffline = %d, %v; want 1", n, err)
	}
	it, err := h.LoadInteraction(ctx, "i2")
	if err != nil || it.Status != domain.InteractionStatusQueued || it.AgentID != "" || it.Queue != "general" {
		t.Fatalf("i2 after its agent went offline = %+v, %v; want queued in general", it, err)
	}
	a, err := h.LoadAgent(ctx, "a1")
	if err != nil || len(a.Work) != 0 {
		t.Fatalf("agent after offline re-queue holds %v (%v), want nothing", a.Work, err)
	}
	checkAssignmentsAllowingRequeue(t, store)
}

// checkAssignmentsAllowingRequeue checks that no interaction is assigned
// while already assigned (a re-queue in between makes a new assignment
// legitimate).
func checkAssignmentsAllowingRequeue(t *testing.T, store eventstore.Store) {
	t.Helper()
	_, events := allEvents(t, store)
	current := map[string]string{}
	for _, e := range events {
		switch e := e.(type) {
		case domain.InteractionAssigned:
			if current[e.InteractionID] != "" {
				t.Fatalf("interaction %s assigned to %s while assigned to %s", e.InteractionID, e.AgentID, current[e.InteractionID])
			}
			current[e.InteractionID] = e.AgentID
		case domain.InteractionQueued:
			current[e.InteractionID] = ""
		}
	}
}

func TestRouterOverflowsAndChoosesForCalls(t *testing.T) {
	h, _ := newHandler(t)
	ctx := t.Context()
	// The configuration config.ParseRouting reads from
	//
	//	queues: {billing: {skills: {billing: 8}, overflowAfter: 1m, overflowTo: general}}
	//	syncCallHolds: true
	cfg := routing.DefaultConfig()
	cfg.Rules.Queues["billing"] = domain.QueuePolicy{Skills: map[string]int{"billing": 8}, OverflowAfter: time.Minute, OverflowTo: "general"}
	cfg.SyncCallHolds = true
	view := &staticView{agents: []domain.RoutingAgent{
		registerAvailable(t, h, "novice", map[string]int{"billing": 3}, nil),
		registerAvailable(t, h, "other", map[string]int{"billing": 2}, nil),
	}}
	item := queueChat(t, h, "i1", "billing", 1)
	item.QueuedAt = t0.Add(-2 * time.Minute)
	view.waiting = []domain.WaitingItem{item}
	router := routing.NewRouter(h, cfg, view)
	stats, err := router.RouteOnce(ctx)
	if err != nil || stats.Overflowed != 1 || stats.Assigned != 0 {
		t.Fatalf("round = %+v, %v; want one overflow and no assignment", stats, err)
	}
	it, _ := h.LoadInteraction(ctx, "i1")
	if it.Queue != "general" || it.Status != domain.InteractionStatusQueued {
		t.Fatalf("after overflow the interaction is %s in %q, want QUEUED in general", it.Status, it.Queue)
	}

	// A call in billing that waited past the overflow goes to the agent the
	// general queue's rules (anyone, longest idle first) pick among the
	// phone channel's candidates, and
	// only that agent's voice capacity is held: the phone channel records
	// the assignment.
	phone := domain.Identity{Kind: domain.IdentityPhone, Value: "+8613900000001"}
	if _, err := h.Interaction(ctx, "call1", commands.Meta{},
		domain.StartInteraction{InteractionID: "call1", CustomerID: "c9", Channel: domain.ChannelPhone, Identity: phone},
		domain.QueueInteraction{Queue: "billing"}); err != nil {
		t.Fatal(err)
	}
	call := domain.WaitingItem{InteractionID: "call1", Channel: domain.ChannelPhone, Queue: "billing", Priority: domain.PriorityNormal, QueuedAt: t0.Add(-2 * time.Minute)}
	got, err := router.ChooseAgent(ctx, call, map[string]time.Time{"novice": t0.Add(-time.Minute), "other": t0.Add(-time.Hour)})
	if err != nil || got != "other" {
		t.Fatalf("ChooseAgent = %q, %v; want other (idle longest)", got, err)
	}
	a, _ := h.LoadAgent(ctx, "other")
	if a.Load(domain.ChannelPhone) != 1 {
		t.Fatalf("other holds %v, want the call", a.Work)
	}
	// Voice blocks chat by default: the chat cannot go to the agent on
	// the call.
	_, err = h.AssignRouted(ctx, cfg.Assignment("i1", "other", false))
	if !errors.Is(err, commands.ErrAssignmentLost) {
		t.Fatalf("chat to an agent on a call = %v, want refused", err)
	}
	// The phone channel may record a call's assignment before the hold
	// (written off its dispatcher): the hold is taken all the same.
	if _, err := h.Interaction(ctx, "call2", commands.Meta{},
		domain.StartInteraction{InteractionID: "call2", CustomerID: "c9", Channel: domain.ChannelPhone, Identity: phone},
		domain.QueueInteraction{Queue: "general"}, domain.AssignInteraction{AgentID: "novice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.AssignRouted(ctx, cfg.Assignment("call2", "novice", true)); err != nil {
		t.Fatal(err)
	}
	if a, _ := h.LoadAgent(ctx, "novice"); a.Load(domain.ChannelPhone) != 1 {
		t.Fatalf("novice holds %v after the late hold, want call2", a.Work)
	}
	// A call that has not waited long enough stays for a billing expert.
	call.QueuedAt = t0
	if got, err := router.ChooseAgent(ctx, call, map[string]time.Time{"novice": t0, "other": t0}); err != nil || got != "" {
		t.Fatalf("ChooseAgent before overflow = %q, %v; want nobody", got, err)
	}
}
