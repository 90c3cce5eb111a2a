package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/blobs"
	"github.com/interactionledger/ledger/eventstore/unseal"
	"github.com/interactionledger/ledger/internal/clamav"
)

// blobsEnv names the blob store when --blobs is not given; clamdEnv the
// malware scanner when --clamd is not.
const (
	blobsEnv = "LEDGER_BLOBS"
	clamdEnv = "LEDGER_CLAMD"
)

// scanTimeout bounds one malware scan: clamd that stops answering fails
// the file's put (the channel does not acknowledge the message, and its
// sender tries again) rather than holding the message forever.
const scanTimeout = 2 * time.Minute

// openFiles opens the store of attachments' contents that spec names
// (--blobs: "" for a directory under the data directory, or
// s3://bucket?endpoint=...), sealed with the ledger's data keys. A ledger
// kept in clear has no data keys: its attachments' contents are not kept,
// since nothing could erase them; it returns nil then.
func openFiles(ctx context.Context, spec, clamd, dataDir string, store eventstore.Store) (*blobs.Store, error) {
	keyed, ok := store.(interface{ DataKeys() unseal.Keys })
	if !ok {
		slog.Warn("this ledger keeps personal data in clear: attachments are recorded by name, type and size, their contents are not kept (see README, Attachments)")
		return nil, nil
	}
	backend, err := blobs.OpenBackend(ctx, spec, dataDir)
	if err != nil {
		return nil, fmt.Errorf("--blobs: %w", err)
	}
	scanner, err := malwareScanner(ctx, clamd)
	if err != nil {
		return nil, err
	}
	if scanner == nil {
		return blobs.New(backend, keyed.DataKeys()), nil
	}
	return blobs.New(backend, keyed.DataKeys(), blobs.WithScanner(scanner)), nil
}

// malwareScanner is clamd at addr (--clamd), or nil without one. clamd
// down at start is reported, not fatal: files wait (their messages are
// refused for now and sent again) until it answers.
func malwareScanner(ctx context.Context, addr string) (blobs.Scanner, error) {
	if addr == "" {
		slog.Warn("attachments are not scanned for malware: give clamd's address with --clamd (env " + clamdEnv + ")")
		return nil, nil
	}
	client, err := clamav.New(addr)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--clamd: %w", err)}
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx); err != nil {
		slog.Error("clamd does not answer: messages with files are refused until it does", "clamd", addr, "err", err)
	}
	return timedScanner{client}, nil
}

// timedScanner bounds each scan by scanTimeout.
type timedScanner struct{ blobs.Scanner }

func (s timedScanner) Scan(ctx context.Context, r io.Reader) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, scanTimeout)
	defer cancel()
	return s.Scanner.Scan(ctx, r)
}
