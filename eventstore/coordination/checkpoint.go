package coordination

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/interactionledger/ledger/eventstore"
)

// Checkpoint is a singleton follower's position (follow.Checkpoint) kept
// in the shared store, so that the node that takes its lease over starts
// where the last leader got to: the system stream
// $ledger-checkpoint-<name>, whose newest event holds the position.
// Followers save at most once a second while events stream in.
type Checkpoint struct {
	streams Streams
	stream  string
}

// CheckpointEventType is a checkpoint record's type: a system event
// type, so that EventStoreDB's system-event filter keeps it out of every
// $all read.
const CheckpointEventType = "$ledger-checkpoint"

type checkpointRecord struct {
	Position uint64 `json:"position"`
}

// NewCheckpoint returns the shared checkpoint called name.
func NewCheckpoint(streams Streams, name string) Checkpoint {
	return Checkpoint{streams: streams, stream: CheckpointStream(name)}
}

// CheckpointStream is the system stream of the checkpoint called name.
func CheckpointStream(name string) string { return "$ledger-checkpoint-" + name }

// Load implements follow.Checkpoint.
func (c Checkpoint) Load(ctx context.Context) (uint64, bool, error) {
	last, found, err := c.streams.Last(ctx, c.stream)
	if err != nil || !found {
		return 0, false, err
	}
	var rec checkpointRecord
	if err := json.Unmarshal(last.Data, &rec); err != nil {
		return 0, false, fmt.Errorf("checkpoint %s: version %d: %w", c.stream, last.Version, err)
	}
	return rec.Position, true, nil
}

// Save implements follow.Checkpoint.
func (c Checkpoint) Save(ctx context.Context, pos uint64) error {
	data, err := json.Marshal(checkpointRecord{Position: pos})
	if err != nil {
		return err
	}
	_, err = c.streams.Put(ctx, c.stream, eventstore.Any, CheckpointEventType, data)
	return err
}
