package wechat

import (
	"crypto/sha256"
	"sync"
	"time"
)

// replayGuard refuses a signed (timestamp, nonce) that comes back with a
// different body. WeChat's plaintext signature covers only the timestamp
// and nonce, so without it anyone who saw one signed request could post
// any message under that signature while the timestamp is fresh. The same
// body again is a provider retry and passes.
type replayGuard struct {
	mu      sync.Mutex
	window  time.Duration
	maxSize int
	seen    map[string]seenRequest
	order   []string // keys in arrival order, for expiry; order[:head] are gone
	head    int
}

type seenRequest struct {
	body    [32]byte
	expires time.Time
}

func newReplayGuard(window time.Duration, maxSize int) *replayGuard {
	return &replayGuard{window: window, maxSize: maxSize, seen: map[string]seenRequest{}}
}

// admit reports whether a request signed with timestamp and nonce may
// carry body.
func (g *replayGuard) admit(timestamp, nonce string, body []byte, now time.Time) bool {
	key := timestamp + "|" + nonce
	sum := sha256.Sum256(body)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.expire(now)
	if prev, ok := g.seen[key]; ok {
		return prev.body == sum
	}
	g.seen[key] = seenRequest{body: sum, expires: now.Add(g.window)}
	g.order = append(g.order, key)
	return true
}

// expire forgets requests older than the window (their timestamps are
// refused anyway) and the oldest beyond maxSize, leaving room for one.
func (g *replayGuard) expire(now time.Time) {
	for g.head < len(g.order) {
		key := g.order[g.head]
		if len(g.order)-g.head < g.maxSize && now.Before(g.seen[key].expires) {
			break
		}
		delete(g.seen, key)
		g.order[g.head] = ""
		g.head++
	}
	if g.head > len(g.order)/2 { // compact now and then, not on every expiry
		g.order = append(g.order[:0], g.order[g.head:]...)
		g.head = 0
	}
}
