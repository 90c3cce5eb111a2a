package commands

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// NotifyActor is the metadata actor of what the notification policy writes.
const NotifyActor = "system:notify"

// NotifyPolicy keeps customers told. It follows the ledger from its
// checkpoint and
//
//   - on a ticket opened, moved to in progress or pending customer,
//     resolved or reopened, writes to the customer on their preferred (or
//     last used) written channel (SendNotification: the outbound
//     dispatcher delivers it, with retries and backoff, each attempt an
//     event);
//   - on a text message that is a status query ("STATUS T0123456789",
//     "查询 T0123456789") by SMS or WeChat, answers it on that channel.
//
// Each message's id is derived from the event that caused it, so reading
// an event again after a restart sends nothing twice. On its very first
// start the policy begins at the ledger's head: tickets from before it was
// enabled are history, not news.
type NotifyPolicy struct {
	h        *Handler
	finder   ContactFinder
	log      *slog.Logger
	follower *follow.Follower[eventstore.RecordedEvent]
	sent     atomic.Int64
	// readSide, when set, waits until the read models the ContactFinder
	// uses have reached a position.
	readSide func(ctx context.Context, position uint64) error
}

// WaitForReadSide makes the policy wait, before it handles an event, until
// wait says the read models (which its ContactFinder reads) have reached
// the event's position: the customer a ticket was just opened for is then
// known to them.
func (p *NotifyPolicy) WaitForReadSide(wait func(ctx context.Context, position uint64) error) {
	p.readSide = wait
}

// NewNotifyPolicy returns the policy. checkpoint is the file it keeps its
// position in ("" keeps it in memory: it then starts at the head). It
// follows the ledger on a follower (eventstore/follow), as a singleton
// when opts give a lease.
func NewNotifyPolicy(h *Handler, finder ContactFinder, checkpoint string, log *slog.Logger, opts ...follow.Options) *NotifyPolicy {
	if log == nil {
		log = slog.Default()
	}
	p := &NotifyPolicy{h: h, finder: finder, log: log.With("component", "notify-policy")}
	var cp follow.Checkpoint = &follow.MemoryCheckpoint{}
	if checkpoint != "" {
		cp = follow.FileCheckpoint(checkpoint)
	}
	var o follow.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	f, err := follow.New(follow.Config[eventstore.RecordedEvent]{
		Name: "notify", Store: h.store, Source: follow.Recorded, Consumer: follow.EachEvent[eventstore.RecordedEvent](p.handle),
		Checkpoint: cp, Delivery: follow.AtLeastOnce, StartAtHead: true,
		Singleton: o.Lease != nil, Lease: o.Lease, Metrics: o.Metrics, Logger: p.log,
	})
	if err != nil {
		panic(err) // the configuration above is complete
	}
	p.follower = f
	return p
}

// Position returns the $all position the policy has handled.
func (p *NotifyPolicy) Position() uint64 { return p.follower.Position() }

// Sent returns how many messages this policy wrote.
func (p *NotifyPolicy) Sent() int64 { return p.sent.Load() }

// Run follows the ledger until ctx ends (nil) or an event halts it;
// failures are retried from the checkpoint with backoff.
func (p *NotifyPolicy) Run(ctx context.Context) error { return p.follower.Run(ctx) }

// RunUntil handles the events up to position stopAt, then returns; a
// failure ends it (the next run resumes at the checkpoint).
func (p *NotifyPolicy) RunUntil(ctx context.Context, stopAt uint64) error {
	return p.follower.RunUntil(ctx, stopAt)
}

var notifyRelevant = map[string]bool{
	"TicketOpened": true, "TicketStatusChanged": true, "TicketResolved": true, "TicketReopened": true, "MessageReceived": true,
}

func (p *NotifyPolicy) handle(ctx context.Context, rec eventstore.RecordedEvent) error {
	if !notifyRelevant[rec.Type] {
		return nil
	}
	e, err := domain.DecodeEvent(rec.Type, rec.Schema, rec.Data)
	if err != nil {
		return follow.Poison(rec.Position, err)
	}
	if p.readSide != nil {
		if err := p.readSide(ctx, rec.Position); err != nil {
			return err
		}
	}
	meta := Meta{Actor: NotifyActor, CausationID: rec.ID.String(), IdempotencyKey: "notify|" + rec.ID.String()}
	if md, err := eventstore.ParseMetadata(rec.Metadata); err == nil {
		meta.CorrelationID = md.CorrelationID
	}
	if m, ok := e.(domain.MessageReceived); ok {
		return p.statusQuery(ctx, m, rec.ID.String(), meta)
	}
	ticketID, notice, detail, ok := domain.TicketNoticeFor(e)
	if !ok {
		return nil
	}
	res, err := p.h.NotifyTicket(ctx, p.finder, ticketID, notice, detail, rec.ID.String(), meta)
	if err != nil && !isCode(err, domain.ENOTFOUND) && !isCode(err, domain.EINVALID) {
		err = fmt.Errorf("notify policy at position %d (%s): %w", rec.Position, rec.Type, err)
	}
	if isCode(err, domain.ENOTFOUND) || isCode(err, domain.EINVALID) {
		p.log.Warn("customer not notified", "ticket", ticketID, "notice", notice, "err", err)
		return nil
	}
	if len(res.Events) > 0 {
		p.sent.Add(1)
	}
	return err
}

// statusQuery answers a status query sent by SMS or WeChat.
func (p *NotifyPolicy) statusQuery(ctx context.Context, m domain.MessageReceived, eventID string, meta Meta) error {
	if _, ok := domain.ParseStatusQuery(m.Text); !ok {
		return nil
	}
	it, err := p.h.LoadInteraction(ctx, m.InteractionID)
	if err != nil {
		return err
	}
	if it.Channel != domain.ChannelSMS && it.Channel != domain.ChannelWeChat {
		return nil
	}
	_, res, err := p.h.AnswerStatusQuery(ctx, m.InteractionID, m.Text, "selfservice:"+eventID, meta)
	if isCode(err, domain.ECONFLICT) {
		p.log.Warn("status query not answered", "interaction", m.InteractionID, "err", err)
		return nil
	}
	if len(res.Events) > 0 {
		p.sent.Add(1)
	}
	return err
}
