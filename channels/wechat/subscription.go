package wechat

import (
	"context"
	"fmt"
	"time"

	"github.com/interactionledger/ledger/channels/internal/record"
	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
	"github.com/interactionledger/ledger/eventstore"
)

var subscriptions = record.Aggregate[domain.Subscription, domain.ChangeSubscription]{
	Initial: func(string) domain.Subscription { return domain.Subscription{} },
	Evolve:  domain.EvolveSubscription,
	Decide:  domain.DecideSubscription,
}

// recordSubscription resolves (or registers) the follower as a customer
// and records the follow or unfollow. Both steps are keyed by the push's
// id, so WeChat's retries write nothing twice.
func recordSubscription(ctx context.Context, ledger Ledger, from domain.Identity, in Inbound, now time.Time) error {
	key := string(domain.ChannelWeChat) + ":" + in.ID
	meta := commands.Meta{
		Channel: domain.ChannelWeChat, SourceMessageID: in.ID, IdempotencyKey: "inbound:" + key,
		CorrelationID: commands.DeriveID("correlation", key), CausationID: "message:" + key,
	}
	who, err := ledger.ResolveCustomer(ctx, from, "", meta)
	if err != nil {
		return fmt.Errorf("wechat subscription: %w", err)
	}
	req := record.Request{
		Stream: domain.SubscriptionStream(domain.ChannelWeChat, who.Identity),
		Meta: eventstore.Metadata{
			CorrelationID: meta.CorrelationID, CausationID: meta.CausationID, Actor: "customer:" + who.CustomerID,
			Channel: string(domain.ChannelWeChat), SourceMessageID: in.ID, Command: "ChangeSubscription",
		},
		Key: "subscription:" + key,
	}
	cmd := domain.ChangeSubscription{Channel: domain.ChannelWeChat, Identity: who.Identity, CustomerID: who.CustomerID, Subscribed: in.Kind == KindSubscribe}
	if _, _, err := record.Execute(ctx, ledger.Store(), subscriptions, req, cmd, now); err != nil {
		return fmt.Errorf("wechat subscription: %w", err)
	}
	return nil
}
