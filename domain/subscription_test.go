package domain_test

import (
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideSubscription(t *testing.T) {
	wechat := domain.ChannelWeChat
	openid := domain.Identity{Kind: domain.IdentityWeChat, Value: "oABC-123_x"}
	change := func(on bool) domain.ChangeSubscription {
		return domain.ChangeSubscription{Channel: wechat, Identity: openid, CustomerID: "c1", Subscribed: on}
	}
	subscribed := domain.ChannelSubscribed{Channel: wechat, Identity: openid, CustomerID: "c1", At: ago(hour)}
	unsubscribed := domain.ChannelUnsubscribed{Channel: wechat, Identity: openid, CustomerID: "c1", At: ago(minute)}
	following := func(known, on bool) func(*testing.T, domain.Subscription) {
		return func(t *testing.T, s domain.Subscription) {
			eq(t, "Known", s.Known, known)
			eq(t, "Subscribed", s.Subscribed, on)
		}
	}
	cases := []decideCase[domain.Subscription, domain.ChangeSubscription]{
		{name: "first follow", cmd: change(true),
			want: events(domain.ChannelSubscribed{Channel: wechat, Identity: openid, CustomerID: "c1", At: now}), check: following(true, true)},
		{name: "unfollow someone never seen following", cmd: change(false),
			want: events(domain.ChannelUnsubscribed{Channel: wechat, Identity: openid, CustomerID: "c1", At: now}), check: following(true, false)},
		{name: "follow again redelivered", given: events(subscribed), cmd: change(true), check: following(true, true)},
		{name: "unfollow", given: events(subscribed), cmd: change(false),
			want: events(domain.ChannelUnsubscribed{Channel: wechat, Identity: openid, CustomerID: "c1", At: now}), check: following(true, false)},
		{name: "follow after unfollowing", given: events(subscribed, unsubscribed), cmd: change(true),
			want: events(domain.ChannelSubscribed{Channel: wechat, Identity: openid, CustomerID: "c1", At: now}), check: following(true, true)},
		{name: "identity not normalised", cmd: domain.ChangeSubscription{Channel: wechat, Identity: domain.Identity{Kind: domain.IdentityWeChat, Value: " o1 "}, CustomerID: "c1"}, code: domain.EINVALID},
		{name: "no customer", cmd: domain.ChangeSubscription{Channel: wechat, Identity: openid, Subscribed: true}, code: domain.EINVALID},
		{name: "unknown channel", cmd: domain.ChangeSubscription{Channel: "FAX", Identity: openid, CustomerID: "c1"}, code: domain.EINVALID},
	}
	runDecide(t, domain.Subscription{}, domain.EvolveSubscription, domain.DecideSubscription, cases)
}

func TestSubscriptionStream(t *testing.T) {
	openid := domain.Identity{Kind: domain.IdentityWeChat, Value: "oABC"}
	s := domain.SubscriptionStream(domain.ChannelWeChat, openid)
	eq(t, "deterministic", domain.SubscriptionStream(domain.ChannelWeChat, openid), s)
	if strings.Contains(s, "oABC") {
		t.Errorf("stream %s carries the openid", s)
	}
	if s == domain.SubscriptionStream(domain.ChannelWeChat, domain.Identity{Kind: domain.IdentityWeChat, Value: "oABD"}) {
		t.Error("two identities share a stream")
	}
	folded, err := domain.FoldStream(s, events(domain.ChannelSubscribed{Channel: domain.ChannelWeChat, Identity: openid, CustomerID: "c1", At: now}))
	if err != nil || !folded.(domain.Subscription).Subscribed {
		t.Errorf("FoldStream(%s) = %#v, %v", s, folded, err)
	}
}
