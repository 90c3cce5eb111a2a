package main

import (
	"testing"
	"time"
)

// TestDemoHistoryHasSlaClocksAndQaScores: the demo's month is played
// through the SLA and QA policies on its simulated clock, so clocks start,
// warn and breach within the month (not when the demo ran), every closed
// interaction is scored, and the policies' checkpoints are at the head
// for `serve` to resume from.
func TestDemoHistoryHasSlaClocksAndQaScores(t *testing.T) {
	dir := demoLedger(t)
	store, err := openExistingStore(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	all, err := store.ReadAll(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	var firstClock, firstBreach time.Time
	for _, e := range all {
		counts[e.Type]++
		// The store records when the demo ran; the data, when it happened.
		if e.Type == "SlaStarted" && firstClock.IsZero() {
			firstClock = eventTime(e)
		}
		if e.Type == "SlaBreached" && firstBreach.IsZero() {
			firstBreach = eventTime(e)
		}
	}
	// Timers fired on the demo's clock, not all at once when it ran.
	if firstBreach.IsZero() || firstBreach.After(time.Now().Add(-24*time.Hour)) {
		t.Fatalf("the first breach happened at %s: want it within the demo's month, not when the demo ran", firstBreach)
	}
	// The demo's month ends now: its first clock started weeks ago.
	if firstClock.IsZero() || firstClock.After(time.Now().AddDate(0, 0, -14)) {
		t.Fatalf("the first SLA clock started at %s: want it on the demo's clock, weeks ago", firstClock)
	}
	if counts["SlaStarted"] == 0 || counts["SlaFulfilled"] == 0 || counts["SlaBreached"] == 0 {
		t.Fatalf("SLA events %v: want clocks started, fulfilled and breached", counts)
	}
	if counts["QaScored"] < counts["InteractionClosed"] {
		t.Fatalf("%d interactions scored of %d closed", counts["QaScored"], counts["InteractionClosed"])
	}
}
