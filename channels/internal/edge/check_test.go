package edge

import (
	"context"
	"strings"
	"testing"

	"github.com/interactionledger/ledger/commands"
	"github.com/interactionledger/ledger/domain"
)

// normalizer is a Receiver that only normalises.
type normalizer struct{}

func (normalizer) ReceiveInbound(context.Context, commands.InboundMessage, commands.Meta) (commands.InboundResult, error) {
	panic("not called")
}

func (normalizer) NormalizeIdentity(id domain.Identity) (domain.Identity, error) {
	return domain.NormalizeIdentity(id, domain.DefaultCallingCode)
}

func TestCheck(t *testing.T) {
	ok := commands.InboundMessage{Channel: domain.ChannelApp, From: domain.Identity{Kind: domain.IdentityPhone, Value: "+8613800000000"}, ProviderMessageID: "m1", Text: "hi"}
	with := func(change func(*commands.InboundMessage)) commands.InboundMessage {
		m := ok
		change(&m)
		return m
	}
	cases := []struct {
		name string
		msg  commands.InboundMessage
		ok   bool
	}{
		{"fine", ok, true},
		{"attachment only", with(func(m *commands.InboundMessage) {
			m.Text, m.Attachments = "", []domain.Attachment{{Name: "a.jpg"}}
		}), true},
		{"largest text", with(func(m *commands.InboundMessage) { m.Text = strings.Repeat("x", domain.MaxMessageBytes) }), true},
		{"text too long", with(func(m *commands.InboundMessage) { m.Text = strings.Repeat("x", domain.MaxMessageBytes+1) }), false},
		{"empty", with(func(m *commands.InboundMessage) { m.Text = " \n" }), false},
		{"not UTF-8", with(func(m *commands.InboundMessage) { m.Text = "\xff" }), false},
		{"bad identity", with(func(m *commands.InboundMessage) { m.From.Value = "not a number" }), false},
		{"no id", with(func(m *commands.InboundMessage) { m.ProviderMessageID = " " }), false},
		{"display name too long", with(func(m *commands.InboundMessage) { m.DisplayName = strings.Repeat("名", 201) }), false},
		{"nameless attachment", with(func(m *commands.InboundMessage) { m.Attachments = []domain.Attachment{{Size: 1}} }), false},
		{"negative size", with(func(m *commands.InboundMessage) { m.Attachments = []domain.Attachment{{Name: "a", Size: -1}} }), false},
	}
	for _, tc := range cases {
		err := Check(normalizer{}, tc.msg)
		if (err == nil) != tc.ok || err != nil && domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: Check = %v, want ok=%t", tc.name, err, tc.ok)
		}
	}
}
