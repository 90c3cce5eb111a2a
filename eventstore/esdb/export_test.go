package esdb

import (
	"context"
	"encoding/json"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// ForceLeaseRecord appends node's record to the lease called name without
// expecting any revision, as a node that lost track of the lease would.
func ForceLeaseRecord(ctx context.Context, s *Store, name, node string) error {
	data, err := json.Marshal(leaseRecord{Node: node, TTLMillis: 3600_000})
	if err != nil {
		return err
	}
	_, err = s.systemAppend(ctx, LeaseStream(name), client.Any{}, leaseEventType, data)
	return err
}
