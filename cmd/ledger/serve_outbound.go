package main

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/interactionledger/ledger/channels/outbound"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// outboundCheckpointFile holds the outbound dispatcher's checkpoint,
// beside the ledger: unlike the read models it must survive a rebuild.
const outboundCheckpointFile = "outbound.checkpoint"

// legacyOutboundFile is the SQLite file the dispatcher kept its checkpoint
// in before it ran on the one follower; a data directory that still has
// it is migrated to outboundCheckpointFile.
const legacyOutboundFile = "outbound.db"

// retiredEmailOutboundFile held the checkpoint of the email channel's own
// dispatcher, before one dispatcher delivered every channel's replies. A
// data directory that still has it is handed over (outbound.Handover).
const retiredEmailOutboundFile = "outbound-email.db"

// outboundComponent runs the one dispatcher that delivers agents' replies
// on every channel a component added a sender for; it records every
// attempt in the ledger and keeps its position in --data/outbound.db.
type outboundComponent struct {
	// The retry schedule and the bound of one attempt: the documented
	// defaults suit providers; a drill against stand-ins shortens them.
	sendTimeout, backoff, maxBackoff time.Duration
	attempts                         int
}

func newOutboundComponent() serveComponent { return &outboundComponent{} }

func (c *outboundComponent) addFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.sendTimeout, "outbound-send-timeout", 30*time.Second, "longest one attempt to hand a reply to its channel's provider may take")
	fs.DurationVar(&c.backoff, "outbound-backoff", 2*time.Second, "wait before the second attempt of a reply that failed; it doubles (with jitter) up to --outbound-max-backoff")
	fs.DurationVar(&c.maxBackoff, "outbound-max-backoff", 5*time.Minute, "longest wait between two attempts of a reply")
	fs.IntVar(&c.attempts, "outbound-attempts", 8, "attempts of a reply before it is given up (recorded as such)")
}

func (c *outboundComponent) start(core *serveCore, o offers) error {
	if len(o.senders) == 0 {
		return nil
	}
	logger := slog.Default().With("component", "outbound")
	local, err := outboundCheckpoint(core.ctx, core.dataDir, logger)
	if err != nil {
		return err
	}
	own := core.singletons.checkpoint("outbound", local)
	cfg := outbound.Config{Store: core.store, Ledger: core.handler, Checkpoints: own, Senders: o.senders, Logger: logger, Registerer: core.registry,
		Lease: core.lease, FollowerMetrics: core.followMetrics,
		SendTimeout: c.sendTimeout, InitialBackoff: c.backoff, MaxBackoff: c.maxBackoff, MaxAttempts: c.attempts}
	if err := takeOverEmailCheckpoint(core, own, &cfg, logger); err != nil {
		return err
	}
	d, err := outbound.New(cfg)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(o.senders))
	for ch := range o.senders {
		names = append(names, string(ch))
	}
	slices.Sort(names)
	logger.Info("outbound delivery of agents' replies", "channels", strings.Join(names, ","))
	core.goRun(func() { runFollower(core.ctx, "outbound", d.Run) })
	return nil
}

// outboundCheckpoint returns the dispatcher's checkpoint file, migrating
// the position from the legacy SQLite file when the data directory has
// one (and then removing it).
func outboundCheckpoint(ctx context.Context, dataDir string, logger *slog.Logger) (follow.Checkpoint, error) {
	own := follow.FileCheckpoint(filepath.Join(dataDir, outboundCheckpointFile))
	legacy := filepath.Join(dataDir, legacyOutboundFile)
	if _, err := os.Stat(legacy); errors.Is(err, fs.ErrNotExist) {
		return own, nil
	}
	if _, found, err := own.Load(ctx); err != nil || found {
		return own, errors.Join(err, removeSQLiteFile(legacy))
	}
	pos, found, err := outbound.ReadLegacyCheckpoint(ctx, legacy, "outbound")
	if err != nil {
		return nil, err
	}
	if found {
		if err := own.Save(ctx, pos); err != nil {
			return nil, err
		}
		logger.Info("outbound checkpoint migrated to its file", "from", legacyOutboundFile, "to", outboundCheckpointFile, "position", pos)
	}
	return own, removeSQLiteFile(legacy)
}

// takeOverEmailCheckpoint hands the retired email dispatcher's position
// over to the shared dispatcher, when --data still has it: the email
// replies it had not settled are sent, nothing is sent twice, and its file
// goes once the shared dispatcher has caught up.
func takeOverEmailCheckpoint(core *serveCore, own follow.Checkpoint, cfg *outbound.Config, logger *slog.Logger) error {
	path := filepath.Join(core.dataDir, retiredEmailOutboundFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	pos, ok, err := outbound.ReadLegacyCheckpoint(core.ctx, path, "email")
	if err != nil {
		return err
	}
	retire := func() error { return removeSQLiteFile(path) }
	if !ok {
		return retire()
	}
	h, err := outbound.NewHandover(core.ctx, own, core.store, pos, []domain.Channel{domain.ChannelEmail}, retire)
	if err != nil || h == nil {
		return err
	}
	logger.Info("taking over email replies from the retired email dispatcher", "from", pos)
	cfg.Checkpoints, cfg.Skip = h, h.Skip
	return nil
}

// removeSQLiteFile removes a database file with its WAL and shared-memory
// files.
func removeSQLiteFile(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
