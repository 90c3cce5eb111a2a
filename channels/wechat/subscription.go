package wechat

import (
	"context"
	"fmt"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// recordSubscription resolves (or registers) the follower as a customer
// and records the follow or unfollow. Both steps are keyed by the push's
// id, so WeChat's retries write nothing twice.
func recordSubscription(ctx context.Context, ledger Ledger, from domain.Identity, in Inbound) error {
	key := string(domain.ChannelWeChat) + ":" + in.ID
	meta := commands.Meta{
		Channel: domain.ChannelWeChat, SourceMessageID: in.ID, IdempotencyKey: "inbound:" + key,
		CorrelationID: commands.DeriveID("correlation", key), CausationID: "message:" + key,
	}
	who, err := ledger.ResolveCustomer(ctx, from, "", meta)
	if err != nil {
		return fmt.Errorf("wechat subscription: %w", err)
	}
	meta.Actor, meta.IdempotencyKey = "customer:"+who.CustomerID, "subscription:"+key
	cmd := domain.ChangeSubscription{Channel: domain.ChannelWeChat, Identity: who.Identity, CustomerID: who.CustomerID, Subscribed: in.Kind == KindSubscribe}
	if _, err := ledger.ChangeSubscription(ctx, cmd, meta); err != nil {
		return fmt.Errorf("wechat subscription: %w", err)
	}
	return nil
}
