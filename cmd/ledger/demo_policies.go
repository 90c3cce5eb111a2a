package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/policies/sla"
)

// demoPolicyPage is how many of the demo's events the SLA policy handles
// between two looks at its timer: the timer fires late by at most that
// stretch of simulated time, a few minutes of a busy month.
const demoPolicyPage = 256

// playDemoPolicies runs the SLA and QA policies over the history the demo
// wrote, on the demo's simulated clock, leaving their checkpoints where
// `ledger serve` resumes from: without it the month before `serve` has
// no SLA clocks and no QA scores, and the reports on them are empty.
//
// The SLA policy handles the events from, a page at a time, each page on
// a clock at its latest event's time (the simulated time in its data: the
// store records when the demo ran), and then fires what is due by then; its own appends (warnings, breaches, escalations) are read back as
// later pages. The QA policy then scores every closed interaction.
func playDemoPolicies(ctx context.Context, store eventstore.Store, dataDir string, from uint64) error {
	clock := &demoClock{}
	h := commands.NewHandler(store, commands.WithClock(clock.now))
	runner, err := sla.NewRunner(ctx, h, sla.DefaultConfig(), filepath.Join(dataDir, slaStateFile), slog.Default(), sla.WithHistory())
	if err != nil {
		return err
	}
	defer runner.Close()
	for after := from; ; {
		page, err := store.ReadAll(ctx, after, demoPolicyPage)
		if err != nil {
			return fmt.Errorf("demo policies: read after %d: %w", after, err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if at := eventTime(e); at.After(clock.now()) {
				clock.set(at)
			}
		}
		after = page[len(page)-1].Position
		if err := runner.Follow(ctx, after); err != nil {
			return fmt.Errorf("demo SLA policy: %w", err)
		}
		if _, err := runner.FireDue(ctx); err != nil {
			return fmt.Errorf("demo SLA timer: %w", err)
		}
	}
	return scoreClosedInteractions(ctx, store, dataDir, "")
}

// eventTime is the time an event's data says it happened ("at"), zero
// when it says none.
func eventTime(e eventstore.RecordedEvent) time.Time {
	var d struct {
		At time.Time `json:"at"`
	}
	_ = json.Unmarshal(e.Data, &d) // no "at", or none readable: zero
	return d.At
}
