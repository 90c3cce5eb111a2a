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
	span := fs.Duration("span", 30*24*time.Hour, "simulated period the interactions arrive in (a Poisson process at interactions/span), ending now")
	rate := fs.Float64("rate", 0, "arrivals per hour of the Poisson process (default: interactions/span); with --mmc, overrides --loads")
	aht := fs.Duration("aht", 0, "mean of the exponential handling (talk) time (default 5m; with --mmc 3m)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	knowledgeDir := fs.String("knowledge", "", "a directory of knowledge files (as knowledge import reads them) published before the first contact; its reply templates write some of the agents' first replies")
	mmc := fs.Bool("mmc", false, "instead of writing traffic, run the M/M/c queueing check: Poisson arrivals, exponential handling, --agents identical agents, every assignment decided by the router; prints measured P(wait) and ASA against Erlang C")
	agentsN := fs.Int("agents", 10, "with --mmc: the number of agents (c)")
	loads := fs.String("loads", "0.7,0.8,0.9", "with --mmc: utilisations to run, comma separated")
	arrivals := fs.Int("arrivals", 2_000_000, "with --mmc: arrivals measured per load (a twentieth more warm the queue up first)")
	var cacheEntries int
	addAggregateCacheFlag(fs, &cacheEntries)
	keys := addNewLedgerFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cacheEntries < 0 {
		return &exitError{code: 2, err: fmt.Errorf("demo: --aggregate-cache must be 0 (off) or more")}
	}
	if *mmc {
		return runMMcDemo(out, mmcFlags{agents: *agentsN, rate: *rate, aht: *aht, loads: *loads, arrivals: *arrivals, seed: *seed})
	}
	if *customers < 1 || *interactions < 1 || *workers < 1 {
		return &exitError{code: 2, err: fmt.Errorf("demo: --customers, --interactions and --workers must be at least 1")}
	}
	knowledge, err := readDemoKnowledge(*knowledgeDir)
	if err != nil {
		return err
	}
	keys.dir = *data
	store, err := openSealedToWrite(ctx, *keys)
	if err != nil {
		return err
	}
	defer store.Close()
	before, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	if *rate > 0 {
		*span = time.Duration(float64(*interactions) / *rate * float64(time.Hour))
	}
	cfg := demoConfig{
		Customers: *customers, Interactions: *interactions, Seed: *seed, Workers: *workers,
		Start: time.Now().UTC().Add(-*span), Span: *span, ArrivalsPerHour: *rate, MeanHandle: *aht,
		AggregateCache: cacheEntries, Knowledge: knowledge,
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
	if err := playDemoPolicies(ctx, store, *data, before); err != nil {
		return err
	}
	after, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	events := after - before
	fmt.Fprintf(out, "demo: %d interactions (%d abandoned), %d tickets, %d identity links, %d business facts, %d agents; %d events in %s (%.0f events/s)\n",
		traffic.stats.interactions.Load(), traffic.stats.abandoned.Load(), traffic.stats.tickets.Load(),
		traffic.stats.identityLinks.Load(), traffic.stats.facts.Load(), len(traffic.agents), events, elapsed.Round(time.Millisecond),
		float64(events)/elapsed.Seconds())
	return nil
}
