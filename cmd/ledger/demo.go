package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// runDemo appends realistic synthetic traffic to the ledger through the
// command layer, with simulated time spread over --span before now.
func runDemo(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("demo", out)
	customers := fs.Int("customers", 200, "number of distinct customers")
	interactions := fs.Int("interactions", 1000, "number of interactions (contacts) to play")
	seed := fs.Uint64("seed", 1, "random seed; the same seed plays the same traffic")
	workers := fs.Int("workers", 8, "concurrent workers")
	span := fs.Duration("span", 30*24*time.Hour, "simulated period the interactions are spread over, ending now")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *customers < 1 || *interactions < 1 || *workers < 1 {
		return &exitError{code: 2, err: fmt.Errorf("demo: --customers, --interactions and --workers must be at least 1")}
	}
	store, err := openStore(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	before, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	cfg := demoConfig{
		Customers: *customers, Interactions: *interactions, Seed: *seed, Workers: *workers,
		Start: time.Now().UTC().Add(-*span), Span: *span,
	}
	traffic := newDemoTraffic(cfg, store)
	bar := newProgress(int64(*interactions), "demo interactions", *quiet)
	bar.Describe("demo interactions")
	start := time.Now()
	err = traffic.run(ctx, func() { _ = bar.Add(1) })
	_ = bar.Finish()
	if err != nil {
		return err
	}
	after, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	events := after - before
	fmt.Fprintf(out, "demo: %d interactions (%d abandoned), %d tickets, %d identity links, %d agents; %d events in %s (%.0f events/s)\n",
		traffic.stats.interactions.Load(), traffic.stats.abandoned.Load(), traffic.stats.tickets.Load(),
		traffic.stats.identityLinks.Load(), len(traffic.agents), events, elapsed.Round(time.Millisecond),
		float64(events)/elapsed.Seconds())
	return nil
}
