package projections

// rowCacheSize bounds each projection's cache of rows kept between batches,
// so that the events of one interaction, which arrive seconds or minutes
// apart, do not each read its row again. What needs to stay is what is
// still in play (open interactions, their queue items and agents, the
// identities writing in): 20,000 rows cover thousands of conversations open
// at once, and at a few hundred bytes a row a full cache is some 8 MiB. A
// cache emptied when full refills from the read model.
const rowCacheSize = 20_000

// boundedMap is a cache that forgets everything when it outgrows its bound:
// it holds immutable facts (which customer an interaction belongs to) that
// can always be read again from the read model, so forgetting is safe and
// far cheaper than LRU bookkeeping on the hot path.
type boundedMap[K comparable, V any] struct {
	max int
	m   map[K]V
}

func newBoundedMap[K comparable, V any](max int) *boundedMap[K, V] {
	return &boundedMap[K, V]{max: max, m: make(map[K]V)}
}

func (b *boundedMap[K, V]) get(k K) (V, bool) {
	v, ok := b.m[k]
	return v, ok
}

func (b *boundedMap[K, V]) put(k K, v V) {
	if len(b.m) >= b.max {
		clear(b.m)
	}
	b.m[k] = v
}

func (b *boundedMap[K, V]) reset() { clear(b.m) }

// deleteFunc forgets the entries for which del returns true.
func (b *boundedMap[K, V]) deleteFunc(del func(K, V) bool) {
	for k, v := range b.m {
		if del(k, v) {
			delete(b.m, k)
		}
	}
}
