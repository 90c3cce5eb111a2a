package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/interactionledger/ledger/eventstore/datakeys"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/eventstore/replica"
	"github.com/interactionledger/ledger/internal/s3spec"
)

// replicateEnv is --replicate's environment variable.
const replicateEnv = "LEDGER_REPLICATE"

// replicaComponent ships the ledger continuously to an S3 replica
// (eventstore/replica) with --replicate: the events as stored and, on an
// encrypted ledger, the wrapped data keys and erasures. Only the node
// holding the singletons' lease ships, so the nodes of a shared ledger do
// not race on the replica.
type replicaComponent struct {
	spec  string
	every time.Duration
}

func newReplicaComponent() serveComponent { return &replicaComponent{} }

func (c *replicaComponent) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.spec, "replicate", envOr(replicateEnv, ""), "replicate the ledger continuously to s3://bucket/prefix?endpoint=host:port[&region=...&secure=false], credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (env "+replicateEnv+"; empty: no replica); `ledger restore --from s3://...` restores from it")
	fs.DurationVar(&c.every, "replicate-every", replica.DefaultEvery, "with --replicate: how often new events are shipped (the recovery point is about this plus one upload)")
}

func (c *replicaComponent) start(core *serveCore, _ offers) error {
	if c.spec == "" {
		return nil
	}
	if c.every <= 0 {
		return &exitError{code: 2, err: errors.New("--replicate-every must be positive")}
	}
	target, err := replica.Open(core.ctx, c.spec)
	if err != nil {
		if errors.Is(err, s3spec.ErrCredentials) {
			err = fmt.Errorf("%w; check %s and %s", err, s3spec.EnvAccessKey, s3spec.EnvSecretKey)
		}
		return fmt.Errorf("--replicate: %w", err)
	}
	var keys *datakeys.Store
	if encrypted(core.dataDir) {
		// The rows only, wrapped: the replicator never needs the master key.
		if keys, err = datakeys.Open(core.ctx, filepath.Join(core.dataDir, dataKeysFile), nil); err != nil {
			return fmt.Errorf("--replicate: %w", err)
		}
	}
	r, err := replica.New(core.rawStore, target, replica.Options{Every: c.every, Keys: keys, Registerer: core.registry,
		Stopping: func() bool { return core.ctx.Err() != nil }})
	if err != nil {
		if keys != nil {
			_ = keys.Close()
		}
		return err
	}
	slog.Info("replicating the ledger", "to", target.String(), "every", c.every, "data_keys", keys != nil)
	core.goRun(func() {
		if keys != nil {
			defer keys.Close()
		}
		follow.Lead(core.ctx, core.lease, "replica", core.followMetrics, slog.Default(), func(held context.Context) {
			if err := r.Run(held); errors.Is(err, replica.ErrDiverged) {
				<-held.Done() // retrying cannot mend it; Run logged why
			}
		})
	})
	return nil
}
