package main

import (
	"context"
	"fmt"
	"io"

	"github.com/interactionledger/ledger/eventstore"
)

// runVerify recomputes every stream's hash chain. Exit status 1 (and the
// first bad event on stdout) when the ledger was altered.
func runVerify(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("verify", out)
	quiet := fs.Bool("quiet", false, "no progress bar")
	var location string
	addStoreFlag(fs, &location)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := openLedgerToRead(ctx, location, *data)
	if err != nil {
		return err
	}
	defer store.Close()
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	bar := newProgress(int64(head), "verifying", *quiet)
	rep, err := eventstore.Verify(ctx, store, func(checked uint64) { _ = bar.Set64(int64(checked)) })
	_ = bar.Finish()
	if err != nil {
		return err
	}
	if !rep.OK {
		fmt.Fprintf(out, "FAILED after %d events: first bad event at %s\n", rep.CheckedEvents, rep.FirstBad)
		return &exitError{code: 1, err: fmt.Errorf("ledger verification failed at position %d (event %s)", rep.FirstBad.Position, rep.FirstBad.ID)}
	}
	fmt.Fprintf(out, "OK: %d events in %d streams, every hash chain intact\n", rep.CheckedEvents, rep.Streams)
	return nil
}
