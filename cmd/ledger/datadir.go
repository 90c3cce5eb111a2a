package main

import (
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

// openExistingStore opens the ledger in dir, refusing to create one: verify
// and replay on a mistyped path must not report an empty ledger as fine.
func openExistingStore(ctx context.Context, dir string) (*sqlite.Store, error) {
	path := filepath.Join(dir, eventsFile)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no ledger at %s: %w", path, err)
	}
	return openStore(ctx, dir, nil)
}
