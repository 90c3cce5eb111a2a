package sqlite

// streamHead is a stream's number (streams.id), last version and hash; id 0
// when the stream has no streams row yet, version -1 (and no hash) when it
// has no events.
type streamHead struct {
	id      int64
	version int64
	hash    string
}

var noStream = streamHead{version: -1}

// headCache holds committed stream heads, including known-empty streams.
// Only the writer goroutine touches it. It is bounded by emptying it when
// it grows past max; misses are reloaded from the database.
type headCache struct {
	max   int
	heads map[string]streamHead
}

func newHeadCache(max int) *headCache {
	return &headCache{max: max, heads: make(map[string]streamHead)}
}

func (c *headCache) get(stream string) (streamHead, bool) {
	h, ok := c.heads[stream]
	return h, ok
}

func (c *headCache) put(stream string, h streamHead) { c.heads[stream] = h }

// trim empties the cache if it has outgrown its bound.
func (c *headCache) trim() {
	if len(c.heads) > c.max {
		c.reset()
	}
}

func (c *headCache) reset() { c.heads = make(map[string]streamHead) }
