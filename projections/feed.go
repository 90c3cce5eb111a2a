package projections

import (
	"context"
	"fmt"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

// batch is one page of decoded events from the feed, or the error that
// ended it.
type batch struct {
	events []Event
	err    error
}

// feed reads events with position > after from the store and sends them,
// decoded, on the returned channel: page by page with ReadAll while behind,
// then (when until is 0) from a live subscription; with until > 0 it stops
// after position until. Reading and decoding run on their own goroutine, so
// they overlap with the SQLite work of the previous batch. The channel is
// closed after an error or when ctx ends.
func (r *Runner) feed(ctx context.Context, after, until uint64, page int) <-chan batch {
	out := make(chan batch, 4)
	go func() {
		defer close(out)
		send := func(b batch) bool {
			select {
			case out <- b:
				return b.err == nil
			case <-ctx.Done():
				return false
			}
		}
		after, caughtUp, err := r.catchUp(ctx, after, until, page, send)
		if err != nil {
			send(batch{err: err})
			return
		}
		if !caughtUp || until > 0 {
			return
		}
		r.follow(ctx, after, send)
	}()
	return out
}

// catchUp pages through the store until a short page (or until). It
// reports whether it got there.
func (r *Runner) catchUp(ctx context.Context, after, until uint64, page int, send func(batch) bool) (uint64, bool, error) {
	for until == 0 || after < until {
		raw, err := r.store.ReadAll(ctx, after, page)
		if err != nil {
			return after, false, fmt.Errorf("read events after %d: %w", after, err)
		}
		if until > 0 {
			raw = trimAfter(raw, until)
		}
		if len(raw) == 0 {
			return after, true, nil
		}
		after = raw[len(raw)-1].Position
		if !send(batch{events: r.decode(raw)}) {
			return after, false, nil
		}
		if len(raw) < page {
			return after, true, nil
		}
	}
	return after, true, nil
}

func (r *Runner) follow(ctx context.Context, after uint64, send func(batch) bool) {
	sub := r.store.SubscribeAll(ctx, after)
	defer sub.Close()
	for {
		raw, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() == nil {
				send(batch{err: fmt.Errorf("subscription after %d: %w", after, err)})
			}
			return
		}
		after = raw[len(raw)-1].Position
		if !send(batch{events: r.decode(raw)}) {
			return
		}
	}
}

func trimAfter(events []eventstore.RecordedEvent, until uint64) []eventstore.RecordedEvent {
	for i, e := range events {
		if e.Position > until {
			return events[:i]
		}
	}
	return events
}

// decode turns stored events into projection events. An event that cannot
// be decoded is kept with nil Data: the runner skips it but still moves
// the checkpoint past it.
//
// Why skip instead of stopping: one poison event (written by a newer
// binary during a rolling upgrade, or with a data bug) would otherwise
// freeze every read model, including the queues agents work from, until a
// deploy. Skipping is never silent: every such event is logged with its
// position and counted in ledger_projection_events_skipped_total, which
// should alert; after the fix, Rebuild replays it.
func (r *Runner) decode(raw []eventstore.RecordedEvent) []Event {
	r.head.Store(max(r.head.Load(), raw[len(raw)-1].Position))
	out := make([]Event, len(raw))
	for i, re := range raw {
		e := Event{
			Position: re.Position, Stream: re.Stream, Version: re.Version, Type: re.Type,
			RecordedAt: re.RecordedAt, Metadata: re.Metadata,
		}
		data, err := decodeEvent(re.Type, re.Schema, re.Data)
		if err != nil {
			r.skip(re, err)
		} else {
			e.Data = data
		}
		out[i] = e
	}
	return out
}

func (r *Runner) skip(re eventstore.RecordedEvent, err error) {
	reason := skipUndecodable
	if !knownTypes[re.Type] {
		reason = skipUnknownType
	}
	r.metrics.skipped.WithLabelValues(reason).Inc()
	attrs := []any{"position", re.Position, "stream", re.Stream, "type", re.Type, "schema", re.Schema, "err", err}
	if reason == skipUnknownType {
		// Log an unknown type once per process, not once per event: the
		// counter says how many there were.
		if _, seen := r.skipLog.LoadOrStore(re.Type, struct{}{}); seen {
			return
		}
		r.log.Error("skipping events of an unknown type; rebuild after upgrading", attrs...)
		return
	}
	r.log.Error("skipping an event that cannot be decoded", attrs...)
}

var knownTypes = func() map[string]bool {
	m := make(map[string]bool)
	for _, t := range domain.EventTypes() {
		m[t] = true
	}
	return m
}()

// batchReader merges the feed's pages into transactions of up to max
// events: as many as are already waiting, never waiting for more,
// so batches are large while catching up and small (low latency) live.
type batchReader struct {
	in      <-chan batch
	max     int
	pending error
}

func newBatchReader(in <-chan batch, max int) *batchReader { return &batchReader{in: in, max: max} }

// next returns the next events, or the error that ended the feed (ctx's
// error when ctx ended).
func (b *batchReader) next(ctx context.Context) ([]Event, error) {
	if b.pending != nil {
		return nil, b.pending
	}
	var first batch
	var ok bool
	select {
	case first, ok = <-b.in:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	switch {
	case !ok:
		return nil, errFeedEnded(ctx)
	case first.err != nil:
		return nil, first.err
	}
	events := first.events
	for len(events) < b.max {
		select {
		case more, ok := <-b.in:
			if !ok {
				b.pending = errFeedEnded(ctx)
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

// errFeedEnded is the error of a feed that closed: ctx's, or io.EOF-like
// end of a bounded feed.
func errFeedEnded(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return errEndOfFeed
}

var errEndOfFeed = fmt.Errorf("end of feed")
