package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestPositionBarCountsThisRunOnly: a sync resuming at position 1,000,000
// of 1,000,100 shows 50 of 100 done after 50 more: its count, and so its
// rate, are of this run's work, not of the million positions before it.
func TestPositionBarCountsThisRunOnly(t *testing.T) {
	var out bytes.Buffer
	bar := newPositionBarTo(&out, 1_000_000, 1_000_100, "analytics sync")
	bar.SetPosition(1_000_000) // where it resumed: nothing done yet
	bar.SetPosition(1_000_050)
	_ = bar.Finish()
	text := out.String()
	if !strings.Contains(text, "50/100") || strings.Contains(text, "1000050") {
		t.Fatalf("bar %q: want 50/100 and no absolute position", text)
	}
}
