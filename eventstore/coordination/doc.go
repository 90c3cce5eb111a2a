// Package coordination owns how nodes sharing one ledger agree on who
// runs the singletons (router, SLA timers, notifications, outbound
// delivery, QA) and where those keep their positions: a lease and
// checkpoints kept in system streams of the shared store (names starting
// with "$"), outside the ledger and its $all, as EventStoreDB keeps its
// own bookkeeping.
//
// Both work on Streams: the esdb store provides them on EventStoreDB (or
// on another ledger's endpoint), and the endpoint's own system streams
// provide them to the node that serves it.
package coordination

import (
	"context"

	"github.com/interactionledger/ledger/eventstore"
)

// Streams are the stream operations a lease and a checkpoint need.
type Streams interface {
	// Last returns the stream's newest event; found is false when the
	// stream has none.
	Last(ctx context.Context, stream string) (e eventstore.RecordedEvent, found bool, err error)
	// Put appends one event of type typ, if the stream's last version is
	// what expected says (a *eventstore.VersionConflictError if not), and
	// returns its version.
	Put(ctx context.Context, stream string, expected eventstore.ExpectedVersion, typ string, data []byte) (int64, error)
}

// Keep is how many of a coordination stream's newest events are worth
// keeping: a store may drop older ones ($maxCount on EventStoreDB).
const Keep = 100
