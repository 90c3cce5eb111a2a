package esdbserver

import (
	"context"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/esdbwire"
)

// readPage is how many events a read takes from the store at a time.
const readPage = 512

// read is one Read call: what was asked and where answers go.
type read struct {
	*Server
	ctx      context.Context
	out      api.Streams_ReadServer
	opts     *api.ReadReq_Options
	filter   *filter
	asString bool // ids as strings, not structured
}

// Read implements Streams: a read of a stream or of $all, forwards or
// backwards, or a subscription to either.
func (s streamsService) Read(req *api.ReadReq, out api.Streams_ReadServer) error {
	opts := req.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "read: no options")
	}
	f, err := newFilter(opts.GetFilter())
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "read: %v", err)
	}
	r := &read{Server: s.Server, ctx: out.Context(), out: out, opts: opts, filter: f,
		asString: opts.GetUuidOption().GetString_() != nil}
	stream := opts.GetStream()
	switch {
	case opts.GetSubscription() != nil && stream != nil:
		err = r.subscribeStream(string(stream.GetStreamIdentifier().GetStreamName()), stream)
	case opts.GetSubscription() != nil:
		err = r.subscribeAll(opts.GetAll())
	case stream != nil:
		err = r.readStream(string(stream.GetStreamIdentifier().GetStreamName()), stream)
	default:
		err = r.readAll(opts.GetAll())
	}
	return r.statusOf(err)
}

// statusOf turns a store error into the gRPC status clients expect.
func (r *read) statusOf(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	if r.ctx.Err() != nil {
		return status.FromContextError(r.ctx.Err()).Err()
	}
	r.log.ErrorContext(r.ctx, "esdb endpoint: read failed", "err", err)
	return status.Errorf(codes.Unavailable, "read: %v", err)
}

// backwards reports whether the read goes from the end towards the start.
func (r *read) backwards() bool {
	return r.opts.GetReadDirection() == api.ReadReq_Options_Backwards
}

// readStream answers a read of one stream: from a revision (inclusive) in
// either direction, count events at most.
func (r *read) readStream(stream string, o *api.ReadReq_Options_StreamOptions) error {
	var src streamReader = r.store
	if IsSystemStream(stream) {
		if r.system == nil {
			return r.notFound(stream)
		}
		src = r.system
	}
	count := r.opts.GetCount()
	if tr, ok := src.(eventstore.TailReader); ok && o.GetEnd() != nil && r.backwards() && count > 0 {
		// The usual read of a writer about to append: the newest events.
		tail, err := tr.ReadStreamTail(r.ctx, stream, int(min(count, readPage)))
		if err != nil {
			return err
		}
		if len(tail) == 0 {
			return r.notFound(stream)
		}
		if err := r.sendAll(reversed(tail), false); err != nil {
			return err
		}
		if count -= uint64(len(tail)); count == 0 || tail[0].Version == 0 {
			return nil
		}
		return r.streamBackwards(src, stream, tail[0].Version-1, count)
	}
	last, err := lastVersion(r.ctx, src, stream)
	if err != nil {
		return err
	}
	if last < 0 {
		return r.notFound(stream)
	}
	from := int64(0)
	switch {
	case o.GetEnd() != nil:
		from = last
	case o.GetStart() != nil && r.backwards():
		from = 0
	case o.GetStart() == nil:
		from = int64(min(o.GetRevision(), uint64(last)+1))
	}
	if r.backwards() {
		return r.streamBackwards(src, stream, min(from, last), count)
	}
	for count > 0 {
		page, err := src.ReadStream(r.ctx, stream, from, int(min(count, readPage)))
		if err != nil || len(page) == 0 {
			return err
		}
		if err := r.sendAll(page, false); err != nil {
			return err
		}
		count -= uint64(len(page))
		from = page[len(page)-1].Version + 1
	}
	return nil
}

func (r *read) notFound(stream string) error {
	return r.out.Send(&api.ReadResp{Content: &api.ReadResp_StreamNotFound_{StreamNotFound: &api.ReadResp_StreamNotFound{
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(stream)}}}})
}

// streamBackwards sends versions from, from-1, ... down to 0, count at
// most.
func (r *read) streamBackwards(src streamReader, stream string, from int64, count uint64) error {
	for count > 0 && from >= 0 {
		n := int64(min(count, readPage, uint64(from)+1))
		page, err := src.ReadStream(r.ctx, stream, from-n+1, int(n))
		if err != nil {
			return err
		}
		for len(page) > 0 && page[len(page)-1].Version > from {
			page = page[:len(page)-1] // a stream keeping its newest events only read on past from
		}
		if len(page) == 0 {
			return nil
		}
		if err := r.sendAll(reversed(page), false); err != nil {
			return err
		}
		count -= uint64(len(page))
		from -= n
	}
	return nil
}

// readAll answers a read of $all: forwards from a position (inclusive),
// backwards from a position (exclusive), count events at most.
func (r *read) readAll(o *api.ReadReq_Options_AllOptions) error {
	count := r.opts.GetCount()
	head, err := r.store.HeadPosition(r.ctx)
	if err != nil {
		return err
	}
	pos := uint64(0) // forwards: read after pos; backwards: read before pos
	switch {
	case o.GetEnd() != nil:
		pos = head + 1
	case o.GetPosition() != nil:
		pos = o.GetPosition().GetCommitPosition()
		if !r.backwards() && pos > 0 {
			pos--
		}
	case r.backwards(): // backwards from the start: nothing before it
		return nil
	}
	if r.backwards() {
		return r.allBackwards(min(pos, head+1), count)
	}
	for count > 0 {
		page, err := r.store.ReadAll(r.ctx, pos, int(min(count, readPage)))
		if err != nil || len(page) == 0 {
			return err
		}
		pos = page[len(page)-1].Position
		page = r.filter.keep(page)
		if err := r.sendAll(page, true); err != nil {
			return err
		}
		count -= uint64(len(page))
	}
	return nil
}

// allBackwards sends the events before position before, newest first.
// Ledger positions are gap-free, so the page before a position is found
// by arithmetic.
func (r *read) allBackwards(before, count uint64) error {
	for count > 0 && before > 1 {
		n := min(count, readPage, before-1)
		page, err := r.store.ReadAll(r.ctx, before-1-n, int(n))
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		before = page[0].Position
		page = r.filter.keep(page)
		if err := r.sendAll(reversed(page), true); err != nil {
			return err
		}
		count -= uint64(len(page))
	}
	return nil
}

// sendAll sends events as ReadEvents; withPosition adds the $all position
// reads of $all carry.
func (r *read) sendAll(events []eventstore.RecordedEvent, withPosition bool) error {
	for i := range events {
		if err := r.out.Send(toReadResp(&events[i], r.asString, withPosition)); err != nil {
			return err
		}
	}
	return nil
}

// toReadResp is e as the protocol sends it.
func toReadResp(e *eventstore.RecordedEvent, asString, withPosition bool) *api.ReadResp {
	chain := esdbwire.Chain{Schema: e.Schema, RecordedAt: e.RecordedAt, PrevHash: e.PrevHash, Hash: e.Hash}
	ev := &api.ReadResp_ReadEvent{Event: &api.ReadResp_ReadEvent_RecordedEvent{
		Id:               esdbwire.ToUUID(e.ID, asString),
		StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(e.Stream)},
		StreamRevision:   uint64(e.Version),
		PreparePosition:  e.Position,
		CommitPosition:   e.Position,
		Metadata: map[string]string{
			esdbwire.KeyType:        e.Type,
			esdbwire.KeyContentType: esdbwire.ContentJSON,
			esdbwire.KeyCreated:     esdbwire.Ticks(e.RecordedAt),
		},
		CustomMetadata: esdbwire.Wrap(chain, e.Metadata),
		Data:           e.Data,
	}}
	if withPosition {
		ev.Position = &api.ReadResp_ReadEvent_CommitPosition{CommitPosition: e.Position}
	} else {
		ev.Position = &api.ReadResp_ReadEvent_NoPosition{NoPosition: &shared.Empty{}}
	}
	return &api.ReadResp{Content: &api.ReadResp_Event{Event: ev}}
}

func reversed(events []eventstore.RecordedEvent) []eventstore.RecordedEvent {
	out := make([]eventstore.RecordedEvent, len(events))
	for i, e := range events {
		out[len(events)-1-i] = e
	}
	return out
}

// streamReader reads one stream: the ledger, or the system streams.
type streamReader interface {
	ReadStream(ctx context.Context, stream string, from int64, max int) ([]eventstore.RecordedEvent, error)
}

// lastVersion finds a stream's last version (-1 when it has no events)
// with the reads every store has: doubling probes, then a binary search.
func lastVersion(ctx context.Context, store streamReader, stream string) (int64, error) {
	if tr, ok := store.(eventstore.TailReader); ok {
		tail, err := tr.ReadStreamTail(ctx, stream, 1)
		if err != nil || len(tail) == 0 {
			return -1, err
		}
		return tail[0].Version, nil
	}
	exists := func(v int64) (bool, error) {
		evs, err := store.ReadStream(ctx, stream, v, 1)
		if err != nil {
			return false, fmt.Errorf("read %s at %d: %w", stream, v, err)
		}
		return len(evs) > 0, nil
	}
	lo, hi := int64(-1), int64(0) // lo exists (or is -1), hi is to be probed
	for {
		ok, err := exists(hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		lo, hi = hi, hi*2+1
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		ok, err := exists(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}
