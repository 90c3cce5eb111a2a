package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/eventstore/replica"
	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// restoreFromReplica fills the empty directory staging from the S3
// replica at from (what `ledger serve --replicate` ships): events.db,
// imported through the store's Importer so that ids, order and hashes
// are kept, and, for an encrypted ledger, datakeys.db with the wrapped
// data keys and the erasures; nothing else (read models are rebuilt by
// serve, the master key never left the operator). A zero asOf restores
// everything replicated; otherwise the events recorded up to asOf (the
// longest prefix of positions recorded at or before it: see
// replica.Target.Restore). Progress goes to out.
func restoreFromReplica(ctx context.Context, from string, asOf time.Time, staging string, out io.Writer) error {
	if err := emptyDir(staging); err != nil {
		return err
	}
	target, err := replica.Open(ctx, from)
	if err != nil {
		return err
	}
	when := "everything replicated"
	if !asOf.IsZero() {
		when = "as of " + asOf.UTC().Format(time.RFC3339Nano)
	}
	fmt.Fprintf(out, "restoring from %s, %s, into %s\n", target, when, staging)
	started := time.Now()
	res, err := restoreEvents(ctx, target, asOf, staging, out)
	if err != nil {
		return err
	}
	// The keys after the events: the replicator ships a key before the
	// first event sealed with it, so keys listed later cover every event
	// restored, even from a replica still being written.
	rows, err := target.KeyRows(ctx)
	if err != nil {
		return err
	}
	encrypted, err := target.Encrypted(ctx)
	if err != nil {
		return err
	}
	if encrypted {
		if err := writeKeyRows(ctx, filepath.Join(staging, dataKeysFile), rows); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "restored %d events (of %d replicated) from %d segments", res.Events, res.Available, res.Segments)
	if res.Events > 0 {
		fmt.Fprintf(out, ", the last recorded %s", res.LastAt.Format(time.RFC3339Nano))
	}
	if len(rows) > 0 {
		fmt.Fprintf(out, "; %d data keys and erasures", len(rows))
	}
	fmt.Fprintf(out, "; in %s\n", time.Since(started).Round(time.Millisecond))
	return nil
}

// emptyDir makes dir if it is missing and refuses one that holds
// anything: a restore never mixes with a ledger.
func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("restore into %s: %w", dir, err)
	}
	empty, err := emptyOrMissing(dir)
	if err != nil {
		return fmt.Errorf("restore into %s: %w", dir, err)
	}
	if !empty {
		return fmt.Errorf("restore into %s: the directory is not empty", dir)
	}
	return nil
}

func restoreEvents(ctx context.Context, target *replica.Target, asOf time.Time, staging string, out io.Writer) (replica.Restored, error) {
	path := filepath.Join(staging, eventsFile)
	store, err := sqlite.Open(ctx, path, sqlite.WithSoleWriter(), sqlite.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return replica.Restored{}, fmt.Errorf("restore: %w", err)
	}
	last := time.Now()
	res, err := target.Restore(ctx, asOf, store, func(position, available uint64) {
		if time.Since(last) >= time.Second {
			fmt.Fprintf(out, "  %d of %d events\n", position, available)
			last = time.Now()
		}
	})
	err = errors.Join(err, store.Close())
	// The writer's lock file is the import's, not the ledger's: staging
	// gets the ledger's files only.
	if rmErr := os.Remove(path + "-writer.lock"); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		err = errors.Join(err, rmErr)
	}
	return res, err
}

func writeKeyRows(ctx context.Context, path string, rows []datakeys.Row) error {
	keys, err := datakeys.Open(ctx, path, nil) // rows as they are: no key is unwrapped
	if err != nil {
		return fmt.Errorf("restore data keys: %w", err)
	}
	return errors.Join(keys.PutRows(ctx, rows), keys.Close())
}
