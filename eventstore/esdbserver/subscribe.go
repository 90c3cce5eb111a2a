package esdbserver

import (
	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/interactionledger/ledger/eventstore"
)

// confirm opens a subscription: the first message a client waits for.
func (r *read) confirm() error {
	return r.out.Send(&api.ReadResp{Content: &api.ReadResp_Confirmation{
		Confirmation: &api.ReadResp_SubscriptionConfirmation{SubscriptionId: uuid.NewString()}}})
}

func (r *read) caughtUp() error {
	return r.out.Send(&api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}})
}

func (r *read) checkpoint(position uint64) error {
	return r.out.Send(&api.ReadResp{Content: &api.ReadResp_Checkpoint_{Checkpoint: &api.ReadResp_Checkpoint{
		CommitPosition: position, PreparePosition: position}}})
}

// subscribeAll follows $all from the start, from after a position, or
// from the end: the stored events, CaughtUp once the head as of the
// subscription is delivered, then new events as they commit. A filtered
// subscription also sends a checkpoint every filter.every events scanned,
// so a client can save its place through long runs of skipped events.
func (r *read) subscribeAll(o *api.ReadReq_Options_AllOptions) error {
	head, err := r.store.HeadPosition(r.ctx)
	if err != nil {
		return err
	}
	after := uint64(0)
	switch {
	case o.GetEnd() != nil:
		after = head
	case o.GetPosition() != nil:
		after = o.GetPosition().GetCommitPosition()
	}
	if err := r.confirm(); err != nil {
		return err
	}
	return r.follow(after, head, r.filter.matches)
}

// follow delivers the events after after that keep accepts, sending
// CaughtUp once head is reached.
func (r *read) follow(after, head uint64, keep func(*eventstore.RecordedEvent) bool) error {
	caughtUp := after >= head
	if caughtUp {
		if err := r.caughtUp(); err != nil {
			return err
		}
	}
	sub := r.store.SubscribeAll(r.ctx, after)
	defer sub.Close()
	scanned := 0
	for {
		batch, err := sub.Next(r.ctx)
		if err != nil {
			return err
		}
		for i := range batch {
			e := &batch[i]
			scanned++
			if keep(e) {
				if err := r.out.Send(toReadResp(e, r.asString, true)); err != nil {
					return err
				}
			} else if r.filter != nil && scanned >= r.filter.every {
				if err := r.checkpoint(e.Position); err != nil {
					return err
				}
				scanned = 0
			}
			if !caughtUp && e.Position >= head {
				caughtUp = true
				if err := r.caughtUp(); err != nil {
					return err
				}
			}
		}
	}
}

// subscribeStream follows one stream from the start, from after a
// revision, or from the end: its stored events up to the ledger's head as
// of the subscription, then its events among those committed later.
func (r *read) subscribeStream(stream string, o *api.ReadReq_Options_StreamOptions) error {
	if IsSystemStream(stream) {
		return status.Errorf(codes.Unimplemented, "subscribe to %s: system streams are read, not followed", stream)
	}
	head, err := r.store.HeadPosition(r.ctx)
	if err != nil {
		return err
	}
	if err := r.confirm(); err != nil {
		return err
	}
	next := int64(0) // the next version to send
	switch {
	case o.GetEnd() != nil:
		last, err := lastVersion(r.ctx, r.store, stream)
		if err != nil {
			return err
		}
		next = last + 1
	case o.GetStart() == nil:
		next = int64(o.GetRevision()) + 1
	}
	for {
		page, err := r.store.ReadStream(r.ctx, stream, next, readPage)
		if err != nil {
			return err
		}
		n := 0
		for n < len(page) && page[n].Position <= head {
			n++
		}
		if err := r.sendAll(page[:n], false); err != nil {
			return err
		}
		if n > 0 {
			next = page[n-1].Version + 1
		}
		if n < readPage {
			break
		}
	}
	r.filter = nil // a stream subscription is not filtered
	return r.follow(head, head, func(e *eventstore.RecordedEvent) bool {
		if e.Stream != stream || e.Version < next {
			return false
		}
		next = e.Version + 1
		return true
	})
}
