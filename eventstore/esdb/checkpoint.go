package esdb

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// Checkpoint is a singleton follower's position (follow.Checkpoint) kept
// in the shared store, so that the node that takes its lease over starts
// where the last leader got to: the system stream
// $ledger-checkpoint-<name>, whose newest event holds the position.
// Followers save at most once a second while events stream in.
type Checkpoint struct {
	store  *Store
	stream string
	meta   *sync.Map
}

// checkpointEventType is a checkpoint record's type, a system event type
// (see leaseEventType).
const checkpointEventType = "$ledger-checkpoint"

type checkpointRecord struct {
	Position uint64 `json:"position"`
}

// Checkpoint returns the shared checkpoint called name.
func (s *Store) Checkpoint(name string) Checkpoint {
	return Checkpoint{store: s, stream: CheckpointStream(name), meta: &s.coordinated}
}

// CheckpointStream is the system stream of the checkpoint called name.
func CheckpointStream(name string) string { return "$ledger-checkpoint-" + name }

// Load implements follow.Checkpoint.
func (c Checkpoint) Load(ctx context.Context) (uint64, bool, error) {
	tail, err := c.store.systemTail(ctx, c.stream)
	if err != nil || tail == nil {
		return 0, false, err
	}
	var rec checkpointRecord
	if err := json.Unmarshal(tail.Data, &rec); err != nil {
		return 0, false, fmt.Errorf("checkpoint %s: revision %d: %w", c.stream, tail.EventNumber, err)
	}
	return rec.Position, true, nil
}

// Save implements follow.Checkpoint.
func (c Checkpoint) Save(ctx context.Context, pos uint64) error {
	data, err := json.Marshal(checkpointRecord{Position: pos})
	if err != nil {
		return err
	}
	c.store.keepNewest(ctx, c.meta, c.stream)
	_, err = c.store.systemAppend(ctx, c.stream, client.Any{}, checkpointEventType, data)
	return err
}
