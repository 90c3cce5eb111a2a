package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdb"
)

// migratePage is how many events migrate copies at a time.
const migratePage = 2048

// runMigrate copies a ledger between stores, keeping ids, order, recording
// times and hashes, then checks the copy event by event.
func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	fs, _ := newFlagSet("migrate", out)
	from := fs.String("from", "", "the ledger to copy: a data directory (SQLite) or an esdb:// connection string")
	to := fs.String("to", "", "where to copy it: a data directory (SQLite, created if needed) or an esdb:// connection string")
	quiet := fs.Bool("quiet", false, "no progress bar")
	encrypt := fs.Bool("encrypt", false, "write an encrypted copy of a ledger kept in clear, from one data directory into a new one (README, \"Erasure\")")
	masterKeyFile := addMasterKeyFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || *from == *to {
		return &exitError{code: 2, err: errors.New("migrate: give --from and --to, two different stores")}
	}
	if *encrypt {
		if esdb.IsURL(*from) || esdb.IsURL(*to) {
			return &exitError{code: 2, err: errors.New("migrate --encrypt: give two data directories")}
		}
		return runEncryptCopy(ctx, *from, *to, *masterKeyFile, *quiet, out)
	}
	src, err := openMigrationEnd(ctx, *from, false)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openMigrationEnd(ctx, *to, true)
	if err != nil {
		return err
	}
	defer dst.Close()
	imp, ok := dst.(eventstore.Importer)
	if !ok {
		return fmt.Errorf("migrate: %s cannot keep events' hashes", *to)
	}
	m := migration{src: src, dst: dst, imp: imp, quiet: *quiet}
	copied, err := m.copy(ctx)
	if err != nil {
		return err
	}
	checked, err := m.check(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "OK: copied %d events (%d already there); the copy holds the same %d events, ids and hashes, and every chain verifies\n",
		copied, checked-copied, checked)
	return nil
}

// openMigrationEnd opens one side of a migration.
func openMigrationEnd(ctx context.Context, location string, create bool) (eventstore.Store, error) {
	if esdb.IsURL(location) {
		return openLedger(ctx, location, "", nil, false)
	}
	if !create {
		return openExistingStore(ctx, location)
	}
	if err := os.MkdirAll(location, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	return openLedger(ctx, "sqlite", location, nil, true)
}

// migration is one copy between two stores.
type migration struct {
	src, dst eventstore.Store
	imp      eventstore.Importer
	quiet    bool
}

// copy imports the source's events the destination does not have yet and
// returns how many it copied. A copy that was interrupted resumes after
// the destination's last event, found in the source by its stream and
// version.
func (m migration) copy(ctx context.Context) (uint64, error) {
	after, err := m.resumeAfter(ctx)
	if err != nil {
		return 0, err
	}
	head, err := m.src.HeadPosition(ctx)
	if err != nil {
		return 0, err
	}
	bar := newPositionBar(after, head, "copying", m.quiet)
	defer bar.Finish()
	var copied uint64
	for {
		page, err := m.src.ReadAll(ctx, after, migratePage)
		if err != nil {
			return copied, fmt.Errorf("migrate: read after %d: %w", after, err)
		}
		if len(page) == 0 {
			return copied, nil
		}
		if _, err := m.imp.Import(ctx, page); err != nil {
			return copied, fmt.Errorf("migrate: copy events %d to %d (run migrate again to resume): %w", page[0].Position, page[len(page)-1].Position, err)
		}
		copied += uint64(len(page))
		after = page[len(page)-1].Position
		bar.SetPosition(after)
	}
}

// resumeAfter is the source position the destination's copy reaches: 0
// for an empty destination.
func (m migration) resumeAfter(ctx context.Context) (uint64, error) {
	last, ok, err := lastEvent(ctx, m.dst)
	if err != nil || !ok {
		return 0, err
	}
	same, err := m.src.ReadStream(ctx, last.Stream, last.Version, 1)
	if err != nil {
		return 0, err
	}
	if len(same) == 0 || same[0].ID != last.ID || same[0].Hash != last.Hash {
		return 0, fmt.Errorf("migrate: the destination already holds events that are not this ledger's (its last, %s version %d, is not the source's)", last.Stream, last.Version)
	}
	return same[0].Position, nil
}

// lastEvent returns a store's newest event.
func lastEvent(ctx context.Context, s eventstore.Store) (eventstore.RecordedEvent, bool, error) {
	if l, ok := s.(interface {
		LastEvent(context.Context) (eventstore.RecordedEvent, bool, error)
	}); ok {
		return l.LastEvent(ctx)
	}
	head, err := s.HeadPosition(ctx)
	if err != nil || head == 0 {
		return eventstore.RecordedEvent{}, false, err
	}
	evs, err := s.ReadAll(ctx, head-1, 1)
	if err != nil || len(evs) == 0 {
		return eventstore.RecordedEvent{}, false, err
	}
	return evs[0], true, nil
}

// check verifies every chain of the copy and compares it with the source,
// event by event: the same ids, streams, versions and hashes, in the same
// order. It returns how many events it compared.
func (m migration) check(ctx context.Context) (uint64, error) {
	rep, err := eventstore.Verify(ctx, m.dst, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate: verify the copy: %w", err)
	}
	if !rep.OK {
		return 0, fmt.Errorf("migrate: the copy fails verification at %s", rep.FirstBad)
	}
	var n, srcAfter, dstAfter uint64
	for {
		a, err := m.src.ReadAll(ctx, srcAfter, migratePage)
		if err != nil {
			return n, err
		}
		b, err := m.dst.ReadAll(ctx, dstAfter, migratePage)
		if err != nil {
			return n, err
		}
		if len(a) != len(b) {
			return n, fmt.Errorf("migrate: after %d events the source has %d more and the copy %d", n, len(a), len(b))
		}
		if len(a) == 0 {
			return n, nil
		}
		for i := range a {
			x, y := a[i], b[i]
			if x.ID != y.ID || x.Stream != y.Stream || x.Version != y.Version || x.Hash != y.Hash {
				return n, fmt.Errorf("migrate: event %d differs: source %s %s@%d %s, copy %s %s@%d %s", n+1, x.ID, x.Stream, x.Version, x.Hash, y.ID, y.Stream, y.Version, y.Hash)
			}
			n++
		}
		srcAfter, dstAfter = a[len(a)-1].Position, b[len(b)-1].Position
	}
}
