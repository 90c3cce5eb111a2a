package sla_test

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/policies/sla"
)

// BenchmarkSlaPolicy measures the SLA policy on b.N tickets: following the
// ledger (TicketOpened -> two clocks started, their due times saved) and
// the timer firing every ticket's breach once the deadlines passed.
func BenchmarkSlaPolicy(b *testing.B) {
	ctx := b.Context()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "events.db"), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	clock := &fakeClock{now: t0}
	h := commands.NewHandler(store, commands.WithClock(clock.Now), commands.WithLogger(slog.New(slog.DiscardHandler)))
	in, err := h.ReceiveInbound(ctx, inbound(domain.ChannelWebchat, domain.IdentityAccount, "bench", "m0"), commands.Meta{})
	if err != nil {
		b.Fatal(err)
	}
	runner, err := sla.NewRunner(ctx, h, testSlaConfig, filepath.Join(b.TempDir(), "sla.db"), slog.New(slog.DiscardHandler), sla.WithHistory())
	if err != nil {
		b.Fatal(err)
	}
	defer runner.Close()
	for range b.N {
		if _, _, err := h.OpenTicket(ctx, domain.OpenTicket{CustomerID: in.CustomerID, Category: domain.CategoryInquiry, Subject: "s"}, commands.Meta{}); err != nil {
			b.Fatal(err)
		}
	}
	head, err := store.HeadPosition(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	// The clocks it starts are events too: it reads them (and saves their
	// due times) on its way to the new head.
	for {
		if err := runner.Follow(ctx, head); err != nil {
			b.Fatal(err)
		}
		next, err := store.HeadPosition(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if next == head {
			break
		}
		head = next
	}
	follow := time.Since(start)
	clock.Set(t0.Add(5 * time.Hour))
	start = time.Now()
	fired, err := runner.FireDue(ctx)
	if err != nil {
		b.Fatal(err)
	}
	fire := time.Since(start)
	b.StopTimer()
	// Per ticket: two warnings and two breaches (first response, resolution).
	if fired != 4*b.N {
		b.Fatalf("fired %d events for %d tickets, want %d", fired, b.N, 4*b.N)
	}
	b.ReportMetric(float64(b.N)/follow.Seconds(), "opened-tickets/s")
	b.ReportMetric(float64(b.N)/fire.Seconds(), "checked-tickets/s")
	b.ReportMetric(float64(fire.Microseconds())/float64(b.N), "µs/check")
}
