package commands_test

import (
	"context"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

func TestSubscriptionRedeliveryChangesNothing(t *testing.T) {
	h, store := newHandler(t)
	ctx := context.Background()
	fan := domain.Identity{Kind: domain.IdentityWeChat, Value: "oFan1"}
	change := func(subscribed bool, key string) commands.Result {
		t.Helper()
		cmd := domain.ChangeSubscription{Channel: domain.ChannelWeChat, Identity: fan, CustomerID: "c1", Subscribed: subscribed}
		res, err := h.ChangeSubscription(ctx, cmd, commands.Meta{Actor: "customer:c1", Channel: domain.ChannelWeChat, IdempotencyKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := change(true, "subscription:WECHAT:m1")
	if again := change(true, "subscription:WECHAT:m1"); again.Position != first.Position || len(again.Events) != 0 {
		t.Errorf("redelivered follow: %+v, first %+v", again, first)
	}
	change(false, "subscription:WECHAT:m2")
	// A redelivery of the follow after the unfollow is recognised by its
	// key; it does not follow again.
	change(true, "subscription:WECHAT:m1")
	_, events := allEvents(t, store)
	if len(events) != 2 || countType[domain.ChannelSubscribed](events) != 1 || countType[domain.ChannelUnsubscribed](events) != 1 {
		t.Fatalf("events %v, want one follow and one unfollow", events)
	}
	if stream := first.Stream; stream != domain.SubscriptionStream(domain.ChannelWeChat, fan) {
		t.Errorf("written to %s", stream)
	}
}
