package routing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// WrapUpActor is the metadata actor of what the wrap-up timer writes.
const WrapUpActor = "system:wrap-up"

// WrapUp is the wrap-up (after-call work) timer: it releases an agent's
// voice capacity Config.WrapUpTimeout after their call ended if they have
// not closed the interaction (see domain.WrapUpExpired for what that
// means). It follows the ledger ($all) from its checkpoint, on the one
// follower discipline (eventstore/follow, a singleton under a lease):
//
//   - CallEnded schedules the call's expiry at its end + the timeout;
//   - InteractionClosed, InteractionAbandoned and WrapUpExpired forget it.
//
// The schedule is kept in a SQLite file of its own, committed with the
// checkpoint, so a restart (or another node taking the lease) fires what
// was due meanwhile; nothing lives only in memory. When an expiry comes
// due the timer sends domain.ExpireWrapUp to the interaction: the ledger
// decides (a call closed meanwhile, or already expired, records nothing),
// and the event's id derives from the CallEnded event's id, so a repeated
// firing after a crash, or by a second process, never records it twice.
// It then releases the agent's hold on their stream (ReleaseWork, decided
// at the stream's version like every hold): the agent's stream shows the
// release when it happened, and should that append be lost the next
// reservation for the agent releases the hold as stale anyway
// (commands.AssignRouted), so capacity stays right either way.
type WrapUp struct {
	h        *commands.Handler
	timeout  time.Duration
	state    *wrapUpState
	log      *slog.Logger
	every    time.Duration
	history  bool
	origin   follow.Checkpoint
	standby  bool
	wake     chan struct{}
	opts     follow.Options
	position atomic.Uint64
	expired  atomic.Int64
}

// WrapUpOption configures a WrapUp.
type WrapUpOption func(*WrapUp)

// WithWrapUpCheckEvery sets how often the timer looks for due wrap-ups
// when nothing wakes it earlier (default 250 ms).
func WithWrapUpCheckEvery(d time.Duration) WrapUpOption { return func(w *WrapUp) { w.every = d } }

// WithWrapUpFollower sets the lease that makes the timer a singleton, and
// its follower's metrics.
func WithWrapUpFollower(o follow.Options) WrapUpOption { return func(w *WrapUp) { w.opts = o } }

// WithWrapUpHistory makes a timer without a checkpoint start from the
// beginning of the ledger, so calls that ended before it first ran (and
// were never closed) expire too. By default a first start begins at the
// ledger's head.
func WithWrapUpHistory() WrapUpOption { return func(w *WrapUp) { w.history = true } }

// WithWrapUpOrigin shares a first start's position with the other nodes
// of a shared ledger (see follow.FirstPosition).
func WithWrapUpOrigin(origin follow.Checkpoint) WrapUpOption {
	return func(w *WrapUp) { w.origin = origin }
}

// WithWrapUpStandby is for nodes sharing a ledger, each with its own
// state file: every node keeps the schedule, which is a pure function of
// the ledger, and only the holder of the lease fires it. A node that
// takes the lease over fires at once from a current schedule.
func WithWrapUpStandby() WrapUpOption { return func(w *WrapUp) { w.standby = true } }

// NewWrapUp returns the wrap-up timer expiring after timeout (positive),
// appending through h (whose clock is the timer's clock) and keeping its
// schedule in statePath ("" for memory only: it then starts afresh on
// every start).
func NewWrapUp(ctx context.Context, h *commands.Handler, timeout time.Duration, statePath string, log *slog.Logger, opts ...WrapUpOption) (*WrapUp, error) {
	if timeout <= 0 {
		return nil, fmt.Errorf("wrap-up timer: the timeout must be positive, not %s", timeout)
	}
	if log == nil {
		log = slog.Default()
	}
	state, err := openWrapUpState(ctx, statePath)
	if err != nil {
		return nil, err
	}
	w := &WrapUp{h: h, timeout: timeout, state: state, log: log.With("component", "wrap-up"), every: 250 * time.Millisecond, wake: make(chan struct{}, 1)}
	for _, o := range opts {
		o(w)
	}
	pos, ok, err := state.checkpoint(ctx)
	if err == nil && !ok && !w.history {
		// Saved at once, so a crash before the first batch does not move
		// the start to a later head.
		if pos, err = follow.FirstPosition(ctx, h.Store(), w.origin); err == nil {
			w.log.Info("wrap-up timer starts here; calls that ended before keep their capacity until closed", "position", pos)
			err = state.saveCheckpoint(ctx, pos)
		}
	}
	if err != nil {
		return nil, errors.Join(err, state.close())
	}
	w.position.Store(pos)
	return w, nil
}

// Close releases the state file.
func (w *WrapUp) Close() error { return w.state.close() }

// Timeout returns the wrap-up timeout.
func (w *WrapUp) Timeout() time.Duration { return w.timeout }

// Position returns the $all position the timer has handled.
func (w *WrapUp) Position() uint64 { return w.position.Load() }

// Expired returns how many wrap-ups this timer expired.
func (w *WrapUp) Expired() int64 { return w.expired.Load() }

// Pending returns how many calls in wrap-up the timer waits for.
func (w *WrapUp) Pending(ctx context.Context) (int, error) { return w.state.pending(ctx) }

// Run follows the ledger and fires due expiries until ctx ends (nil) or an
// event halts it; failures are retried from the checkpoint with backoff.
// Given a lease (WithWrapUpFollower), it runs only while it holds it.
func (w *WrapUp) Run(ctx context.Context) error {
	if !w.standby || w.opts.Lease == nil {
		return w.follower(&wrapUpTimed{w: w}).Run(ctx)
	}
	fired := make(chan struct{})
	go func() {
		defer close(fired)
		follow.Lead(ctx, w.opts.Lease, "wrap-up", w.opts.Metrics, w.log, w.runTimerUntilLost)
	}()
	defer func() { <-fired }()
	schedule := w.opts
	schedule.Lease = nil // every node keeps the schedule
	return w.followerWith(wrapUpReactions{w}, schedule, "wrap-up-schedule").Run(ctx)
}

// runTimerUntilLost fires due wrap-ups while ctx (the lease) lasts,
// retrying after a failed firing.
func (w *WrapUp) runTimerUntilLost(ctx context.Context) {
	for ctx.Err() == nil {
		if err := w.runTimer(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("wrap-up timer failed; trying again", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

// Follow handles the ledger's events from the checkpoint on, without the
// timer, until ctx ends (nil) or, with stopAt > 0, until it has handled
// position stopAt.
func (w *WrapUp) Follow(ctx context.Context, stopAt uint64) error {
	f := w.follower(wrapUpReactions{w})
	if stopAt == 0 {
		return f.RunOnce(ctx)
	}
	return f.RunUntil(ctx, stopAt)
}

func (w *WrapUp) follower(consumer follow.Consumer[eventstore.RecordedEvent]) *follow.Follower[eventstore.RecordedEvent] {
	return w.followerWith(consumer, w.opts, "wrap-up")
}

func (w *WrapUp) followerWith(consumer follow.Consumer[eventstore.RecordedEvent], o follow.Options, name string) *follow.Follower[eventstore.RecordedEvent] {
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: name, Store: w.h.Store(), Source: follow.Recorded, Consumer: consumer,
		Checkpoint: follow.CheckpointFuncs{LoadFunc: w.state.checkpoint}, Delivery: follow.ExactlyOnce,
		Singleton: o.Lease != nil, Lease: o.Lease, Metrics: o.Metrics, Logger: w.log,
	})
	if err != nil {
		panic(err) // the configuration above is complete
	}
	return f
}

type wrapUpReactions struct{ w *WrapUp }

func (c wrapUpReactions) Handle(ctx context.Context, batch []eventstore.RecordedEvent) error {
	return c.w.handleBatch(ctx, batch)
}

// wrapUpTimed adds the timer beside the reactions; a failed firing ends
// the run through its context (the follower retries it).
type wrapUpTimed struct {
	w      *WrapUp
	cancel context.CancelCauseFunc
	done   chan struct{}
}

func (t *wrapUpTimed) Handle(ctx context.Context, batch []eventstore.RecordedEvent) error {
	return t.w.handleBatch(ctx, batch)
}

// Begin starts the timer.
func (t *wrapUpTimed) Begin(ctx context.Context) (context.Context, error) {
	runCtx, cancel := context.WithCancelCause(ctx)
	t.cancel, t.done = cancel, make(chan struct{})
	go func() {
		defer close(t.done)
		if err := t.w.runTimer(runCtx); err != nil {
			cancel(err)
		}
	}()
	return runCtx, nil
}

// End stops the timer.
func (t *wrapUpTimed) End(context.Context, error) error {
	t.cancel(nil)
	<-t.done
	return nil
}

// wrapUpRelevant lists the event types the timer reacts to; others are
// not even decoded.
var wrapUpRelevant = map[string]bool{
	"CallEnded": true, "InteractionClosed": true, "InteractionAbandoned": true, "WrapUpExpired": true,
}

func (w *WrapUp) handleBatch(ctx context.Context, events []eventstore.RecordedEvent) error {
	batch, err := w.state.begin(ctx)
	if err != nil {
		return err
	}
	for _, rec := range events {
		if err := w.handle(ctx, batch, rec); err != nil {
			batch.rollback()
			return fmt.Errorf("wrap-up timer at position %d (%s %s): %w", rec.Position, rec.Stream, rec.Type, err)
		}
	}
	last := events[len(events)-1].Position
	if err := batch.commit(ctx, last); err != nil {
		return err
	}
	w.position.Store(last)
	w.poke()
	return nil
}

func (w *WrapUp) handle(ctx context.Context, b *wrapUpBatch, rec eventstore.RecordedEvent) error {
	if !wrapUpRelevant[rec.Type] {
		return nil
	}
	e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
	if err != nil {
		return follow.Poison(rec.Position, err)
	}
	switch e := e.(type) {
	case domain.CallEnded:
		return b.schedule(ctx, e.InteractionID, rec.ID.String(), e.At.Add(w.timeout))
	case domain.InteractionClosed:
		return b.forget(ctx, e.InteractionID)
	case domain.InteractionAbandoned:
		return b.forget(ctx, e.InteractionID)
	case domain.WrapUpExpired:
		return b.forget(ctx, e.InteractionID)
	}
	return nil
}

func (w *WrapUp) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *WrapUp) runTimer(ctx context.Context) error {
	tick := time.NewTicker(w.every)
	defer tick.Stop()
	for {
		if _, err := w.FireDue(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-w.wake:
		}
	}
}

// FireDue expires every wrap-up due at the handler's now and returns how
// many it recorded (a call closed meanwhile records nothing).
func (w *WrapUp) FireDue(ctx context.Context) (int, error) {
	total := 0
	for {
		now := w.h.Now()
		due, err := w.state.due(ctx, now, 256)
		if err != nil || len(due) == 0 {
			return total, err
		}
		for _, d := range due {
			n, later, err := w.expire(ctx, d, now)
			if err != nil {
				return total, fmt.Errorf("wrap-up of interaction %s: %w", d.interactionID, err)
			}
			total += n
			w.expired.Add(int64(n))
			if !later.IsZero() {
				err = w.state.reschedule(ctx, d.interactionID, later)
			} else {
				err = w.state.done(ctx, d.interactionID)
			}
			if err != nil {
				return total, err
			}
		}
	}
}

// expire records the wrap-up's expiry (if the ledger agrees it is due)
// and releases the agent's hold on their stream. It returns how many
// events it recorded, and a later deadline when the ledger says the
// wrap-up is not due yet (then it is kept, never dropped).
func (w *WrapUp) expire(ctx context.Context, d dueWrapUp, now time.Time) (int, time.Time, error) {
	meta := commands.Meta{Actor: WrapUpActor, CausationID: d.causeID, IdempotencyKey: "wrapup|" + d.causeID}
	h := w.h.At(now)
	res, err := h.Interaction(ctx, d.interactionID, meta, domain.ExpireWrapUp{Timeout: w.timeout})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	it, err := h.LoadInteraction(ctx, d.interactionID)
	if err != nil {
		return 0, time.Time{}, err
	}
	if deadline, ok := domain.WrapUpDeadline(it, w.timeout); ok && deadline.After(now) {
		return 0, deadline, nil
	}
	if it.WrapUpExpiredAt.IsZero() || it.AgentID == "" {
		return len(res.Events), time.Time{}, nil // closed meanwhile: nothing to release
	}
	// Also when another process recorded the expiry: releasing what is
	// not held does nothing.
	_, err = h.Agent(ctx, it.AgentID, domain.ReleaseWork{InteractionID: d.interactionID, Reason: "wrap-up expired"}, meta.WithKey("release"))
	if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		return len(res.Events), time.Time{}, err
	}
	return len(res.Events), time.Time{}, nil
}
