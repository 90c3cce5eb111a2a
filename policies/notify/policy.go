// Package notify is the notification policy: it follows the ledger and
// tells customers what happens to their tickets on their preferred (or
// last used) written channel, and answers status queries sent by SMS or
// WeChat, each message through the command layer (commands.Handler's
// NotifyTicket and AnswerStatusQuery), which the outbound dispatcher
// delivers.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
	"github.com/interactionledger/ledger/eventstore/follow"
)

// Actor is the metadata actor of what the notification policy writes.
const Actor = "system:notify"

// Policy keeps customers told. It follows the ledger from its
// checkpoint and
//
//   - on a ticket opened, moved to in progress or pending customer,
//     resolved or reopened, writes to the customer on their preferred (or
//     last used) written channel (commands.Handler.SendNotification: the
//     outbound dispatcher delivers it, with retries and backoff, each
//     attempt an event);
//   - on a text message that is a status query ("STATUS T0123456789",
//     "查询 T0123456789") by SMS or WeChat, answers it on that channel.
//
// Each message's id is derived from the event that caused it, so reading
// an event again after a restart sends nothing twice. On its very first
// start the policy begins at the ledger's head: tickets from before it was
// enabled are history, not news.
type Policy struct {
	h        *commands.Handler
	finder   commands.ContactFinder
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
func (p *Policy) WaitForReadSide(wait func(ctx context.Context, position uint64) error) {
	p.readSide = wait
}

// NewPolicy returns the policy. checkpoint is the file it keeps its
// position in ("" keeps it in memory: it then starts at the head). It
// follows the ledger on a follower (eventstore/follow), as a singleton
// when opts give a lease.
func NewPolicy(h *commands.Handler, finder commands.ContactFinder, checkpoint string, log *slog.Logger, opts ...follow.Options) *Policy {
	if log == nil {
		log = slog.Default()
	}
	p := &Policy{h: h, finder: finder, log: log.With("component", "notify-policy")}
	var o follow.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	p.follower = follow.NewEventPolicy("notify", h.Store(), p.handle, checkpoint, true, o, p.log)
	return p
}

// Position returns the $all position the policy has handled.
func (p *Policy) Position() uint64 { return p.follower.Position() }

// Sent returns how many messages this policy wrote.
func (p *Policy) Sent() int64 { return p.sent.Load() }

// Run follows the ledger until ctx ends (nil) or an event halts it;
// failures are retried from the checkpoint with backoff.
func (p *Policy) Run(ctx context.Context) error { return p.follower.Run(ctx) }

// RunUntil handles the events up to position stopAt, then returns; a
// failure ends it (the next run resumes at the checkpoint).
func (p *Policy) RunUntil(ctx context.Context, stopAt uint64) error {
	return p.follower.RunUntil(ctx, stopAt)
}

var notifyRelevant = map[string]bool{
	"TicketOpened": true, "TicketStatusChanged": true, "TicketResolved": true, "TicketReopened": true, "MessageReceived": true,
}

func (p *Policy) handle(ctx context.Context, rec eventstore.RecordedEvent) error {
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
	meta := commands.Meta{Actor: Actor, CausationID: rec.ID.String(), IdempotencyKey: "notify|" + rec.ID.String()}
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
	if domain.ErrorCode(err) == domain.ENOTFOUND || domain.ErrorCode(err) == domain.EINVALID {
		p.log.Warn("customer not notified", "ticket", ticketID, "notice", notice, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("notify policy at position %d (%s): %w", rec.Position, rec.Type, err)
	}
	if len(res.Events) > 0 {
		p.sent.Add(1)
	}
	return nil
}

// statusQuery answers a status query sent by SMS or WeChat.
func (p *Policy) statusQuery(ctx context.Context, m domain.MessageReceived, eventID string, meta commands.Meta) error {
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
	if domain.ErrorCode(err) == domain.ECONFLICT {
		p.log.Warn("status query not answered", "interaction", m.InteractionID, "err", err)
		return nil
	}
	if len(res.Events) > 0 {
		p.sent.Add(1)
	}
	return err
}
