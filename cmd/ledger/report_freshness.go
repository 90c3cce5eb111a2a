package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/interactionledger/ledger/analytics"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// reportFreshness is how current a report is: the ledger position the
// analytics store holds, and the ledger's head when the report ran.
type reportFreshness struct {
	position, head uint64
}

func (f reportFreshness) String() string {
	s := fmt.Sprintf("as of ledger position %d of %d", f.position, f.head)
	if f.position < f.head {
		s += ": " + plural(int(f.head-f.position), "event") + " not in the analytics store yet (run `ledger analytics sync`, or leave `ledger serve` running)"
	}
	return s
}

// freshAnalytics brings an embedded analytics store to the ledger's head
// before a report, showing progress, and says how current the store is.
// It leaves the store as it is when a server runs on the ledger (its sink
// keeps the store current, and two sinks would write one store) and for
// ClickHouse (a server's sink, or `ledger analytics sync`, fills it).
func freshAnalytics(ctx context.Context, keys keySource, backend analytics.Backend, embedded, quiet bool) (reportFreshness, error) {
	serving, err := sqlite.SoleWriterActive(filepath.Join(keys.dir, eventsFile))
	if err != nil {
		return reportFreshness{}, err
	}
	store, err := openExistingSealed(ctx, keys)
	if err != nil {
		return reportFreshness{}, err
	}
	defer store.Close()
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return reportFreshness{}, err
	}
	if !embedded || serving {
		position, err := backend.Checkpoint(ctx, analytics.DefaultSinkName)
		return reportFreshness{position: position, head: head}, err
	}
	key, err := analyticsKey(keys.dir)
	if err != nil {
		return reportFreshness{}, err
	}
	sink := analytics.NewSink(store, backend, key)
	from, err := backend.Checkpoint(ctx, analytics.DefaultSinkName)
	if err != nil {
		return reportFreshness{}, err
	}
	bar := newPositionBar(from, head, "analytics catching up", quiet)
	err = sink.Sync(ctx, func(done, _ uint64) { bar.SetPosition(done) })
	_ = bar.Finish()
	return reportFreshness{position: sink.Position(), head: head}, err
}

// writeFreshness adds how current the report is to a table for people;
// csv stays the table alone, and json carries it in the object.
func writeFreshness(out io.Writer, f reportFreshness, format string) {
	if format == "table" {
		fmt.Fprintln(out, f)
	}
}
