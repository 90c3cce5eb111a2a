package follow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/interactionledger/ledger/eventstore"
)

// errEndOfFeed ends a bounded feed (Until) that reached its bound.
var errEndOfFeed = errors.New("end of feed")

// errFlushDue tells the follower that the feed was quiet until a flush
// came due.
var errFlushDue = errors.New("flush due")

// page is one read of the feed, or the error that ended it.
type page[E any] struct {
	events []E
	err    error
}

// feedConfig is what one feed reads.
type feedConfig struct {
	after, until uint64 // until 0: follow live without end
	pageSize     int
	readAhead    int
}

// startFeed reads events with position > after: page by page while
// behind, then (when until is 0) from a live subscription; with until > 0
// it ends after position until. Reading runs on its own goroutine, up to
// readAhead pages ahead of the consumer. The channel is closed after an
// error or when ctx ends.
func startFeed[E any](ctx context.Context, store eventstore.Store, src Source[E], cfg feedConfig, seen func(uint64)) <-chan page[E] {
	out := make(chan page[E], cfg.readAhead)
	go func() {
		defer close(out)
		f := feed[E]{store: store, src: src, cfg: cfg, out: out, seen: seen}
		after, caughtUp, err := f.catchUp(ctx)
		if err != nil {
			f.send(ctx, page[E]{err: err})
			return
		}
		if !caughtUp || cfg.until > 0 {
			return
		}
		f.live(ctx, after)
	}()
	return out
}

type feed[E any] struct {
	store eventstore.Store
	src   Source[E]
	cfg   feedConfig
	out   chan<- page[E]
	seen  func(uint64) // the highest position read so far
}

// send hands p on; false when the feed must end (ctx ended, or p is an
// error).
func (f *feed[E]) send(ctx context.Context, p page[E]) bool {
	select {
	case f.out <- p:
		return p.err == nil
	case <-ctx.Done():
		return false
	}
}

// sendEvents sends the events a read or conversion returned, then its
// error: a Source stops at an event it cannot convert, and the events
// before it must still be handled.
func (f *feed[E]) sendEvents(ctx context.Context, events []E, err error) bool {
	if len(events) > 0 {
		f.seen(f.src.Position(events[len(events)-1]))
		if !f.send(ctx, page[E]{events: events}) {
			return false
		}
	}
	if err != nil {
		return f.send(ctx, page[E]{err: err})
	}
	return true
}

// catchUp pages through the store until a short page (or until). It
// reports whether it got there.
func (f *feed[E]) catchUp(ctx context.Context) (uint64, bool, error) {
	after := f.cfg.after
	for f.cfg.until == 0 || after < f.cfg.until {
		events, err := f.src.Read(ctx, after, f.cfg.pageSize)
		if err != nil && len(events) == 0 {
			if IsPoison(err) {
				return after, false, err
			}
			return after, false, fmt.Errorf("read events after %d: %w", after, err)
		}
		full := len(events) >= f.cfg.pageSize
		read := len(events)
		events = f.trim(events)
		if f.beyondBound(err, len(events) < read) {
			err = nil // it stopped past the bound: nothing there is ours
		}
		if len(events) == 0 {
			return after, err == nil, err
		}
		after = f.src.Position(events[len(events)-1])
		if !f.sendEvents(ctx, events, err) || err != nil {
			return after, false, nil
		}
		if !full {
			return after, true, nil
		}
	}
	return after, true, nil
}

// live sends the events after position after from a live subscription
// until ctx ends or the subscription fails.
func (f *feed[E]) live(ctx context.Context, after uint64) {
	sub := f.store.SubscribeAll(ctx, after)
	defer sub.Close()
	for {
		raw, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() == nil {
				f.send(ctx, page[E]{err: fmt.Errorf("subscription after %d: %w", after, err)})
			}
			return
		}
		after = raw[len(raw)-1].Position
		events, err := f.src.Live(raw)
		if !f.sendEvents(ctx, events, err) || err != nil {
			return
		}
	}
}

// beyondBound reports whether a read's error concerns an event after
// until, which a bounded feed does not need: the read went past the bound
// (trimmed), or the poison event it stopped at lies beyond it.
func (f *feed[E]) beyondBound(err error, trimmed bool) bool {
	if err == nil || f.cfg.until == 0 {
		return false
	}
	var poison *PoisonError
	return trimmed || errors.As(err, &poison) && poison.Position > f.cfg.until
}

// trim drops the events after until (0: none).
func (f *feed[E]) trim(events []E) []E {
	if f.cfg.until == 0 {
		return events
	}
	for i, e := range events {
		if f.src.Position(e) > f.cfg.until {
			return events[:i]
		}
	}
	return events
}

// batcher merges the feed's pages into batches of up to max events: as
// many as are already waiting, never waiting for more, so batches are large
// while catching up and small (low latency) live.
type batcher[E any] struct {
	in      <-chan page[E]
	max     int
	pending error
}

// next returns the next events, or the error that ended the feed (ctx's
// error when ctx ended, errEndOfFeed after a bounded feed's last page), or
// errFlushDue when flushDue fired before any event came.
func (b *batcher[E]) next(ctx context.Context, flushDue <-chan time.Time) ([]E, error) {
	if b.pending != nil {
		return nil, b.pending
	}
	var first page[E]
	var ok bool
	select {
	case first, ok = <-b.in:
	case <-flushDue:
		return nil, errFlushDue
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	switch {
	case !ok:
		return nil, feedEnded(ctx)
	case first.err != nil:
		return nil, first.err
	}
	events := first.events
	for len(events) < b.max {
		select {
		case more, ok := <-b.in:
			if !ok {
				b.pending = feedEnded(ctx)
				return events, nil
			}
			if more.err != nil {
				b.pending = more.err
				return events, nil
			}
			events = append(events, more.events...)
		default:
			return events, nil
		}
	}
	return events, nil
}

func feedEnded(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return errEndOfFeed
}

// Replay reads the events after position after up to until, read ahead of
// the caller and merged into batches of up to maxBatch: the one-shot
// replays (rebuilds, syncs) that keep no checkpoint of their own.
type Replay[E any] struct {
	in     *batcher[E]
	cancel context.CancelFunc
}

// NewReplay starts a replay; Close ends it.
func NewReplay[E any](ctx context.Context, store eventstore.Store, src Source[E], after, until uint64, pageSize, readAhead, maxBatch int) *Replay[E] {
	ctx, cancel := context.WithCancel(ctx)
	cfg := feedConfig{after: after, until: until, pageSize: pageSize, readAhead: readAhead}
	return &Replay[E]{in: &batcher[E]{in: startFeed(ctx, store, src, cfg, func(uint64) {}), max: maxBatch}, cancel: cancel}
}

// Next returns the next batch, io.EOF after the last, or the error that
// ended the replay.
func (r *Replay[E]) Next(ctx context.Context) ([]E, error) {
	events, err := r.in.next(ctx, nil)
	if errors.Is(err, errEndOfFeed) {
		return nil, io.EOF
	}
	return events, err
}

// Close ends the replay's reading.
func (r *Replay[E]) Close() { r.cancel() }
