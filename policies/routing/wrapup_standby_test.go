package routing_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/interactionledger/ledger/commands/commandstest"
	eventfollow "github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/routing"
)

// TestWrapUpStandbyFiresOnTakeover: two nodes with their own schedules
// share a ledger; both keep the schedule, only the lease holder fires.
// When the holder stops before the wrap-up is due, the other fires it,
// once.
func TestWrapUpStandbyFiresOnTakeover(t *testing.T) {
	h, store, clock := clockHandler(t)
	cfg := routing.DefaultConfig()
	registerAvailable(t, h, "a1", nil, nil)
	lease := eventfollow.FileLease{Dir: t.TempDir(), Poll: 10 * time.Millisecond}
	start := func(name string) (*routing.WrapUp, context.CancelFunc, func()) {
		w, err := routing.NewWrapUp(t.Context(), h, wrapUp, filepath.Join(t.TempDir(), name+".db"), slog.New(slog.DiscardHandler),
			routing.WithWrapUpHistory(), routing.WithWrapUpCheckEvery(10*time.Millisecond),
			routing.WithWrapUpFollower(eventfollow.Options{Lease: lease}), routing.WithWrapUpStandby())
		if err != nil {
			t.Fatal(err)
		}
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { _ = w.Run(ctx); close(done) }()
		wait := func() { <-done }
		t.Cleanup(func() { stop(); wait(); w.Close() })
		return w, stop, wait
	}
	a, stopA, waitA := start("a")
	answeredCall(t, h, cfg, "call1", "a1")
	clock.Set(t0.Add(time.Minute))
	endCall(t, h, "call1")
	b, _, _ := start("b")
	commandstest.Eventually(t, "both nodes scheduled the wrap-up", func() bool {
		pa, _ := a.Pending(t.Context())
		pb, _ := b.Pending(t.Context())
		return pa == 1 && pb == 1
	})
	stopA()
	waitA()
	clock.Set(t0.Add(5 * time.Minute))
	commandstest.Eventually(t, "node B expired the wrap-up", func() bool { _, got, _ := expiries(t, store); return len(got) == 1 })
	time.Sleep(50 * time.Millisecond) // a second firing would come by now
	if _, got, released := expiries(t, store); len(got) != 1 || len(released) != 1 {
		t.Fatalf("%d expiries and %d releases, want one each", len(got), len(released))
	}
	if a.Expired() != 0 || b.Expired() != 1 {
		t.Fatalf("expired: A %d, B %d; want B's one", a.Expired(), b.Expired())
	}
	commandstest.Eventually(t, "node B's schedule forgot the expired wrap-up", func() bool { n, _ := b.Pending(t.Context()); return n == 0 })
}
