package sqlite

import (
	"sync"

	"github.com/interactionledger/ledger/eventstore"
)

// Bounds of a sole writer's recent events: the last 16,384 events or
// 32 MiB of their data, whichever is less. Followers that keep up (the
// read models, the policies, the subscription hub) read within the last
// few seconds of the log.
const (
	recentMaxEvents = 16384
	recentMaxBytes  = 32 << 20
)

// recentEvents is the tail of the log a sole writer committed, in memory,
// safe for concurrent use. Every follower of $all reads each new event
// once, a few milliseconds after its commit: from here that read costs a
// copy instead of a read transaction that re-parses pages every commit
// invalidated. The writer adds each batch after its commit and before it
// is announced, so the tail is gap-free up to the last event anyone was
// told of. The events' Data and Metadata are shared by every reader, who
// must not modify them.
type recentEvents struct {
	mu     sync.RWMutex
	events []eventstore.RecordedEvent // events[off:] are held, in position order
	off    int
	bytes  int
}

// add appends a committed batch's events, which follow the held ones;
// anything else (the first batch, or one after a gap) starts the tail
// anew.
func (r *recentEvents) add(batch []eventstore.RecordedEvent) {
	if len(batch) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if held := r.events[r.off:]; len(held) == 0 || held[len(held)-1].Position+1 != batch[0].Position {
		r.clear()
	}
	for _, e := range batch {
		r.events = append(r.events, e)
		r.bytes += eventBytes(e)
	}
	for len(r.events)-r.off > recentMaxEvents || r.bytes > recentMaxBytes {
		r.bytes -= eventBytes(r.events[r.off])
		r.events[r.off] = eventstore.RecordedEvent{} // let its data go
		r.off++
	}
	if r.off > len(r.events)/2 {
		r.events = append(make([]eventstore.RecordedEvent, 0, 2*(len(r.events)-r.off)), r.events[r.off:]...)
		r.off = 0
	}
}

func eventBytes(e eventstore.RecordedEvent) int {
	return len(e.Data) + len(e.Metadata) + len(e.Stream) + len(e.Type) + len(e.Hash) + len(e.PrevHash)
}

// read returns up to max events after position after, and true, when the
// tail holds every event after it (an empty answer when nothing newer was
// committed); false when the reader is further behind than the tail goes.
func (r *recentEvents) read(after uint64, max int) ([]eventstore.RecordedEvent, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	held := r.events[r.off:]
	if len(held) == 0 || after+1 < held[0].Position {
		return nil, false
	}
	i := int(after + 1 - held[0].Position)
	if i >= len(held) {
		return nil, true
	}
	n := min(max, len(held)-i)
	return append([]eventstore.RecordedEvent(nil), held[i:i+n]...), true
}

// reset forgets the tail: the committed state is uncertain.
func (r *recentEvents) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clear()
}

func (r *recentEvents) clear() {
	r.events, r.off, r.bytes = nil, 0, 0
}
