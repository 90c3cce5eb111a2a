package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/coordination"
	"github.com/interactionledger/ledger/eventstore/follow"
	"github.com/interactionledger/ledger/policies/routing"
	"github.com/interactionledger/ledger/policies/sla"
)

// defaultLeaseTTL is --lease-ttl: how long a dead leader's singletons wait
// for another node on a shared store.
const defaultLeaseTTL = 10 * time.Second

// singletons is how this node takes part in electing the node that runs
// the singletons (router, SLA timers, wrap-up timer, notifications,
// outbound delivery, QA, a shared analytics back end's sink): on the
// embedded store, by a file lease in --data (the processes of one
// machine); on a shared ledger, by a lease in the shared store's system
// streams (package coordination), with the singletons' checkpoints kept
// there too, so that the node taking over starts where the last leader
// got to. A node that serves the ledger to others (--esdb-listen) uses
// its endpoint's system streams, so it takes part in the same election.
type singletons struct {
	lease follow.Lease
	// shared holds leases and checkpoints; nil: --data.
	shared coordination.Streams
	// off: this node never runs the singletons (--singletons=false).
	off bool
	// dir is --data on the embedded store, where a restore from a
	// replica leaves the seeds of the policies with state (seedFile).
	dir string
}

// noSingletons is the election of a node that stays out of it: a store
// host or a read-only API node.
func noSingletons() singletons { return singletons{lease: neverLease{}, off: true} }

// neverLease is never granted: the singletons wait until shutdown.
type neverLease struct{}

func (neverLease) Acquire(ctx context.Context, _ string) (context.Context, func(), error) {
	<-ctx.Done()
	return nil, nil, ctx.Err()
}

// localSingletons elects among the processes that open dataDir.
func localSingletons(dataDir string) singletons {
	return singletons{lease: follow.FileLease{Dir: dataDir}, dir: dataDir}
}

// sharedSingletons elects among the nodes that share streams.
func sharedSingletons(streams coordination.Streams, ttl time.Duration) singletons {
	node := nodeName()
	slog.Info("singletons elected by a lease in the shared store", "node", node, "ttl", ttl)
	return singletons{lease: coordination.NewLease(streams, node, ttl), shared: streams}
}

// singletonsFor picks the election for store: shared when the store can
// hold coordination streams (EventStoreDB, another ledger's endpoint).
func singletonsFor(store eventstore.Store, dataDir string, ttl time.Duration) singletons {
	if streams, ok := store.(coordination.Streams); ok {
		return sharedSingletons(streams, ttl)
	}
	return localSingletons(dataDir)
}

// nodeName names this process among the nodes: host, process and a
// random part (a restarted process is another node).
func nodeName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "node"
	}
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), uuid.NewString()[:8])
}

// checkpoint returns where the singleton called name keeps its position:
// local (a file in --data) on the embedded store; else in the shared
// store, starting from local the first time (a single node that grows
// into several keeps its place).
func (s singletons) checkpoint(name string, local follow.Checkpoint) follow.Checkpoint {
	if s.shared == nil {
		return local
	}
	return follow.Seeded{Checkpoint: coordination.NewCheckpoint(s.shared, name), Seed: local}
}

// origin returns where a singleton with state of its own (SLA clocks,
// wrap-up timer) shares the position it first started at with the other
// nodes (follow.FirstPosition); nil on the embedded store.
func (s singletons) origin(name string) follow.Checkpoint {
	if s.shared == nil {
		return s.seed(name + originSeedSuffix)
	}
	return coordination.NewCheckpoint(s.shared, name+"-origin")
}

// wrapUpStandby makes every node of a shared ledger keep the wrap-up
// schedule, so that the one taking the lease over fires at once.
func (s singletons) wrapUpStandby() routing.WrapUpOption {
	if s.shared == nil {
		return func(*routing.WrapUp) {}
	}
	return routing.WithWrapUpStandby()
}

// slaHandover hands the SLA policy over between the nodes of a shared
// ledger (sla.WithHandover), through a checkpoint in the shared store.
func (s singletons) slaHandover() sla.Option {
	if s.shared == nil {
		if seed := s.seed(slaHandoverSeed); seed != nil {
			return sla.WithHandover(seed)
		}
		return func(*sla.Runner) {}
	}
	return sla.WithHandover(coordination.NewCheckpoint(s.shared, "sla-handover"))
}

// Seeds a restore from a replica leaves in --data (seedFollowersAfterReplica):
// a replica holds the ledger but not the policies' state files.
const (
	originSeedSuffix = "-origin.checkpoint" // where a policy's first start begins
	slaHandoverSeed  = "sla-handover.checkpoint"
)

// seed returns the checkpoint file name in --data when it exists, else
// nil: without a restore's seed, a policy's first start is at the head.
func (s singletons) seed(name string) follow.Checkpoint {
	if s.dir == "" {
		return nil
	}
	path := filepath.Join(s.dir, name)
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	return follow.FileCheckpoint(path)
}
