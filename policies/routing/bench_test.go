package routing_test

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/policies/routing"
)

// BenchmarkRouteOnce measures one routing round that fills 50 agents' 150
// chat slots from a queue of 150 chats: the decision plus 150 routed
// assignments, written for several agents at once.
func BenchmarkRouteOnce(b *testing.B) {
	const agentsN, capacity = 50, 3
	var total time.Duration
	assigned := 0
	for range b.N {
		b.StopTimer()
		ctx := b.Context()
		store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			b.Fatal(err)
		}
		h := commands.NewHandler(store, commands.WithLogger(slog.New(slog.DiscardHandler)))
		view := &staticView{}
		for a := range agentsN {
			id := fmt.Sprintf("a%d", a)
			if _, err := h.Agent(ctx, id, domain.RegisterAgent{AgentID: id, Name: id, Capacity: map[domain.Channel]int{domain.ChannelWebchat: capacity}}, commands.Meta{}); err != nil {
				b.Fatal(err)
			}
			if _, err := h.Agent(ctx, id, domain.ChangePresence{Presence: domain.PresenceAvailable}, commands.Meta{}); err != nil {
				b.Fatal(err)
			}
			view.agents = append(view.agents, domain.RoutingAgent{ID: id, Capacity: map[domain.Channel]int{domain.ChannelWebchat: capacity}, Presence: domain.PresenceAvailable})
		}
		for i := range agentsN * capacity {
			id := fmt.Sprintf("i%d", i)
			phone := domain.Identity{Kind: domain.IdentityPhone, Value: fmt.Sprintf("+86138%08d", i)}
			if _, err := h.Interaction(ctx, id, commands.Meta{},
				domain.StartInteraction{InteractionID: id, CustomerID: "c", Channel: domain.ChannelWebchat, Identity: phone},
				domain.QueueInteraction{Queue: "general"}); err != nil {
				b.Fatal(err)
			}
			view.waiting = append(view.waiting, domain.WaitingItem{InteractionID: id, Channel: domain.ChannelWebchat, Queue: "general", Priority: domain.PriorityNormal, QueuedAt: time.Now()})
		}
		router := routing.NewRouter(h, routing.DefaultConfig(), view)
		b.StartTimer()
		start := time.Now()
		stats, err := router.RouteOnce(ctx)
		total += time.Since(start)
		b.StopTimer()
		if err != nil || stats.Assigned != agentsN*capacity {
			b.Fatalf("round = %+v, %v", stats, err)
		}
		assigned += stats.Assigned
		store.Close()
	}
	b.ReportMetric(float64(assigned)/total.Seconds(), "assignments/s")
}
