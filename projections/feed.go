package projections

import (
	"context"
	"fmt"

	"github.com/interactionledger/ledger/eventstore"
)

// batch is one page of decoded events from the feed, or the error that
// ended it.
type batch struct {
	events []Event
	err    error
}

// feed reads events with position > after from the store and sends them,
// decoded, on the returned channel: page by page while behind, then (when
// until is 0) from a live subscription; with until > 0 it stops after
// position until. Reading and decoding run on their own goroutine, so they
// overlap with the SQLite work of the previous batch; the channel holds up
// to pages pages read ahead. The channel is closed after an error or when
// ctx ends.
//
// An event that cannot be decoded ends the feed: the events before it are
// sent, then an *UndecodableEventError naming it, so the runner applies
// everything up to it and nothing from it on.
func (r *Runner) feed(ctx context.Context, after, until uint64, page, pages int) <-chan batch {
	out := make(chan batch, pages)
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
	var buf []eventstore.LeanEvent
	for until == 0 || after < until {
		raw, err := r.readPage(ctx, after, page, buf)
		if err != nil {
			return after, false, fmt.Errorf("read events after %d: %w", after, err)
		}
		buf = raw
		if until > 0 {
			raw = trimAfter(raw, until)
		}
		if len(raw) == 0 {
			return after, true, nil
		}
		after = raw[len(raw)-1].Position
		if ok, err := r.sendDecoded(raw, send); !ok {
			return after, false, err
		}
		if len(raw) < page {
			return after, true, nil
		}
	}
	return after, true, nil
}

// readPage reads up to max events after position after, with the store's
// lean bulk read when it has one (see eventstore.BulkReader): catch-up and
// rebuild need no event ids or hashes. buf is the previous page, for reuse.
func (r *Runner) readPage(ctx context.Context, after uint64, max int, buf []eventstore.LeanEvent) ([]eventstore.LeanEvent, error) {
	if br, ok := r.store.(eventstore.BulkReader); ok {
		return br.ReadAllLean(ctx, after, max, buf)
	}
	raw, err := r.store.ReadAll(ctx, after, max)
	return leanEvents(raw, buf), err
}

// leanEvents converts raw into buf's array.
func leanEvents(raw []eventstore.RecordedEvent, buf []eventstore.LeanEvent) []eventstore.LeanEvent {
	out := buf[:0]
	for _, e := range raw {
		out = append(out, e.Lean())
	}
	return out
}

// follow sends the events after position after from a live subscription
// until ctx ends or the subscription fails.
func (r *Runner) follow(ctx context.Context, after uint64, send func(batch) bool) {
	sub := r.store.SubscribeAll(ctx, after)
	defer sub.Close()
	var buf []eventstore.LeanEvent
	for {
		raw, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() == nil {
				send(batch{err: fmt.Errorf("subscription after %d: %w", after, err)})
			}
			return
		}
		after = raw[len(raw)-1].Position
		buf = leanEvents(raw, buf)
		if ok, err := r.sendDecoded(buf, send); !ok {
			if err != nil {
				send(batch{err: err})
			}
			return
		}
	}
}

// sendDecoded decodes raw and sends the events. At an event it cannot
// decode it sends the events before it and returns the
// *UndecodableEventError. ok is false when the feed must end: send
// refused (ctx ended), or that error.
func (r *Runner) sendDecoded(raw []eventstore.LeanEvent, send func(batch) bool) (ok bool, err error) {
	events, err := r.decode(raw)
	if len(events) > 0 && !send(batch{events: events}) {
		return false, nil
	}
	return err == nil, err
}

func trimAfter(events []eventstore.LeanEvent, until uint64) []eventstore.LeanEvent {
	for i, e := range events {
		if e.Position > until {
			return events[:i]
		}
	}
	return events
}

// decode turns stored events into projection events. It stops at the
// first event it cannot decode and returns the events before it with an
// *UndecodableEventError: a reader must not skip facts it does not know
// (see domain.DecodeEvent), since a read model missing one is wrong with
// nothing to show it, and exactly-once means every event is applied, not
// every readable one.
func (r *Runner) decode(raw []eventstore.LeanEvent) ([]Event, error) {
	r.head.Store(max(r.head.Load(), raw[len(raw)-1].Position))
	out := make([]Event, 0, len(raw))
	for _, re := range raw {
		data, err := decodeEvent(re.Type, re.Schema, re.Data)
		if err != nil {
			return out, undecodable(re, err)
		}
		out = append(out, Event{
			Position: re.Position, Stream: re.Stream, Version: re.Version, Type: re.Type,
			RecordedAt: re.RecordedAt, Metadata: re.Metadata, Data: data,
		})
	}
	return out, nil
}

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
