package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/treehead"
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
	return verifyLedger(ctx, store, location, *data, *quiet, out)
}

// verifyLedger recomputes every hash chain of store and checks it against
// the signed tree heads in dir, printing what it finds: `ledger verify`,
// and `ledger restore` before it puts a restored ledger in place.
func verifyLedger(ctx context.Context, store eventstore.Store, location, dir string, quiet bool, out io.Writer) error {
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	// A batch run over the whole ledger whose live heap is the streams'
	// tips: collecting less often costs memory it can spare.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	bar := newProgress(int64(head), "verifying", quiet)
	rep, err := eventstore.Verify(ctx, store, func(checked uint64) { _ = bar.Set64(int64(checked)) })
	_ = bar.Finish()
	if err != nil {
		return err
	}
	if rep.OK {
		fmt.Fprintf(out, "OK: %d events in %d streams, every hash chain intact\n", rep.CheckedEvents, rep.Streams)
	} else {
		fmt.Fprintf(out, "FAILED after %d events: first bad event at %s\n", rep.CheckedEvents, rep.FirstBad)
	}
	treeOK, err := verifyTree(ctx, store, location, dir, out)
	if err != nil {
		return err
	}
	if !rep.OK {
		return &exitError{code: 1, err: fmt.Errorf("ledger verification failed at position %d (event %s)", rep.FirstBad.Position, rep.FirstBad.ID)}
	}
	if !treeOK {
		return &exitError{code: 1, err: errors.New("the ledger does not match its signed tree heads")}
	}
	return nil
}

// verifyTree checks the ledger against the signed tree heads kept in dir
// (for the embedded ledger), printing what it finds; true when nothing.
// A data directory without heads has nothing to check.
func verifyTree(ctx context.Context, store eventstore.Store, location, dir string, out io.Writer) (bool, error) {
	if location != "" && location != "sqlite" {
		return true, nil
	}
	if _, err := os.Stat(filepath.Join(dir, treehead.LogFile)); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(out, "no signed tree heads yet (ledger serve signs them; ledger tree-head signs one now)")
		return true, nil
	}
	verifier, _, err := treeVerifier(dir)
	if err != nil {
		return false, err
	}
	log, err := treehead.OpenLog(ctx, dir)
	if err != nil {
		return false, err
	}
	defer log.Close()
	rep, err := treehead.Check(ctx, store, log, verifier)
	if err != nil {
		return false, err
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(out, "FAILED: %s\n", p)
	}
	if rep.OK() {
		fmt.Fprintf(out, "OK: %d signed tree heads over %d recorded events, each consistent with the next and with the ledger\n", rep.Heads, rep.Leaves)
	}
	return rep.OK(), nil
}
