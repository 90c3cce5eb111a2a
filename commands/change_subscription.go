package commands

import (
	"context"

	"github.com/interactionledger/ledger/domain"
)

// subscriptions are keyed by stream name (domain.SubscriptionStream).
var subscriptions = aggregate[domain.Subscription, domain.ChangeSubscription]{
	stream:   func(stream string) string { return stream },
	initial:  func(string) domain.Subscription { return domain.Subscription{} },
	evolve:   domain.EvolveSubscription,
	decide:   domain.DecideSubscription,
	ids:      channelEventID,
	customer: func(s domain.Subscription) string { return s.CustomerID },
}

// ChangeSubscription records that a customer followed or unfollowed the
// contact centre's account on a channel (a WeChat official account), on
// the stream of that channel and identity (domain.SubscriptionStream).
// Repeating the current state is a no-op.
func (h *Handler) ChangeSubscription(ctx context.Context, cmd domain.ChangeSubscription, meta Meta) (Result, error) {
	res, _, err := execute(ctx, h, subscriptions, h.names.Subscription(cmd.Channel, cmd.Identity), meta, cmd)
	return res, err
}
