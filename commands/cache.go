package commands

import (
	"container/list"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/interactionledger/ledger/domain"
)

// The aggregate state cache keeps, per stream, the state a fold produced
// at a version the store confirmed, so that a command reads only the
// events after it. A stream's events never change once written, so an
// entry is at worst behind the stream, never wrong about it: the command
// reads the tail, and the append's expected version still decides. A
// failed append evicts the entry; a restart starts with an empty cache.
// The one exception is an erasure: the events stay, but what their
// personal fields read changes, so it evicts its customers' entries.
//
// The budget is a number of entries (streams), least recently used first
// out. States are small and of bounded size (on the heap, an entry for a
// customer is about 600 bytes, one for an interaction with ten messages
// about 2 KiB; an interaction grows by about 150 bytes a message up to its
// message cap, plus at most maxRememberedIDs ids), so a count bounds the
// memory without sizing every state on every store: the default, 50,000
// entries, is some 30 to 105 MiB. A customer who is writing in keeps four
// streams warm (identity, customer, conversation, interaction), so the
// default holds some 12,000 concurrent conversations with their agents.
//
// Entries are immutable: load and store work on deep copies (the
// aggregate's clone), so nothing a caller does to a state it was handed
// can reach the cache.

// DefaultAggregateCacheEntries is the default budget of the aggregate
// state cache (WithAggregateCache).
const DefaultAggregateCacheEntries = 50000

// maxRememberedIDs bounds how many idempotency-derived event ids (UUID v5)
// an entry remembers, the most recent ones. A retried request with an
// idempotency key is recognised from them; when the id is not among them
// and older ones were dropped, the command loads the whole stream as
// without a cache. That is also the cost of every new key on a stream
// with more derived ids than this, so the bound is above the default cap
// of customer messages on one interaction (1,000, --interaction-max-messages):
// at 40 bytes an id, at most 40 KiB an entry, less than such an
// interaction's own state (it keeps every message id). A variable for the
// tests.
var maxRememberedIDs = 1024

// seenID is an idempotency-derived event id, where it sits in the stream
// and in $all.
type seenID struct {
	id       uuid.UUID
	version  int64
	position uint64
}

// seenIDs are the derived event ids of a stream from version from on
// (from is 0 when every derived id of the stream is known). A seenIDs is
// never changed after it is built: adding returns a new one.
type seenIDs struct {
	ids  []seenID
	from int64
}

// derived reports whether id can be an idempotency-derived id: those are
// name-based (v5); ids made without a key are time-ordered (v7).
func derived(id uuid.UUID) bool { return id.Version() == 5 }

// add returns s with id at version and position added when it is a derived
// id, keeping at most maxRememberedIDs.
func (s seenIDs) add(id uuid.UUID, version int64, position uint64) seenIDs {
	return s.extend([]seenID{{id: id, version: version, position: position}})
}

// extend returns s with the derived ids of more (in version order, after
// s's) added, keeping at most maxRememberedIDs, the latest. It copies s
// once, so that s, which entries may share, stays as it was.
func (s seenIDs) extend(more []seenID) seenIDs {
	n := 0
	for _, x := range more {
		if derived(x.id) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	all := make([]seenID, 0, len(s.ids)+n)
	all = append(all, s.ids...)
	for _, x := range more {
		if derived(x.id) {
			all = append(all, x)
		}
	}
	if drop := len(all) - maxRememberedIDs; drop > 0 {
		s.from = all[drop-1].version + 1
		all = slices.Clone(all[drop:])
	}
	s.ids = all
	return s
}

// find reports where watch sits: its position when found (0 when not), and
// whether the answer is known (false: older ids were dropped, or watch is
// not a derived id, and only a full read can tell).
func (s seenIDs) find(watch uuid.UUID) (position uint64, known bool) {
	for _, x := range slices.Backward(s.ids) {
		if x.id == watch {
			return x.position, x.position != 0
		}
	}
	return 0, s.from == 0 && derived(watch)
}

// cacheEntry is one stream's folded state at version.
type cacheEntry struct {
	stream  string
	state   any // the aggregate's S
	version int64
	ids     seenIDs
}

// stateCache is a least-recently-used map of stream -> cacheEntry. It is
// safe for concurrent use; entries are never changed in place.
type stateCache struct {
	mu      sync.Mutex
	max     int
	order   *list.List // of *cacheEntry, most recent at the front
	entries map[string]*list.Element
	metrics *metrics
}

// newStateCache returns a cache of at most max entries, or nil (no cache)
// when max <= 0. A nil *stateCache is valid and holds nothing.
func newStateCache(max int, m *metrics) *stateCache {
	if max <= 0 {
		return nil
	}
	return &stateCache{max: max, order: list.New(), entries: map[string]*list.Element{}, metrics: m}
}

// get returns stream's entry and marks it recently used.
func (c *stateCache) get(stream string) (*cacheEntry, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[stream]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry), true
}

// put stores e unless the cache holds the stream at a later version
// already (both are true states of the stream; the later saves reads).
func (c *stateCache) put(e *cacheEntry) {
	if c == nil || e.version < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.stream]; ok {
		if el.Value.(*cacheEntry).version > e.version {
			c.order.MoveToFront(el)
			return
		}
		el.Value = e
		c.order.MoveToFront(el)
		return
	}
	c.entries[e.stream] = c.order.PushFront(e)
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.entries, last.Value.(*cacheEntry).stream)
		c.metrics.cacheEvictions.WithLabelValues("budget").Inc()
	}
	c.metrics.cacheEntries.Set(float64(c.order.Len()))
}

// evict drops stream's entry; reason labels the eviction metric.
func (c *stateCache) evict(stream, reason string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[stream]
	if !ok {
		return
	}
	c.order.Remove(el)
	delete(c.entries, stream)
	c.metrics.cacheEvictions.WithLabelValues(reason).Inc()
	c.metrics.cacheEntries.Set(float64(c.order.Len()))
}

// evictCustomers drops the entries of the aggregates that belong to any
// of the customers (their customer, interaction and ticket streams).
func (c *stateCache) evictCustomers(ids map[string]bool, reason string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for stream, el := range c.entries {
		if !ids[customerOfState(el.Value.(*cacheEntry).state)] {
			continue
		}
		c.order.Remove(el)
		delete(c.entries, stream)
		c.metrics.cacheEvictions.WithLabelValues(reason).Inc()
	}
	c.metrics.cacheEntries.Set(float64(c.order.Len()))
}

// customerOfState is the customer whose personal data a cached state
// holds, "" for states of no customer.
func customerOfState(state any) string {
	switch s := state.(type) {
	case domain.Customer:
		return s.ID
	case domain.Interaction:
		return s.CustomerID
	case domain.Ticket:
		return s.CustomerID
	}
	return ""
}

// len returns the number of entries.
func (c *stateCache) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
