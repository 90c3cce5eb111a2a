package commands_test

import (
	"context"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// TestDerivedEventIDsAreStable pins the ids derived from idempotency keys:
// events already in a ledger carry them, and a retried request (a
// provider's redelivery, a client's retry after a restart) must derive the
// same ids to be recognised as applied. Delivery attempts and
// subscriptions keep the ids the channels derived before they wrote
// through this package.
func TestDerivedEventIDsAreStable(t *testing.T) {
	h, store := newHandler(t)
	ctx := context.Background()
	if _, err := h.Agent(ctx, "a1", domain.RegisterAgent{AgentID: "a1", Name: "Ann"}, commands.Meta{Actor: "system:test", IdempotencyKey: "k1"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.RecordDeliveryAttempt(ctx, "i1", delivered("e1", 1), commands.Meta{Actor: "system:test", IdempotencyKey: "delivery:e1#1"}); err != nil {
		t.Fatal(err)
	}
	fan := domain.Identity{Kind: domain.IdentityWeChat, Value: "oFan1"}
	sub := domain.ChangeSubscription{Channel: domain.ChannelWeChat, Identity: fan, CustomerID: "c1", Subscribed: true}
	if _, err := h.ChangeSubscription(ctx, sub, commands.Meta{Actor: "customer:c1", IdempotencyKey: "subscription:WECHAT:m1"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"agent-a1":    "571b801a-ec2f-5952-9871-248fd6f1d1b9",
		"delivery-i1": "3458a856-ca14-5ef0-983e-675d73a06c4e",
		"subscription-3cd0a0a5458d6f3c94347049a9f533ba": "b124735d-73bc-5c5d-a750-86526ee84a33",
	}
	recs, _ := allEvents(t, store)
	if len(recs) != len(want) {
		t.Fatalf("%d events, want %d", len(recs), len(want))
	}
	for _, r := range recs {
		if r.ID.String() != want[r.Stream] {
			t.Errorf("%s on %s has id %s, want %s", r.Type, r.Stream, r.ID, want[r.Stream])
		}
	}
}
