package outbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// Config configures a Dispatcher. Zero durations and counts pick the
// defaults named on each field.
type Config struct {
	// Store is the ledger the dispatcher follows ($all).
	Store eventstore.Store
	// Ledger records every attempt (normally the server's command
	// handler, so the records are measured with every other command).
	// When nil, a command handler on Store deciding with Now is used.
	Ledger      Ledger
	Checkpoints follow.Checkpoint
	// Senders by channel; replies on other channels are left alone (another
	// component may deliver them, e.g. email through its SMTP relay).
	Senders map[domain.Channel]Sender
	// Skip, when set, leaves alone the replies it returns true for: another
	// dispatcher was in charge of them (see Handover).
	Skip       func(ch domain.Channel, pos uint64) bool
	Logger     *slog.Logger
	Registerer prometheus.Registerer // optional
	// Now is the clock of the handler made when Ledger is nil.
	Now func() time.Time
	// MaxAttempts per reply before giving up (default 8).
	MaxAttempts int
	// InitialBackoff and MaxBackoff bound the wait between attempts
	// (defaults 2 s and 5 min; it doubles, with jitter).
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// SendTimeout bounds one attempt (default 30 s).
	SendTimeout time.Duration
	// StopGrace is how long an attempt in flight goes on once the
	// dispatcher stops (default 5 s, at most SendTimeout): cutting off a
	// provider that is taking the reply would leave it unrecorded, and
	// sent again after the restart.
	StopGrace time.Duration
	// Concurrency bounds the attempts in flight at once on each channel
	// (default 32): a provider that hangs holds its own channel's slots,
	// never another channel's.
	Concurrency int
	// MaxPending bounds the replies read but not settled; the feed waits
	// beyond it (default 10,000).
	MaxPending int
	// CheckpointEvery is how often progress is saved (default 1 s).
	CheckpointEvery time.Duration
	// Lease, when set, makes the dispatcher a singleton: it delivers only
	// while it holds it.
	Lease follow.Lease
	// FollowerMetrics are the metrics of its follower (optional).
	FollowerMetrics *follow.Metrics
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = func() time.Time { return time.Now().UTC() }
	}
	setDefault(&c.MaxAttempts, 8)
	setDefault(&c.InitialBackoff, 2*time.Second)
	setDefault(&c.MaxBackoff, 5*time.Minute)
	setDefault(&c.SendTimeout, 30*time.Second)
	setDefault(&c.StopGrace, 5*time.Second)
	c.StopGrace = min(c.StopGrace, c.SendTimeout)
	setDefault(&c.Concurrency, 32)
	setDefault(&c.MaxPending, 10_000)
	setDefault(&c.CheckpointEvery, time.Second)
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Dispatcher delivers agents' replies; see the package documentation.
type Dispatcher struct {
	cfg     Config
	recips  *recipients
	erased  erasures
	sends   map[domain.Channel]chan struct{} // attempts in flight, per channel
	metrics *metrics
}

// New returns a Dispatcher; it does nothing until Run.
func New(cfg Config) (*Dispatcher, error) {
	if cfg.Store == nil || cfg.Checkpoints == nil {
		return nil, errors.New("outbound: a dispatcher needs a store and a checkpoint")
	}
	cfg.defaults()
	if cfg.Ledger == nil {
		cfg.Ledger = commands.NewHandler(cfg.Store, commands.WithClock(cfg.Now), commands.WithLogger(cfg.Logger))
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("outbound metrics: %w", err)
	}
	sends := make(map[domain.Channel]chan struct{}, len(cfg.Senders))
	for ch := range cfg.Senders {
		sends[ch] = make(chan struct{}, cfg.Concurrency)
		m.known(ch)
	}
	return &Dispatcher{cfg: cfg, recips: newRecipients(cfg.Store, 4096), sends: sends, metrics: m}, nil
}

// Run follows the ledger and delivers replies until ctx ends (then it
// returns nil, after saving its checkpoint) or an event halts it (a
// *follow.HaltError). A failure (the store's) is retried from the
// checkpoint with backoff. With Config.Lease set it runs only while it
// holds the lease: one node of many delivers.
func (d *Dispatcher) Run(ctx context.Context) error { return d.follower().Run(ctx) }

// RunOnce is Run without the retries: it returns the first failure.
func (d *Dispatcher) RunOnce(ctx context.Context) error { return d.follower().RunOnce(ctx) }

func (d *Dispatcher) follower() *follow.Follower[eventstore.RecordedEvent] {
	r := &run{d: d}
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "outbound", Store: d.cfg.Store, Source: follow.Recorded, Consumer: r,
		Checkpoint: r, Delivery: follow.AtLeastOnceAsync, StartAtHead: true,
		Singleton: d.cfg.Lease != nil, Lease: d.cfg.Lease, Metrics: d.cfg.FollowerMetrics, Logger: d.cfg.Logger,
		StopTimeout: time.Hour, // End waits for the deliveries in flight, each bounded by SendTimeout
	})
	if err != nil {
		panic(err) // New checked the store and the checkpoint
	}
	return f
}

func (d *Dispatcher) saveCheckpoint(ctx context.Context, pos uint64) error {
	if err := d.cfg.Checkpoints.Save(ctx, pos); err != nil {
		return err
	}
	d.metrics.checkpoint.Set(float64(pos))
	return nil
}

// run is the state of one run of the dispatcher, the follower's consumer:
// replies go to lanes, and the checkpoint follows the watermark of the
// settled ones.
type run struct {
	d     *Dispatcher
	ctx   context.Context
	fail  context.CancelCauseFunc
	marks *watermark
	// started is set once the watermark stands at the loaded (or first
	// saved) checkpoint: before that it would save 0, and a dispatcher
	// must never checkpoint below where it started.
	started atomic.Bool
	pending chan struct{}
	lanes   *lanes
	flushed chan struct{}
}

// Begin starts the lanes and the checkpoint's flush loop; a delivery that
// cannot be recorded ends the run through the returned context.
func (r *run) Begin(ctx context.Context) (context.Context, error) {
	r.ctx, r.fail = context.WithCancelCause(ctx)
	r.marks = newWatermark(0)
	r.started.Store(false)
	r.pending = make(chan struct{}, r.d.cfg.MaxPending)
	r.lanes = newLanes(r.process)
	r.flushed = make(chan struct{})
	go r.flushLoop(r.flushed)
	return r.ctx, nil
}

// Load is the follower's checkpoint: the configured one, where the
// watermark starts.
func (r *run) Load(ctx context.Context) (uint64, bool, error) {
	pos, found, err := r.d.cfg.Checkpoints.Load(ctx)
	if err == nil && found {
		r.marks.advance(pos)
		r.started.Store(true)
	}
	return pos, found, err
}

// Save records a first start's position (the ledger's head).
func (r *run) Save(ctx context.Context, pos uint64) error {
	if err := r.d.saveCheckpoint(ctx, pos); err != nil {
		return err
	}
	r.marks.advance(pos)
	r.started.Store(true)
	return nil
}

// Handle queues every reply to deliver.
func (r *run) Handle(_ context.Context, events []eventstore.RecordedEvent) error {
	for _, e := range events {
		if err := r.handle(e); err != nil {
			return err
		}
		r.marks.advance(e.Position)
	}
	return nil
}

// End waits for the lanes and saves how far the settled replies reach.
func (r *run) End(ctx context.Context, err error) error {
	r.fail(err)
	r.lanes.wait()
	<-r.flushed
	if !r.started.Load() {
		return nil // the run never knew where it started: nothing to save
	}
	return r.d.saveCheckpoint(context.WithoutCancel(ctx), r.marks.position())
}

// handle queues the reply e records, if it is one for a channel with a
// sender.
func (r *run) handle(e eventstore.RecordedEvent) error {
	if e.Type == (domain.CustomerErased{}).EventType() {
		if err := r.d.noteErasure(e); err != nil {
			return follow.Poison(e.Position, fmt.Errorf("erasure at position %d: %w", e.Position, err))
		}
		return nil
	}
	if e.Type != (domain.MessageSent{}).EventType() {
		return nil
	}
	decoded, err := domain.DecodeEvent(e.Type, e.Schema, e.Data)
	if err != nil {
		return follow.Poison(e.Position, fmt.Errorf("reply at position %d: %w", e.Position, err))
	}
	sent := decoded.(domain.MessageSent)
	to, err := r.d.recips.lookup(r.ctx, sent.InteractionID)
	if err != nil {
		return fmt.Errorf("reply at position %d: %w", e.Position, err)
	}
	if _, ok := r.d.cfg.Senders[to.channel]; !ok {
		return nil
	}
	if r.d.cfg.Skip != nil && r.d.cfg.Skip(to.channel, e.Position) {
		return nil
	}
	md, _ := eventstore.ParseMetadata(e.Metadata) // metadata is informational here
	job := Delivery{
		SourceEventID: e.ID.String(), Position: e.Position, CorrelationID: md.CorrelationID,
		InteractionID: sent.InteractionID, CustomerID: to.customerID, Channel: to.channel, To: to.identity,
		MessageID: sent.MessageID, AgentID: sent.AgentID, Text: sent.Text, Attachments: sent.Attachments, SentAt: sent.At,
	}
	select {
	case r.pending <- struct{}{}:
	case <-r.ctx.Done():
		return context.Cause(r.ctx)
	}
	r.d.metrics.pending.Inc()
	r.marks.begin(e.Position)
	r.lanes.add(job)
	return nil
}

// process delivers one reply on its lane; a reply left unsettled (the
// dispatcher is stopping, or the store failed) keeps the checkpoint before
// it.
func (r *run) process(job Delivery) {
	defer func() {
		<-r.pending
		r.d.metrics.pending.Dec()
	}()
	if err := r.deliver(job); err != nil {
		if r.ctx.Err() == nil {
			r.fail(err)
		}
		return
	}
	r.marks.settle(job.Position)
}

// deliver makes attempts until the reply is delivered or given up,
// continuing the count of attempts already recorded.
func (r *run) deliver(job Delivery) error {
	state, err := r.d.cfg.Ledger.LoadDeliveries(r.ctx, job.InteractionID)
	if err != nil {
		return err
	}
	prior := state.Of(job.SourceEventID)
	if prior.Settled() {
		return nil
	}
	job.Attempt = prior.Attempts
	_, err = backoff.Retry(r.ctx, func() (struct{}, error) {
		job.Attempt++
		return struct{}{}, r.attempt(job)
	}, backoff.WithBackOff(r.d.newBackoff()), backoff.WithMaxElapsedTime(0))
	return err
}

// attempt sends once and records the outcome. It returns nil when the
// reply is settled, a backoff.Permanent error when the dispatcher must
// stop, and the send's error when it is worth another attempt.
func (r *run) attempt(job Delivery) error {
	if r.d.toErased(job) {
		if err := r.d.record(r.ctx, job, Receipt{}, errErased, true); err != nil {
			return backoff.Permanent(err)
		}
		return nil
	}
	receipt, sendErr := r.d.send(r.ctx, job)
	if errors.Is(sendErr, errInterrupted) {
		return backoff.Permanent(context.Cause(r.ctx)) // interrupted by us, not a provider failure
	}
	gaveUp := sendErr != nil && (IsPermanent(sendErr) || job.Attempt >= r.d.cfg.MaxAttempts)
	if err := r.d.record(r.ctx, job, receipt, sendErr, gaveUp); err != nil {
		return backoff.Permanent(err)
	}
	if sendErr == nil || gaveUp {
		return nil
	}
	var later *RetryAfterError
	if errors.As(sendErr, &later) {
		return backoff.RetryAfter(int(math.Ceil(later.After.Seconds())))
	}
	return sendErr
}

// errInterrupted marks an attempt the dispatcher cut off as it stopped:
// not the provider's failure, and not recorded.
var errInterrupted = errors.New("outbound: attempt interrupted by the dispatcher stopping")

// send makes one attempt, waiting for a slot of the job's channel first.
// Once ctx ends the attempt goes on for StopGrace (bounded by SendTimeout
// as ever), so a stop does not cut off a provider taking the reply.
func (d *Dispatcher) send(ctx context.Context, job Delivery) (Receipt, error) {
	slots := d.sends[job.Channel]
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return Receipt{}, fmt.Errorf("%w: %w", errInterrupted, context.Cause(ctx))
	}
	defer func() { <-slots }()
	sctx, cancel := context.WithTimeoutCause(context.WithoutCancel(ctx), d.cfg.SendTimeout, context.DeadlineExceeded)
	defer cancel()
	gctx, interrupt := context.WithCancelCause(sctx)
	defer interrupt(nil)
	stop := context.AfterFunc(ctx, func() {
		timer := time.AfterFunc(d.cfg.StopGrace, func() { interrupt(errInterrupted) })
		context.AfterFunc(gctx, func() { timer.Stop() })
	})
	defer stop()
	receipt, err := d.cfg.Senders[job.Channel].Send(gctx, job)
	if err != nil && errors.Is(context.Cause(gctx), errInterrupted) {
		return receipt, fmt.Errorf("%w: %w", errInterrupted, err)
	}
	return receipt, err
}

func (d *Dispatcher) newBackoff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = d.cfg.InitialBackoff, d.cfg.MaxBackoff
	b.Multiplier = 2 // the documented schedule; the library's default is 1.5
	return b
}

// flushLoop saves the checkpoint whenever it moved, until the run ends.
func (r *run) flushLoop(done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(r.d.cfg.CheckpointEvery)
	defer tick.Stop()
	saved := r.marks.position()
	failing := false // logged once per episode (a full disk), not every tick
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-tick.C:
		}
		if pos := r.marks.position(); pos != saved && r.started.Load() {
			if err := r.d.saveCheckpoint(r.ctx, pos); err != nil {
				level := slog.LevelWarn
				if failing {
					level = slog.LevelDebug
				}
				failing = true
				r.d.cfg.Logger.Log(r.ctx, level, "outbound checkpoint not saved; retrying", "position", pos, "err", err)
				continue
			}
			if failing {
				failing = false
				r.d.cfg.Logger.Warn("outbound checkpoint saved again; resumed", "position", pos)
			}
			saved = pos
		}
	}
}
