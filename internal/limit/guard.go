package limit

import (
	"net/netip"
	"time"
)

// Guard is one channel's rate limits on what it appends: per source
// address and per identity (the customer the message claims to be from).
// Requests from an exempt address are not limited at all. A nil Guard, or
// a nil limiter in it, limits nothing.
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
	// Exempt addresses are never limited, per source or per identity
	// (a load generator, a trusted gateway that limits on its own).
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

// Identity takes a token for the identity key (e.g. "PHONE:+86...") of a
// message from the client address addr; nothing for an exempt addr.
func (g *Guard) Identity(addr, key string) error {
	if g == nil || g.Sources.Key(addr) == "" {
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
