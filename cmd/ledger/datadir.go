package main

import (
	"flag"
	"net/url"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdb"

	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/eventstore/sqlite"
)

// Files in the data directory.
const (
	eventsFile     = "events.db"
	readModelsFile = "readmodels.db"
)

// openStore opens (creating if needed) the ledger in dir.
func openStore(ctx context.Context, dir string, reg prometheus.Registerer, opts ...sqlite.Option) (*sqlite.Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	if reg != nil {
		opts = append(opts, sqlite.WithRegisterer(reg))
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, eventsFile), opts...)
	if err != nil {
		return nil, fmt.Errorf("open ledger in %s: %w", dir, err)
	}
	return store, nil
}

// openStoreToWrite opens (creating if needed) the ledger in dir for a
// process that owns it while it runs (serve, demo): the only writer, so
// that the command layer's "anything new on this stream?" reads are
// answered from memory (sqlite.WithSoleWriter). Readers (verify, replay,
// reports) may still open it.
func openStoreToWrite(ctx context.Context, dir string, reg prometheus.Registerer) (*sqlite.Store, error) {
	return openStore(ctx, dir, reg, sqlite.WithSoleWriter())
}

// openLedger opens the ledger a command is pointed at: the EventStoreDB
// (or ledger protocol endpoint) at location when it is an esdb:// URL, or
// the embedded SQLite ledger in dir. The embedded one is opened as the
// sole writer when write is set.
func openLedger(ctx context.Context, location, dir string, reg prometheus.Registerer, write bool) (eventstore.Store, error) {
	if esdb.IsURL(location) {
		s, err := esdb.Open(ctx, location)
		if err != nil {
			return nil, fmt.Errorf("open ledger on %s: %w", redactURL(location), err)
		}
		return s, nil
	}
	if location != "" && location != "sqlite" {
		return nil, &exitError{code: 2, err: fmt.Errorf("--store %q: want sqlite (the ledger in --data) or an esdb:// connection string", location)}
	}
	if write {
		return openStoreToWrite(ctx, dir, reg)
	}
	return openStore(ctx, dir, reg)
}

// openLedgerToRead opens an existing ledger to read: the one in dir for
// location "sqlite", else the EventStoreDB at location.
func openLedgerToRead(ctx context.Context, location, dir string) (eventstore.Store, error) {
	if location == "sqlite" || location == "" {
		return openExistingStore(ctx, dir)
	}
	return openLedger(ctx, location, dir, nil, false)
}

// redactURL hides the password of a connection string in messages.
func redactURL(location string) string {
	u, err := url.Parse(location)
	if err != nil {
		return "the given esdb connection string"
	}
	return u.Redacted()
}

// addStoreFlag adds --store: where the ledger lives.
func addStoreFlag(fs *flag.FlagSet, store *string) {
	fs.StringVar(store, "store", envOr("LEDGER_STORE", "sqlite"), "the event store: sqlite (the ledger in --data) or an EventStoreDB connection string such as esdb://host:2113?tls=false (env LEDGER_STORE)")
}

// openExistingStore opens the ledger in dir, refusing to create one: verify
// and replay on a mistyped path must not report an empty ledger as fine.
func openExistingStore(ctx context.Context, dir string) (*sqlite.Store, error) {
	path := filepath.Join(dir, eventsFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no ledger at %s: %w", path, err)
	}
	return openStore(ctx, dir, nil)
}
