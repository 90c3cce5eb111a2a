package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/interactionledger/ledger/eventstore"

	"github.com/interactionledger/ledger/eventstore/appendbench"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// runBench dispatches `ledger bench <what>`.
func runBench(ctx context.Context, args []string, out io.Writer) error {
	switch {
	case len(args) > 0 && args[0] == "append":
		return runBenchAppend(ctx, args[1:], out)
	case len(args) > 0 && args[0] == "webchat":
		return runBenchWebchat(ctx, args[1:], out)
	case len(args) > 0 && args[0] == "graphql":
		return runBenchGraphQL(ctx, args[1:], out)
	case len(args) > 0 && args[0] == "app":
		return runBenchApp(ctx, args[1:], out)
	case len(args) > 0 && args[0] == "catchup":
		return runBenchCatchUp(ctx, args[1:], out)
	}
	fmt.Fprintln(out, "usage: ledger bench append [--writers N] [--events M] [--workload conversations|random] [--data DIR | --store esdb://...]")
	fmt.Fprintln(out, "       ledger bench catchup [--data DIR | --store esdb://...]")
	fmt.Fprintln(out, "       ledger bench webchat [--url ws://HOST:PORT/channels/webchat --pid PID] [--clients N] [--messages M] [--interval D]")
	fmt.Fprintln(out, "       ledger bench graphql [--url http://HOST:PORT/graphql] [--clients N] [--duration D] [--server-pid PID]")
	fmt.Fprintln(out, "       ledger bench app [--url http://HOST:PORT --app-server-key K --pid PID] [--clients N] [--customers M] [--duration D]")
	return &exitError{code: 2, err: errors.New("bench: unknown or missing benchmark")}
}

// runBenchAppend measures durable append throughput and latency on a
// scratch store inside --data, removed afterwards, so the ledger itself is
// never touched.
func runBenchAppend(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("bench append", out)
	writers := fs.Int("writers", 16, "concurrent writers")
	events := fs.Int("events", 100_000, "events to append in all")
	perAppend := fs.Int("events-per-append", 1, "events per Append call")
	streams := fs.Int("streams", 10_000, "distinct streams written to")
	payload := fs.Int("payload", 256, "bytes of JSON data per event")
	workload := fs.String("workload", "conversations", "conversations: each writer fills its own stream, a new one every --stream-events events (realistic); random: random streams among --streams (adversarial)")
	streamEvents := fs.Int("stream-events", 10, "conversations workload: events per stream")
	randomIDs := fs.Bool("random-ids", false, "random UUIDv4 event ids (worst case) instead of time-ordered UUIDv7")
	quiet := fs.Bool("quiet", false, "no progress bar")
	location := fs.String("store", "", "append to this EventStoreDB (or ledger endpoint) instead of a scratch SQLite store: it keeps the benchmark's events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	wl, err := appendbench.ParseWorkload(*workload)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("bench append: %w", err)}
	}
	if *writers < 1 || *events < 1 {
		return &exitError{code: 2, err: errors.New("bench append: --writers and --events must be at least 1")}
	}
	store, cleanup, err := benchStore(ctx, *location, *data)
	if err != nil {
		return err
	}
	defer cleanup()
	bar := newProgress(int64(*events), "appending", *quiet)
	cfg := appendbench.Config{
		Writers: *writers, Events: *events, EventsPerAppend: *perAppend, Streams: *streams, PayloadBytes: *payload,
		Workload: wl, StreamEvents: *streamEvents, RandomIDs: *randomIDs,
	}
	res, err := appendbench.Run(ctx, store, cfg, func(done int) { _ = bar.Set(done) })
	_ = bar.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintln(out, res.String())
	return nil
}

// benchStore opens the store a benchmark appends to: the EventStoreDB at
// location, or a scratch SQLite store inside data, removed afterwards.
func benchStore(ctx context.Context, location, data string) (eventstore.Store, func(), error) {
	if location != "" {
		s, err := openLedger(ctx, location, "", nil, false)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	if err := os.MkdirAll(data, 0o750); err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp(data, "bench-")
	if err != nil {
		return nil, nil, err
	}
	store, err := sqlite.Open(ctx, dir+"/events.db")
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return store, func() { store.Close(); os.RemoveAll(dir) }, nil
}

// runBenchCatchUp measures how fast a follower catches up on $all: one
// subscription from the start to the head as of the start.
func runBenchCatchUp(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("bench catchup", out)
	location := fs.String("store", "sqlite", "the ledger to read: sqlite (the one in --data) or an esdb:// connection string")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := openLedgerToRead(ctx, *location, *data)
	if err != nil {
		return err
	}
	defer store.Close()
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	if head == 0 {
		return errors.New("bench catchup: the ledger is empty")
	}
	start := time.Now()
	sub := store.SubscribeAll(ctx, 0)
	defer sub.Close()
	var n, bytes int
	for pos := uint64(0); pos < head; {
		batch, err := sub.Next(ctx)
		if err != nil {
			return err
		}
		for _, e := range batch {
			n++
			bytes += len(e.Data) + len(e.Metadata)
		}
		pos = batch[len(batch)-1].Position
	}
	d := time.Since(start)
	fmt.Fprintf(out, "caught up on %d events (%.1f MiB of data and metadata) in %s: %.0f events/s\n",
		n, float64(bytes)/(1<<20), d.Round(time.Millisecond), float64(n)/d.Seconds())
	return nil
}
