// Package limit bounds what one source may send the ledger: keyed token
// buckets (per client address, per identity) and per-key concurrency
// counts, with bounded memory. Every inbound channel uses it at its edge,
// before anything reaches the ledger.
package limit

import (
	"container/list"
	"fmt"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/interactionledger/ledger/domain"
)

// DefaultMaxKeys bounds how many keys a Limiter or Counter remembers.
const DefaultMaxKeys = 100_000

// Rate is a sustained rate with a burst. A zero PerSecond means no limit.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Unlimited reports whether r limits nothing.
func (r Rate) Unlimited() bool { return r.PerSecond <= 0 }

// String formats r as the flags take it: "10/s:20" (rate per second and
// burst), "off" when unlimited.
func (r Rate) String() string {
	if r.Unlimited() {
		return "off"
	}
	return fmt.Sprintf("%g/s:%d", r.PerSecond, r.Burst)
}

// ParseRate reads "<n>/s", "<n>/m" or "<n>/h", optionally followed by
// ":<burst>" (default: the rate per second rounded up, at least 1), or
// "off" (also "0" or "") for no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" || s == "" {
		return Rate{}, nil
	}
	bad := fmt.Errorf("rate %q: want <n>/s, <n>/m or <n>/h, optionally :<burst>, or off", s)
	body, burstText, hasBurst := strings.Cut(s, ":")
	num, unit, ok := strings.Cut(body, "/")
	per := map[string]float64{"s": 1, "m": 60, "h": 3600}[unit]
	n, err := strconv.ParseFloat(num, 64)
	if !ok || per == 0 || err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return Rate{}, bad
	}
	if n == 0 {
		return Rate{}, nil
	}
	r := Rate{PerSecond: n / per, Burst: max(1, int(math.Ceil(n/per)))}
	if hasBurst {
		burst, err := strconv.Atoi(burstText)
		if err != nil || burst < 1 {
			return Rate{}, bad
		}
		r.Burst = burst
	}
	return r, nil
}

// Error refuses a request for coming too often; RetryAfter says when the
// same source may try again.
type Error struct {
	What       string // what was limited, e.g. "messages from this address"
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("too many %s; try again in %ss", e.What, RetryAfterSeconds(e.RetryAfter))
}

// Unwrap gives the error its domain code, ELIMITED, so every edge maps it
// like the domain's own refusals.
func (e *Error) Unwrap() error { return &domain.Error{Code: domain.ELIMITED, Message: e.Error()} }

// RetryAfterSeconds formats d as a Retry-After value: whole seconds,
// rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) string {
	return fmt.Sprint(max(1, int64(math.Ceil(d.Seconds()))))
}

// Limiter holds one token bucket per key. Keys idle long enough for their
// bucket to fill again are forgotten (they would pass anyway); when more
// than MaxKeys are busy, the least recently seen one is forgotten, never
// all of them at once.
type Limiter struct {
	rate    Rate
	what    string
	maxKeys int
	now     func() time.Time

	mu    sync.Mutex
	keys  map[string]*list.Element
	order *list.List // of *bucket, most recently seen first
}

type bucket struct {
	key  string
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter returns a Limiter allowing r per key; what names the limited
// thing in refusals ("messages from this address"). maxKeys <= 0 means
// DefaultMaxKeys; now nil means time.Now.
func NewLimiter(r Rate, what string, maxKeys int, now func() time.Time) *Limiter {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{rate: r, what: what, maxKeys: maxKeys, now: now, keys: map[string]*list.Element{}, order: list.New()}
}

// Rate returns the limiter's rate.
func (l *Limiter) Rate() Rate { return l.rate }

// Allow takes one token from key's bucket: nil if there was one, an
// *Error saying when to try again if not. A nil Limiter, an unlimited
// rate and the empty key allow everything.
func (l *Limiter) Allow(key string) error {
	if l == nil || l.rate.Unlimited() || key == "" {
		return nil
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.get(key, now)
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return &Error{What: l.what, RetryAfter: time.Second}
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &Error{What: l.what, RetryAfter: d}
	}
	return nil
}

// Check answers as Allow would for key without taking a token: a limit
// on failures checks before an attempt and takes a token (Allow) only
// when the attempt fails.
func (l *Limiter) Check(key string) error {
	if l == nil || l.rate.Unlimited() || key == "" {
		return nil
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.get(key, now)
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return &Error{What: l.what, RetryAfter: time.Second}
	}
	d := r.DelayFrom(now)
	r.CancelAt(now)
	if d > 0 {
		return &Error{What: l.what, RetryAfter: d}
	}
	return nil
}

// Len returns how many keys are remembered.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

func (l *Limiter) get(key string, now time.Time) *bucket {
	if e, ok := l.keys[key]; ok {
		b := e.Value.(*bucket)
		b.seen = now
		l.order.MoveToFront(e)
		return b
	}
	l.evict(now)
	b := &bucket{key: key, lim: rate.NewLimiter(rate.Limit(l.rate.PerSecond), max(1, l.rate.Burst)), seen: now}
	l.keys[key] = l.order.PushFront(b)
	return b
}

// evict forgets the keys whose buckets are full again (they would pass
// anyway), least recently seen first, and then, if still at the bound, the
// least recently seen one: never everyone at once.
func (l *Limiter) evict(now time.Time) {
	refill := time.Duration(float64(max(1, l.rate.Burst)) / l.rate.PerSecond * float64(time.Second))
	for e := l.order.Back(); e != nil; e = l.order.Back() {
		b := e.Value.(*bucket)
		if len(l.keys) < l.maxKeys && now.Sub(b.seen) < refill {
			return
		}
		l.order.Remove(e)
		delete(l.keys, b.key)
	}
}

// Counter counts what each key holds open (sockets per address) and
// refuses more than Max. Keys holding nothing take no memory.
type Counter struct {
	max  int
	what string

	mu sync.Mutex
	n  map[string]int
}

// NewCounter returns a Counter allowing at most max per key; max <= 0
// means no limit.
func NewCounter(max int, what string) *Counter {
	return &Counter{max: max, what: what, n: map[string]int{}}
}

// Acquire counts one more for key and returns the function that gives it
// back, or an *Error when key already holds Max. A nil Counter allows
// everything.
func (c *Counter) Acquire(key string) (release func(), err error) {
	if c == nil || c.max <= 0 || key == "" {
		return func() {}, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[key] >= c.max {
		return nil, &Error{What: c.what, RetryAfter: 10 * time.Second}
	}
	c.n[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.n[key]--; c.n[key] <= 0 {
				delete(c.n, key)
			}
		})
	}, nil
}

// Held returns how many key holds.
func (c *Counter) Held(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// Sources decides which client addresses are limited and under which key.
type Sources struct {
	// Exempt addresses are never limited (a trusted proxy, a load
	// generator on loopback in benchmarks).
	Exempt []netip.Prefix
}

// ParsePrefixes reads a comma-separated list of addresses and CIDR
// prefixes ("127.0.0.1,10.0.0.0/8,::1").
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", part)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// Key returns the key a client address is limited under: an IPv4 address
// itself, an IPv6 address's /64 (one host or household usually holds a
// whole /64, so limiting single addresses would be no limit at all). It
// returns "" (no limit) for exempt addresses, and the text itself for
// something that is not an address, so it is still limited.
func (s Sources) Key(addr string) string {
	a, err := netip.ParseAddr(hostOf(addr))
	if err != nil {
		return "?" + addr
	}
	a = a.Unmap().WithZone("")
	for _, p := range s.Exempt {
		if p.Contains(a) {
			return ""
		}
	}
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// hostOf strips a port from "host:port" and "[v6]:port".
func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
