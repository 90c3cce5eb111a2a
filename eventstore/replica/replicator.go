package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/datakeys"
)

// Defaults of Options.
const (
	DefaultEvery      = time.Second
	DefaultMaxEvents  = 10_000
	DefaultMaxBytes   = 8 << 20
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 30 * time.Second
	// maxKeyObjects is how many key objects pile up before they are
	// folded into one "-full" object: a restore reads them all.
	maxKeyObjects = 64
	// readPage is how many events one read of the store asks for.
	readPage = 1000
)

// Options tune a Replicator; the zero value is the defaults.
type Options struct {
	// Every is how often the replicator ships what is new (DefaultEvery).
	Every time.Duration
	// MaxEvents and MaxBytes (before compression) bound a segment; a
	// full one is shipped at once, without waiting for Every.
	MaxEvents, MaxBytes int
	// Keys is the ledger's data key store; nil for a ledger in clear.
	Keys *datakeys.Store
	// Registerer gets the replicator's metrics; nil: none.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// MinBackoff and MaxBackoff bound the wait after a failed attempt.
	MinBackoff, MaxBackoff time.Duration
	// Stopping reports whether the process is stopping when Run's context
	// ends: only then does Run make its last attempt. When a lease ended
	// it instead, another node ships now, and a late put of this one
	// could take the name of that node's next key object. Nil: always.
	Stopping func() bool
}

func (o Options) withDefaults() Options {
	if o.Every <= 0 {
		o.Every = DefaultEvery
	}
	if o.MaxEvents <= 0 {
		o.MaxEvents = DefaultMaxEvents
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(DefaultMaxBackoff, o.MinBackoff)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Replicator ships a store's recorded events (and its data keys) to a
// Target. It follows the store from the replica's own checkpoint, the last
// position of its segments, found by listing them when it starts.
type Replicator struct {
	store  eventstore.Store
	target *Target
	opts   Options
	log    *slog.Logger

	position atomic.Uint64 // the last position shipped
	resumed  bool
	pending  *pendingSegment // cut, not yet put: retried as it is
	keys     keyShipper
	metrics  *metrics
}

// pendingSegment is a segment cut from the store and not yet put.
type pendingSegment struct {
	name        string
	first, last uint64
	body        []byte
}

// New returns a replicator of store (as stored: on an encrypted ledger,
// the sealed events) to target.
func New(store eventstore.Store, target *Target, opts Options) (*Replicator, error) {
	opts = opts.withDefaults()
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	r := &Replicator{store: store, target: target, opts: opts, log: opts.Logger.With("replica", target.String()), metrics: m}
	r.keys = keyShipper{target: target, store: opts.Keys, changes: -1}
	return r, nil
}

// Position is the last position shipped.
func (r *Replicator) Position() uint64 { return r.position.Load() }

// Run ships what is new every Every (sooner once MaxEvents are waiting)
// until ctx ends, retrying failed attempts with backoff; then it makes one
// last attempt (a few seconds at most), so that a server stopped cleanly
// leaves its last events in the replica. Each Run starts by finding
// where the replica ends, so a node that takes over from another carries
// on after it. It returns nil when ctx ended, or an error that retrying
// cannot mend (ErrDiverged).
func (r *Replicator) Run(ctx context.Context) error {
	// Another node may have shipped since this one last did.
	r.resumed = false
	backoff := r.opts.MinBackoff
	for {
		wait := r.opts.Every
		err := r.Sync(ctx)
		switch {
		case ctx.Err() != nil:
			return r.last(ctx)
		case errors.Is(err, ErrDiverged):
			r.metrics.errors.Inc()
			r.log.Error("replication stopped", "err", err)
			return err
		case err != nil:
			r.metrics.errors.Inc()
			r.log.Warn("replication failed; trying again", "err", err, "in", backoff)
			wait, backoff = backoff, min(2*backoff, r.opts.MaxBackoff)
		default:
			backoff = r.opts.MinBackoff
		}
		if !r.wait(ctx, wait, err == nil) {
			return r.last(ctx)
		}
	}
}

// headPoll is how often a waiting replicator looks whether a full
// segment's worth of events is waiting.
const headPoll = 100 * time.Millisecond

// wait waits d, or less when early is set and MaxEvents are waiting to be
// shipped; false when ctx ended.
func (r *Replicator) wait(ctx context.Context, d time.Duration, early bool) bool {
	deadline := time.Now().Add(d)
	for {
		step := time.Until(deadline)
		if early {
			step = min(step, headPoll)
		}
		if step <= 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(step):
		}
		if !early {
			continue
		}
		if head, err := r.store.HeadPosition(ctx); err == nil && head >= r.Position()+uint64(r.opts.MaxEvents) {
			return true
		}
	}
}

// last is the attempt at shutdown.
func (r *Replicator) last(ctx context.Context) error {
	if r.opts.Stopping != nil && !r.opts.Stopping() {
		r.log.Info("replication handed over: the lease ended", "position", r.Position())
		return nil
	}
	final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.Sync(final); err != nil {
		r.log.Warn("last replication at shutdown failed", "err", err, "position", r.Position())
	}
	return nil
}

// Sync ships everything recorded when it starts: the data keys first, so
// that every shipped event's key is in the replica before the event is.
func (r *Replicator) Sync(ctx context.Context) error {
	if !r.resumed {
		if err := r.resume(ctx); err != nil {
			return err
		}
	}
	// The head before the keys: every event up to it was sealed with a
	// key the key store held before this read of it.
	head, err := r.store.HeadPosition(ctx)
	if err != nil {
		return fmt.Errorf("replicate: head: %w", err)
	}
	r.metrics.lag.Set(float64(head - min(head, r.Position())))
	if r.pending != nil {
		if err := r.putPending(ctx); err != nil {
			return err
		}
	}
	if err := r.keys.ship(ctx, r.log); err != nil {
		return err
	}
	for r.Position() < head {
		r.metrics.lag.Set(float64(head - r.Position()))
		if err := r.cut(ctx, head); err != nil {
			return err
		}
		if err := r.putPending(ctx); err != nil {
			return err
		}
	}
	r.metrics.lag.Set(0)
	return nil
}

// resume finds where the replica ends and checks that it is this
// ledger's: its last event must be the store's at the same position.
func (r *Replicator) resume(ctx context.Context) error {
	segs, err := r.target.segments(ctx)
	if err != nil {
		return err
	}
	if err := r.keys.resume(ctx); err != nil {
		return err
	}
	var last segment
	for _, s := range segs {
		if s.last > last.last {
			last = s
		}
	}
	if last.last > 0 {
		if err := r.checkSameLedger(ctx, last); err != nil {
			return err
		}
	}
	r.position.Store(last.last)
	r.metrics.position.Set(float64(last.last))
	r.pending, r.keys.changes = nil, -1
	r.resumed = true
	r.log.Info("replicating", "from", last.last, "segments", len(segs))
	return nil
}

func (r *Replicator) checkSameLedger(ctx context.Context, last segment) error {
	var replicated eventstore.RecordedEvent
	body, err := r.target.get(ctx, last.name)
	if err != nil {
		return err
	}
	defer body.Close()
	if err := readLines(body, func(w wireEvent) (bool, error) { replicated = w.recorded(); return true, nil }); err != nil {
		return fmt.Errorf("replica: read %s: %w", last.name, err)
	}
	stored, err := r.store.ReadAll(ctx, last.last-1, 1)
	if err != nil {
		return fmt.Errorf("replicate: read position %d: %w", last.last, err)
	}
	if len(stored) == 0 || stored[0].ID != replicated.ID || stored[0].Hash != replicated.Hash {
		return fmt.Errorf("%w: its position %d is not this ledger's (a restored ledger replicates to a new prefix)", ErrDiverged, last.last)
	}
	return nil
}

// cut reads the next segment from the store, up to head and the bounds.
func (r *Replicator) cut(ctx context.Context, head uint64) error {
	lines := newGzipLines()
	after, first, n := r.Position(), uint64(0), 0
	var firstAt time.Time
	for after < head && n < r.opts.MaxEvents && lines.raw < r.opts.MaxBytes {
		page, err := r.store.ReadAll(ctx, after, min(readPage, r.opts.MaxEvents-n, int(head-after)))
		if err != nil {
			return fmt.Errorf("replicate: read after %d: %w", after, err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.Position != after+1 {
				return fmt.Errorf("replicate: the store gave position %d after %d", e.Position, after)
			}
			if first == 0 {
				first, firstAt = e.Position, e.RecordedAt
			}
			if err := lines.add(toWire(e)); err != nil {
				return fmt.Errorf("replicate: encode position %d: %w", e.Position, err)
			}
			after, n = e.Position, n+1
			if lines.raw >= r.opts.MaxBytes {
				break
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("replicate: no events after %d below the head %d", r.Position(), head)
	}
	body, err := lines.bytes()
	if err != nil {
		return fmt.Errorf("replicate: compress: %w", err)
	}
	r.pending = &pendingSegment{name: segmentName(first, after, firstAt), first: first, last: after, body: body}
	return nil
}

func (r *Replicator) putPending(ctx context.Context) error {
	p := r.pending
	if err := r.target.put(ctx, p.name, p.body); err != nil {
		return err
	}
	r.pending = nil
	r.position.Store(p.last)
	r.metrics.position.Set(float64(p.last))
	r.metrics.uploaded.Add(float64(len(p.body)))
	r.metrics.lastUpload.SetToCurrentTime()
	r.log.Debug("replicated", "first", p.first, "last", p.last, "bytes", len(p.body))
	return nil
}

// metrics are the replicator's.
type metrics struct {
	position, lag, lastUpload prometheus.Gauge
	errors, uploaded          prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		position:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "ledger_replica_position", Help: "Last ledger position shipped to the S3 replica."}),
		lag:        prometheus.NewGauge(prometheus.GaugeOpts{Name: "ledger_replica_lag_events", Help: "Events recorded and not yet shipped to the S3 replica, as of the last attempt."}),
		lastUpload: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ledger_replica_last_upload_timestamp_seconds", Help: "When a segment was last put in the S3 replica (Unix seconds)."}),
		errors:     prometheus.NewCounter(prometheus.CounterOpts{Name: "ledger_replica_errors_total", Help: "Failed attempts to ship to the S3 replica (each retried)."}),
		uploaded:   prometheus.NewCounter(prometheus.CounterOpts{Name: "ledger_replica_uploaded_bytes_total", Help: "Compressed bytes of segments put in the S3 replica."}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.position, m.lag, m.lastUpload, m.errors, m.uploaded} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("replica metrics: %w", err)
		}
	}
	return m, nil
}
