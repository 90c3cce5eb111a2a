package analytics

import (
	"fmt"
	"testing"
)

// TestEvictKeepsTheEntitiesChangedLast: past its budget the folder drops
// the entities changed longest ago, of every kind, down to nine tenths of
// the budget, and stops assuming it has seen every stream.
func TestEvictKeepsTheEntitiesChangedLast(t *testing.T) {
	f := newFolder(nil, nil, nil, 100, 10)
	f.seenAll = true
	for i := range 120 { // positions 1..120, the kinds interleaved
		id, pos := fmt.Sprint("e", i), uint64(i+1)
		switch i % 4 {
		case 0:
			f.interactions[id] = &interactionState{pos: pos}
		case 1:
			f.tickets[id] = &ticketState{pos: pos}
		case 2:
			f.reviews[id] = &reviewState{pos: pos}
		default:
			f.customers[id] = &customerState{pos: pos}
		}
	}
	f.evict()
	held := 0
	oldest := uint64(1 << 62)
	for _, m := range []map[string]uint64{positions(f.interactions), positions(f.tickets), positions(f.reviews), positions(f.customers)} {
		held += len(m)
		for _, p := range m {
			oldest = min(oldest, p)
		}
	}
	if held != 90 || oldest != 31 {
		t.Errorf("after evicting: %d entities held, the oldest changed at %d; want 90, the latest (31..120)", held, oldest)
	}
	if f.seenAll {
		t.Error("the folder still assumes it has seen every stream after dropping some")
	}

	f.evict() // within budget now: nothing more goes
	if n := len(f.interactions) + len(f.tickets) + len(f.reviews) + len(f.customers); n != 90 {
		t.Errorf("a second evict within the budget left %d entities, want 90", n)
	}
}

func positions[S folded](m map[string]S) map[string]uint64 {
	out := map[string]uint64{}
	for id, s := range m {
		out[id] = s.lastPosition()
	}
	return out
}
