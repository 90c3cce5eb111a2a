package follow

import (
	"context"
	"sync"

	"github.com/interactionledger/ledger/eventstore"

	"github.com/interactionledger/ledger/eventstore/filecheckpoint"
)

// Delivery says who stores a follower's checkpoint, and so what the
// consumer's effects must be.
type Delivery int

const (
	// ExactlyOnce: the consumer stores the position of the last event it
	// handled atomically with its effect (the read models' checkpoint
	// table, the analytics back end's, the SLA policy's state file), so
	// an event's effect happens once however the follower stops. The
	// follower only loads the checkpoint.
	ExactlyOnce Delivery = iota
	// AtLeastOnce: the follower saves the checkpoint after the consumer
	// handled a batch: at most once per Config.FlushAfter while batches
	// stream in, when the feed goes quiet, and when the run ends. A crash
	// hands the consumer the batches since the last save again, so its
	// effects must be idempotent (appends with idempotency keys derived
	// from the event, say).
	AtLeastOnce
	// AtLeastOnceAsync: the consumer's effects finish after Handle
	// returns (deliveries on concurrent lanes), so the consumer saves the
	// checkpoint itself as they settle, never past an unsettled one. Its
	// effects must be idempotent, as with AtLeastOnce.
	AtLeastOnceAsync
)

// Checkpoint is where a follower's position is kept.
type Checkpoint interface {
	// Load returns the position of the last event handled; found is false
	// on a first start.
	Load(ctx context.Context) (pos uint64, found bool, err error)
	// Save records pos as handled. With ExactlyOnce the consumer does this
	// itself and the follower calls Save only for a first start's
	// position (StartAtHead).
	Save(ctx context.Context, pos uint64) error
}

// FileCheckpoint keeps the position in a small text file, replaced
// atomically (see eventstore/filecheckpoint).
type FileCheckpoint string

// Load implements Checkpoint.
func (f FileCheckpoint) Load(context.Context) (uint64, bool, error) {
	return filecheckpoint.Read(string(f))
}

// Save implements Checkpoint.
func (f FileCheckpoint) Save(_ context.Context, pos uint64) error {
	return filecheckpoint.Write(string(f), pos)
}

// MemoryCheckpoint keeps the position in memory: a follower whose work
// need not survive a restart (the subscription hub), or a test's. The
// zero value has no position yet.
type MemoryCheckpoint struct {
	mu    sync.Mutex
	pos   uint64
	found bool
}

// Load implements Checkpoint.
func (m *MemoryCheckpoint) Load(context.Context) (uint64, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pos, m.found, nil
}

// Save implements Checkpoint.
func (m *MemoryCheckpoint) Save(_ context.Context, pos uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pos, m.found = pos, true
	return nil
}

// CheckpointFuncs adapts a consumer's own load and save (of a checkpoint
// it keeps with its effect) to Checkpoint.
type CheckpointFuncs struct {
	LoadFunc func(ctx context.Context) (uint64, bool, error)
	SaveFunc func(ctx context.Context, pos uint64) error
}

// Load implements Checkpoint.
func (c CheckpointFuncs) Load(ctx context.Context) (uint64, bool, error) { return c.LoadFunc(ctx) }

// Save implements Checkpoint; without a SaveFunc it does nothing.
func (c CheckpointFuncs) Save(ctx context.Context, pos uint64) error {
	if c.SaveFunc == nil {
		return nil
	}
	return c.SaveFunc(ctx, pos)
}

// Seeded is a checkpoint that starts from another: Load returns Seed's
// position until Checkpoint has one of its own; Save saves to Checkpoint.
// A checkpoint moved (from a node's file into the shared store, say)
// keeps its place.
type Seeded struct {
	Checkpoint Checkpoint
	Seed       Checkpoint
}

// Load implements Checkpoint.
func (s Seeded) Load(ctx context.Context) (uint64, bool, error) {
	pos, found, err := s.Checkpoint.Load(ctx)
	if err != nil || found || s.Seed == nil {
		return pos, found, err
	}
	return s.Seed.Load(ctx)
}

// Save implements Checkpoint.
func (s Seeded) Save(ctx context.Context, pos uint64) error { return s.Checkpoint.Save(ctx, pos) }

// FirstPosition is where a consumer with state of its own (the SLA
// clocks, the wrap-up timer) starts the first time it runs on this node
// without history: the position origin holds, which is where it first
// started on any node sharing the ledger, so that every node's state
// covers the same history and a node taking the lease over knows every
// clock; else the ledger's head, then saved to origin. A nil origin
// (one node): the head.
func FirstPosition(ctx context.Context, store eventstore.Store, origin Checkpoint) (uint64, error) {
	if origin != nil {
		pos, found, err := origin.Load(ctx)
		if err != nil || found {
			return pos, err
		}
	}
	head, err := store.HeadPosition(ctx)
	if err != nil || origin == nil {
		return head, err
	}
	return head, origin.Save(ctx, head)
}
