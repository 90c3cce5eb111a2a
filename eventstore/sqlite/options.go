package sqlite

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults for the options. DefaultStreamCacheSize matches the command
// layer's aggregate cache (50,000 streams): the streams being written to
// are the ones whose heads the writer checks; at some 130 bytes a head in
// each of two maps, a full cache is about 13 MiB.
const (
	DefaultMaxBatchEvents  = 10_000
	DefaultStreamCacheSize = 50_000
	DefaultReadConns       = 4
	defaultQueueLen        = 4096
)

// Option configures Open.
type Option func(*config)

type config struct {
	clock           func() time.Time
	logger          *slog.Logger
	maxBatchEvents  int
	streamCacheSize int
	readConns       int
	registerer      prometheus.Registerer
	soleWriter      bool
	// beforeCommit, if set, runs before each COMMIT; an error fails the
	// batch. Tests use it to inject I/O failures.
	beforeCommit func() error
	// afterInsert, if set, runs after each round of inserts, before the
	// writer looks for late requests. Tests use it to make some.
	afterInsert func()
}

func newConfig(opts []Option) config {
	c := config{
		clock:           time.Now,
		logger:          slog.Default(),
		maxBatchEvents:  DefaultMaxBatchEvents,
		streamCacheSize: DefaultStreamCacheSize,
		readConns:       DefaultReadConns,
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithClock sets the clock that stamps recorded_at (default time.Now). The
// store never lets recorded_at go backwards: if the clock does, events are
// stamped with the latest time already recorded.
func WithClock(clock func() time.Time) Option {
	return func(c *config) {
		if clock != nil {
			c.clock = clock
		}
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithMaxBatchEvents bounds how many events one group commit writes
// (default DefaultMaxBatchEvents). A single append larger than the bound
// is still written, alone, in one transaction.
func WithMaxBatchEvents(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBatchEvents = n
		}
	}
}

// WithStreamCacheSize bounds the number of stream heads kept in memory for
// expected-version checks (default DefaultStreamCacheSize). When the cache
// outgrows it, it is emptied and refills from the database on demand.
func WithStreamCacheSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.streamCacheSize = n
		}
	}
}

// WithReadConns sets the size of the read-only connection pool (default
// DefaultReadConns).
func WithReadConns(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.readConns = n
		}
	}
}

// WithRegisterer registers the store's Prometheus metrics with r. Without
// it the store records no metrics.
func WithRegisterer(r prometheus.Registerer) Option {
	return func(c *config) { c.registerer = r }
}

// WithSoleWriter makes the store the only writer of its file for as long
// as it is open: Open fails with ErrWriterLocked while another process
// has the file open for writing, and other stores' appends fail with it
// until this one closes. In return, it answers from memory a stream read
// that starts past the stream's last committed version, and ReadAll of
// the newest events (the last 16,384, or 32 MiB), where every follower of
// the log reads. A server that owns its data directory opens its ledger
// this way.
func WithSoleWriter() Option {
	return func(c *config) { c.soleWriter = true }
}
