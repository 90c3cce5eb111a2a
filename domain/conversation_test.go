package domain_test

import (
	"strings"
	"testing"

	"github.com/interactionledger/ledger/domain"
)

func TestDecideConversation(t *testing.T) {
	sms := domain.ChannelSMS
	first := events(domain.ConversationInteractionOpened{Channel: sms, InteractionID: "i1", At: ago(hour)})
	second := concat(first, events(domain.ConversationInteractionOpened{Channel: sms, InteractionID: "i2", Replaces: "i1", At: ago(minute)}))
	current := func(id string, count int) func(*testing.T, domain.Conversation) {
		return func(t *testing.T, c domain.Conversation) {
			eq(t, "Current", c.Current, id)
			eq(t, "Count", c.Count, count)
		}
	}
	cases := []decideCase[domain.Conversation, domain.OpenConversationInteraction]{
		{name: "open the first interaction", cmd: domain.OpenConversationInteraction{Channel: sms, InteractionID: "i1"},
			want: events(domain.ConversationInteractionOpened{Channel: sms, InteractionID: "i1", At: now}), check: current("i1", 1)},
		{name: "roll over to the next interaction", given: first, cmd: domain.OpenConversationInteraction{Channel: sms, InteractionID: "i2", Replaces: "i1"},
			want: events(domain.ConversationInteractionOpened{Channel: sms, InteractionID: "i2", Replaces: "i1", At: now}), check: current("i2", 2)},
		{name: "roll over retried", given: second, cmd: domain.OpenConversationInteraction{Channel: sms, InteractionID: "i2", Replaces: "i1"}, check: current("i2", 2)},
		{name: "roll over lost the race", given: second, cmd: domain.OpenConversationInteraction{Channel: sms, InteractionID: "i3", Replaces: "i1"}, code: domain.ECONFLICT},
		{name: "open as new when one exists", given: first, cmd: domain.OpenConversationInteraction{Channel: sms, InteractionID: "i9"}, code: domain.ECONFLICT},
		{name: "open without interaction id", cmd: domain.OpenConversationInteraction{Channel: sms}, code: domain.EINVALID},
	}
	runDecide(t, domain.Conversation{}, domain.EvolveConversation, domain.DecideConversation, cases)
}

func TestConversationStream(t *testing.T) {
	a := domain.ConversationStream(domain.ChannelSMS, "+8613800138000")
	eq(t, "deterministic", domain.ConversationStream(domain.ChannelSMS, "+8613800138000"), a)
	if a == domain.ConversationStream(domain.ChannelWeChat, "+8613800138000") || a == domain.ConversationStream(domain.ChannelSMS, "+8613800138001") {
		t.Error("different conversations share a stream")
	}
	if strings.Contains(a, "8613800138000") {
		t.Errorf("stream %s carries the key", a)
	}
	if cat, _ := domain.StreamCategory(a); cat != domain.CategoryConversation {
		t.Errorf("category of %s = %s", a, cat)
	}
}
