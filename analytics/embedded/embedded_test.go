package embedded_test

import (
	"path/filepath"
	"testing"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/analytics/analyticstest"
	"github.com/interactionledger/ledger/analytics/embedded"
)

func openBackend(t *testing.T) *embedded.Backend {
	t.Helper()
	b, err := embedded.Open(t.Context(), filepath.Join(t.TempDir(), embedded.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

// TestSyncCountsEveryInteractionOnce loads a generated ledger and checks
// the reports against what the generator produced: every interaction in
// channel_volume once, every QA score once.
func TestSyncCountsEveryInteractionOnce(t *testing.T) {
	store := analyticstest.NewLedger(t, analyticstest.Config{Customers: 40, Interactions: 200, Seed: 3})
	b := openBackend(t)
	sink := analytics.NewSink(store, b, analyticstest.Key, analytics.WithBatchEvents(500))
	if err := sink.Sync(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	head, _ := store.HeadPosition(t.Context())
	if sink.Position() != head {
		t.Fatalf("sink at %d, ledger head %d", sink.Position(), head)
	}
	rep := analytics.NewReporter(b)
	vol, err := rep.Report(t.Context(), analytics.Request{Name: "channel_volume", From: analyticstest.Period[0], To: analyticstest.Period[1], GroupBy: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, r := range vol.Rows {
		total += r[len(r)-3].(int64)
	}
	if total != 200 {
		t.Fatalf("channel_volume counts %d interactions, want 200:\n%s", total, analyticstest.Canonical(vol))
	}
	for _, req := range analyticstest.Requests() {
		if _, err := rep.Report(t.Context(), req); err != nil {
			t.Fatalf("%s: %v", analyticstest.RequestLabel(req), err)
		}
	}
}
