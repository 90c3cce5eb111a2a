package esdb

import (
	"bytes"
	"fmt"

	"github.com/interactionledger/ledger/eventstore"
)

// retried checks an append's ids against the stream's newest events
// (tail, newest first). found is true, with the original result, when
// every event is already there as this append would write it, one after
// another; an *eventstore.EventIDConflictError when only some are, or one
// differs. The ledger's endpoint makes the same check against every
// stored id; EventStoreDB itself only against the events after the
// expected revision.
func retried(stream string, events []eventstore.EventData, tail []eventstore.RecordedEvent) (res eventstore.AppendResult, found bool, err error) {
	if len(tail) == 0 {
		return res, false, nil
	}
	byID := make(map[[16]byte]*eventstore.RecordedEvent, len(tail))
	for i := range tail {
		byID[tail[i].ID] = &tail[i]
	}
	var first, last *eventstore.RecordedEvent
	n := 0
	for _, e := range events {
		s, ok := byID[e.ID]
		if !ok {
			continue
		}
		var reason string
		switch {
		case s.Type != e.Type:
			reason = fmt.Sprintf("id already stored with type %s", s.Type)
		case !bytes.Equal(s.Data, e.Data):
			reason = "id already stored with different data"
		case n > 0 && s.Version != first.Version+int64(n):
			reason = "ids already stored, but not as one append in this order"
		}
		if reason != "" {
			return res, false, &eventstore.EventIDConflictError{ID: e.ID, Stream: stream, Reason: reason}
		}
		if n == 0 {
			first = s
		}
		last = s
		n++
	}
	switch {
	case n == 0:
		return res, false, nil
	case n < len(events):
		return res, false, &eventstore.EventIDConflictError{ID: first.ID, Stream: stream,
			Reason: fmt.Sprintf("%d of the append's %d event ids are already stored; an append is all new or an exact retry", n, len(events))}
	}
	return eventstore.AppendResult{FirstPosition: first.Position, LastPosition: last.Position, NextExpectedVersion: last.Version}, true, nil
}
