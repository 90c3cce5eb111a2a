package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/unseal"
)

// blobsEnv names the blob store when --blobs is not given.
const blobsEnv = "LEDGER_BLOBS"

// openFiles opens the store of attachments' contents that spec names
// (--blobs: "" for a directory under the data directory, or
// s3://bucket?endpoint=...), sealed with the ledger's data keys. A ledger
// kept in clear has no data keys: its attachments' contents are not kept,
// since nothing could erase them; it returns nil then.
func openFiles(ctx context.Context, spec, dataDir string, store eventstore.Store) (*blobs.Store, error) {
	keyed, ok := store.(interface{ DataKeys() unseal.Keys })
	if !ok {
		slog.Warn("this ledger keeps personal data in clear: attachments are recorded by name, type and size, their contents are not kept (see README, Attachments)")
		return nil, nil
	}
	backend, err := blobs.OpenBackend(ctx, spec, dataDir)
	if err != nil {
		return nil, fmt.Errorf("--blobs: %w", err)
	}
	return blobs.New(backend, keyed.DataKeys()), nil
}
