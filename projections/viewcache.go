package projections

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/interactionledger/ledger/domain"
	"github.com/prometheus/client_golang/prometheus"
)

// viewCache keeps what the agent's screen pop reads (who holds an
// identity, a customer's stored profile, the first page of a timeline) so
// that a repeated screen pop costs no SQL, and forgets an entry as soon as
// the runner commits a change to anything it was read from.
//
// Staleness is decided by epochs, not by deleting entries. The runner
// counts its committed batches (epoch) and, for every key a batch touched
// (a stream, or a customer or identity an event names; see viewKeys),
// records the batch's epoch, after the batch's commit and before it
// publishes the batch's position. A reader takes the epoch before its
// read begins (a snapshot's epoch when the read is part of one: see
// readSnapshot) and stores what it read with that epoch and the keys the
// read depended on. An entry is served only while none of its keys was
// touched by a later epoch: a commit the read may have missed was marked
// after the read's epoch was taken, so with a later one. So a hit is never older than the last commit
// that changed it, and whoever waited for a position (READ_YOUR_WRITES)
// finds every entry older than that position's batch already void.
//
// The keys are stream ids (a stream's name after its category): every
// event names its own stream, and the streams that feed a customer's
// views are named by the ids of the customer, its interactions and its
// tickets (customer-<id>; interaction-, delivery-, qa-, sla-<interaction
// id>; ticket-, sla-<ticket id>). Beyond its own stream an event touches
// what its data names: the customer an interaction or ticket begins for,
// both sides of a merge, an erasure's customers and the identities a link
// moves (see viewKeys). An id shared by unrelated streams only voids more
// than it must.
//
// The cache trusts that this process's runner is the only writer of the
// read database (each node keeps its own); when the runner finds otherwise
// it clears the cache.
type viewCache struct {
	mu    sync.Mutex
	epoch uint64 // batches committed, plus clears
	// floor voids every entry taken before it (a clear).
	floor   uint64
	touched map[string]uint64 // key -> epoch of the last batch that touched it

	identities boundedViews[identityKeyT, string]
	customers  boundedViews[string, Customer]
	timelines  boundedViews[timelineKey, TimelinePage]

	// lookups counts hits and misses by view (RegisterMetrics).
	lookups *prometheus.CounterVec
}

type identityKeyT struct{ kind, value string }

type timelineKey struct {
	customer string
	first    int
}

// Bounds: a contact centre's hot set is the customers in contact now and
// lately; the bounds keep the cache's memory small (a timeline page is a
// few KiB) on a ledger of millions of customers.
const (
	maxCachedViews   = 20_000
	maxTouchedKeys   = 200_000
	timelineCacheMax = 50 // larger first pages are read, not cached
)

func newViewCache() *viewCache {
	lookups := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ledger_view_cache_lookups_total",
		Help: "Reads of the screen pop's views, by view (identity, customer, timeline) and result (hit: served from the view cache, no SQL; miss: read from the read models).",
	}, []string{"view", "result"})
	return &viewCache{
		touched:    make(map[string]uint64),
		identities: newBoundedViews[identityKeyT, string]("identity", lookups, maxCachedViews),
		customers:  newBoundedViews[string, Customer]("customer", lookups, maxCachedViews),
		timelines:  newBoundedViews[timelineKey, TimelinePage]("timeline", lookups, maxCachedViews),
		lookups:    lookups,
	}
}

// view is a cached read: the value, the epoch taken before it was read,
// and the keys it was read from.
type view[V any] struct {
	val   V
	epoch uint64
	deps  []string
}

// boundedViews holds at most max views; when full, a put evicts one entry
// at random (map iteration order), which keeps the hit rate of a hot set
// larger than the bound proportional instead of emptying the cache.
type boundedViews[K comparable, V any] struct {
	max          int
	m            map[K]view[V]
	hits, misses prometheus.Counter
}

func newBoundedViews[K comparable, V any](name string, lookups *prometheus.CounterVec, max int) boundedViews[K, V] {
	return boundedViews[K, V]{max: max, m: make(map[K]view[V]),
		hits: lookups.WithLabelValues(name, "hit"), misses: lookups.WithLabelValues(name, "miss")}
}

// currentEpoch is the epoch a read about to begin must record.
func (c *viewCache) currentEpoch() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

// fresh reports whether v may be served: taken after the last clear, and
// none of its keys touched since.
func (c *viewCache) fresh(epoch uint64, deps []string) bool {
	if epoch < c.floor {
		return false
	}
	for _, k := range deps {
		if c.touched[k] > epoch {
			return false
		}
	}
	return true
}

func getView[K comparable, V any](c *viewCache, b *boundedViews[K, V], key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := b.m[key]
	if !ok || !c.fresh(v.epoch, v.deps) {
		b.misses.Inc()
		var zero V
		return zero, false
	}
	b.hits.Inc()
	return v.val, true
}

// putView stores a read taken at epoch, unless it is already void or an
// entry read later is there.
func putView[K comparable, V any](c *viewCache, b *boundedViews[K, V], key K, val V, epoch uint64, deps []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fresh(epoch, deps) {
		return
	}
	if old, ok := b.m[key]; ok && old.epoch > epoch && c.fresh(old.epoch, old.deps) {
		return
	}
	if _, ok := b.m[key]; !ok && len(b.m) >= b.max {
		for k := range b.m {
			delete(b.m, k)
			break
		}
	}
	b.m[key] = view[V]{val: val, epoch: epoch, deps: deps}
}

// commit records a committed batch of events. It must run after the
// batch's commit and before its position is published.
func (c *viewCache) commit(events []Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	if c.empty() || len(c.touched) > maxTouchedKeys {
		c.clearLocked() // cheaper than marking keys nobody reads
		return
	}
	for _, e := range events {
		viewKeys(e, func(k string) { c.touched[k] = c.epoch })
	}
}

// clear voids every entry, and every read in flight.
func (c *viewCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
}

func (c *viewCache) clearLocked() {
	c.epoch++
	c.floor = c.epoch
	clear(c.touched)
	clear(c.identities.m)
	clear(c.customers.m)
	clear(c.timelines.m)
}

func (c *viewCache) empty() bool {
	return len(c.identities.m) == 0 && len(c.customers.m) == 0 && len(c.timelines.m) == 0
}

// Keys of what a view is read from, beyond streams.
func identityViewKey(id domain.Identity) string {
	return "identity\x00" + string(id.Kind) + "\x00" + id.Value
}

// viewKeys calls add with every key e changes: its own stream, and what
// its data names in other streams' read models.
func viewKeys(e Event, add func(string)) {
	add(streamID(e.Stream))
	customer := func(id string) {
		if id != "" {
			add(id)
		}
	}
	identities := func(ids []domain.Identity) {
		for _, id := range ids {
			add(identityViewKey(id))
		}
	}
	switch d := e.Data.(type) {
	case domain.InteractionStarted:
		customer(d.CustomerID)
	case domain.TicketOpened:
		customer(d.CustomerID)
	case domain.IdentityLinked:
		customer(d.CustomerID)
		identities([]domain.Identity{d.Identity})
	case domain.IdentityUnlinked:
		customer(d.CustomerID)
		identities([]domain.Identity{d.Identity})
	case domain.CustomerMerged:
		customer(d.CustomerID)
		customer(d.TargetID)
		identities(d.Identities)
	case domain.CustomerAbsorbed:
		customer(d.CustomerID)
		customer(d.SourceID)
		identities(d.Identities)
	case domain.CustomerMergeUndone:
		customer(d.CustomerID)
		customer(d.TargetID)
	case domain.CustomerReleased:
		customer(d.CustomerID)
		customer(d.SourceID)
		identities(d.Identities)
	case domain.CustomerErased:
		customer(d.CustomerID)
		for _, s := range d.Sources {
			customer(s)
		}
	}
}

// streamID is a stream's name after its category ("customer-42" -> "42").
func streamID(stream string) string {
	if _, id, ok := strings.Cut(stream, "-"); ok {
		return id
	}
	return stream
}

// customerViewDeps are the keys a customer's stored profile is read from.
func customerViewDeps(id string) []string { return []string{id} }

// identityViewDeps are the keys an identity lookup that found customer is
// read from: the identity (links, merges) and the customer (an erasure
// removes its identities).
func identityViewDeps(id domain.Identity, customer string) []string {
	return []string{identityViewKey(id), customer}
}

// groupViewDeps reads the keys a merge group's timeline is read from: the
// ids of its customers (merges, new interactions and tickets), and of
// their interactions and tickets (every stream about them).
func groupViewDeps(ctx context.Context, q querier, group []string) ([]string, error) {
	in := placeholders(len(group))
	args := append(anys(group), anys(group)...)
	rows, err := q.QueryContext(ctx, `SELECT id FROM interactions WHERE customer_id IN (`+in+`)
		UNION ALL SELECT id FROM tickets WHERE customer_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("streams of %v: %w", group, err)
	}
	defer rows.Close()
	deps := slices.Clone(group)
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("streams of %v: %w", group, err)
		}
		deps = append(deps, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("streams of %v: %w", group, err)
	}
	return slices.Clip(deps), nil
}
