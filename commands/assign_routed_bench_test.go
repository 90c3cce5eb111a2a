package commands_test

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// BenchmarkAssignRouted measures one routed assignment through the
// capacity protocol (hold on the agent's stream, then the assignment on the
// interaction's stream, both durable) on the SQLite store, with the release
// of the agent's previous, closed interaction folded into the hold. The
// store is opened as serve opens it, the sole writer. The closing of the
// previous interaction is not timed.
func BenchmarkAssignRouted(b *testing.B) {
	ctx := b.Context()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)), sqlite.WithSoleWriter())
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	h := commands.NewHandler(store, commands.WithLogger(slog.New(slog.DiscardHandler)))
	const agentsN = 50
	for a := range agentsN {
		id := fmt.Sprintf("a%d", a)
		if _, err := h.Agent(ctx, id, domain.RegisterAgent{AgentID: id, Name: id, Capacity: map[domain.Channel]int{domain.ChannelWebchat: 1}}, commands.Meta{}); err != nil {
			b.Fatal(err)
		}
		if _, err := h.Agent(ctx, id, domain.ChangePresence{Presence: domain.PresenceAvailable}, commands.Meta{}); err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]string, b.N)
	for i := range b.N {
		ids[i] = fmt.Sprintf("i%d", i)
		phone := domain.Identity{Kind: domain.IdentityPhone, Value: fmt.Sprintf("+86138%08d", i)}
		if _, err := h.Interaction(ctx, ids[i], commands.Meta{},
			domain.StartInteraction{InteractionID: ids[i], CustomerID: "c", Channel: domain.ChannelWebchat, Identity: phone},
			domain.QueueInteraction{Queue: "general"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		agent := fmt.Sprintf("a%d", i%agentsN)
		if i >= agentsN {
			b.StopTimer()
			if _, err := h.Interaction(ctx, ids[i-agentsN], commands.Meta{}, domain.CloseInteraction{Disposition: domain.DispositionResolved}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if _, err := h.AssignRouted(ctx, commands.RoutedAssignment{InteractionID: ids[i], AgentID: agent, VoiceBlocksOthers: true, HoldGrace: 30 * time.Second}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "assignments/s")
}
