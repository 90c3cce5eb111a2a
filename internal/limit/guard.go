package limit

import (
	"net/netip"
	"time"
)

// Guard is one channel's rate limits on what it appends: per source
// address and per identity (the customer the message claims to be from).
// A nil Guard, or a nil limiter in it, limits nothing.
type Guard struct {
	Sources     Sources
	PerSource   *Limiter
	PerIdentity *Limiter
}

// GuardConfig configures a Guard.
type GuardConfig struct {
	// PerSource is the rate of requests from one client address (an
	// IPv6 /64); PerIdentity the rate of messages from one identity.
	PerSource, PerIdentity Rate
	// Exempt addresses are never limited per source.
	Exempt []netip.Prefix
	// MaxKeys bounds each limiter's memory (default DefaultMaxKeys).
	MaxKeys int
	Now     func() time.Time
}

// NewGuard returns the Guard cfg describes.
func NewGuard(cfg GuardConfig) *Guard {
	return &Guard{
		Sources:     Sources{Exempt: cfg.Exempt},
		PerSource:   NewLimiter(cfg.PerSource, "requests from this address", cfg.MaxKeys, cfg.Now),
		PerIdentity: NewLimiter(cfg.PerIdentity, "messages from this sender", cfg.MaxKeys, cfg.Now),
	}
}

// Source takes a token for the client address addr ("host:port" or
// "host"): nil, or an *Error.
func (g *Guard) Source(addr string) error {
	if g == nil {
		return nil
	}
	return g.PerSource.Allow(g.Sources.Key(addr))
}

// Identity takes a token for the identity key (e.g. "PHONE:+86...").
func (g *Guard) Identity(key string) error {
	if g == nil {
		return nil
	}
	return g.PerIdentity.Allow(key)
}

// SourceKey is Source for an address already turned into its key (see
// Sources.Key): "" passes.
func (g *Guard) SourceKey(key string) error {
	if g == nil {
		return nil
	}
	return g.PerSource.Allow(key)
}
