package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/sqlite"
	"github.com/interactionledger/ledger/projections"
)

// runErase erases a customer's personal data at their request
// (commands.EraseCustomer), then brings the read models up to date so
// that they drop their copies before the command returns. It writes to
// the ledger as its only writer: with the server running, use the admin
// eraseCustomer mutation instead.
func runErase(ctx context.Context, args []string, out io.Writer) error {
	fs, data := newFlagSet("erase", out)
	customer := fs.String("customer", "", "the customer to erase (required)")
	reason := fs.String("reason", "", "why, for the record: the request's reference, not who asked (required)")
	actor := fs.String("by", "", "who erases, for the record (default: cli)")
	masterKeyFile := addMasterKeyFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *customer == "" || *reason == "" {
		return &exitError{code: 2, err: errors.New("ledger erase: give --customer and --reason")}
	}
	if *actor == "" {
		*actor = "cli"
	}
	raw, err := openStoreToWrite(ctx, *data, nil)
	if errors.Is(err, sqlite.ErrWriterLocked) {
		return fmt.Errorf("erase %s: %w: erase through that server's admin eraseCustomer mutation, or stop it first", *customer, err)
	}
	if err != nil {
		return err
	}
	store, err := openSealed(ctx, raw, keySource{dir: *data, file: *masterKeyFile}, false)
	if err != nil {
		_ = raw.Close()
		return err
	}
	defer store.Close()
	res, err := commands.NewHandler(store).EraseCustomer(ctx, *customer, *reason, commands.Meta{Actor: *actor})
	if err != nil {
		return fmt.Errorf("erase %s: %w", *customer, err)
	}
	if err := catchUpReadModels(ctx, store, *data); err != nil {
		return fmt.Errorf("erase %s: erased in the ledger, but the read models were not updated (they will be when the server starts): %w", *customer, err)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Customer string `json:"customer"`
		Position uint64 `json:"position"`
	}{*customer, res.Position})
}

// catchUpReadModels applies the ledger's new events to the read models in
// dir, as the server would, and returns once they reached the head.
func catchUpReadModels(ctx context.Context, store eventstore.Store, dir string) error {
	head, err := store.HeadPosition(ctx)
	if err != nil {
		return err
	}
	db, err := projections.OpenReadDB(ctx, filepath.Join(dir, readModelsFile))
	if err != nil {
		return err
	}
	defer db.Close()
	runner := projections.NewRunner(store, db, slog.Default(), projections.Standard()...)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- runner.RunOnce(runCtx) }()
	reached := make(chan error, 1)
	go func() { reached <- runner.WaitFor(runCtx, head) }()
	select {
	case err := <-reached:
		stop()
		<-ran
		return err
	case err := <-ran:
		if err == nil {
			err = fmt.Errorf("the projections stopped at %d, before %d", runner.Position(), head)
		}
		return err
	}
}
